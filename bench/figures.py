"""Figures: a measurement, the baseline it is compared with, the ratio and the target.

Every part of the benchmark returns figures; ``run`` prints them as one table and writes
them to JSON. A part that fails still yields its figures, with the error and no numbers.
"""

import json
import os
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Every figure a complete run has; the smoke test checks they are all written.
FIGURE_KEYS = (
    "generate.cohort",
    "web.baseline",
    "web.layout",
    "web.rater_form_get",
    "web.draft_save_post",
    "web.leader_dashboard_get",
    "queries.rater_form_page",
    "queries.draft_save",
    "queries.leader_dashboard",
    "queries.self_assessment_page",
    "queries.programme_dashboard",
    "queries.aggregation",
    "aggregation.all_assessments",
    "pdf.theme_render",
    "pdf.memory",
    "e2e.parallel",
)


@dataclass
class Figure:
    key: str
    label: str
    measured: float | None = None
    unit: str = ""
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None  # None: no target (reference figures)
    details: dict = field(default_factory=dict)
    error: str = ""

    @classmethod
    def failed(cls, key: str, label: str, error: str, target: str = "") -> "Figure":
        return cls(key=key, label=label, target=target, passed=False, error=error)


def ratio(measured, baseline) -> float | None:
    if measured is None or not baseline:
        return None
    return measured / baseline


def percentile(values, fraction: float) -> float | None:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def median(values) -> float | None:
    return statistics.median(values) if values else None


RUNS = 5  # at least this many interleaved runs of a subject and its baseline


def repeated(subject: list[float], baseline: list[float], *, higher_is_better: bool) -> dict:
    """What interleaved runs of a subject and its baseline say: each side's min and median,
    and the two ratios (subject over baseline) of mins and of medians.

    For times the best run is the min; for rates (higher is better) it is the max, reported
    as "best" alongside the min so both readings are there.
    """
    best = max if higher_is_better else min

    def side(values):
        return {
            "runs": len(values),
            "min": round(min(values), 5),
            "median": round(median(values), 5),
            "best": round(best(values), 5),
            "values": [round(v, 5) for v in values],
        }

    return {
        "subject": side(subject),
        "baseline": side(baseline),
        "ratio_min": ratio(min(subject), min(baseline)),
        "ratio_median": ratio(median(subject), median(baseline)),
        "ratio_best": ratio(best(subject), best(baseline)),
    }


def ratios_table(figures: list["Figure"], load: dict) -> str:
    """The repeated, interleaved figures (items 7-9 of issue 15): min and median of each side
    and the ratios, with the 1-minute load average while each part ran."""
    rows = [("figure", "runs", "subject min / median", "baseline min / median", "ratio min",
             "ratio median", "target", "load (1 min)")]  # fmt: skip
    for f in figures:
        r = f.details.get("repeated")
        if not r or f.error:
            continue
        part = f.key.split(".", 1)[0]
        rows.append(
            (
                f.label,
                str(r["subject"]["runs"]),
                f"{_number(r['subject']['min'])} / {_number(r['subject']['median'], f.unit)}",
                f"{_number(r['baseline']['min'])} / {_number(r['baseline']['median'], f.unit)}",
                "-" if r["ratio_min"] is None else f"{r['ratio_min']:.2f}",
                "-" if r["ratio_median"] is None else f"{r['ratio_median']:.2f}",
                f.target or "-",
                " -> ".join(f"{x:.2f}" for x in load.get(part, [])) or "-",
            )
        )
    if len(rows) == 1:
        return ""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _number(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and value > 99):
        text = f"{int(value):,}"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def table(figures: list[Figure]) -> str:
    """The figures as a fixed-width text table."""
    rows = [("figure", "measured", "baseline", "ratio", "target", "result")]
    for f in figures:
        result = "ERROR" if f.error else {True: "pass", False: "FAIL", None: "-"}[f.passed]
        rows.append(
            (
                f.label,
                _number(f.measured, f.unit),
                f"{_number(f.baseline, f.unit)}"
                + (f" ({f.baseline_label})" if f.baseline_label else ""),
                "-" if f.ratio is None else f"{f.ratio:.2f}",
                f.target or "-",
                result,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    errors = [f"  {f.key}: {f.error}" for f in figures if f.error]
    return "\n".join(lines + (["", "Errors:", *errors] if errors else []))


def results_write(path: Path, document: dict) -> None:
    """Write the results JSON atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(document, indent=2, sort_keys=False, default=str) + "\n")
    os.replace(partial, path)


def figures_document(figures: list[Figure]) -> list[dict]:
    return [asdict(f) for f in figures]
