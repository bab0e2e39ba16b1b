"""The cohort PDF: response rates, a heatmap of leaders x qualities, the spread of self -
others gaps per quality, and cohort means per statement.

It is drawn from the same ``CohortData`` as the spreadsheets, so it shows exactly what the
leaders' reports show (a hidden figure is a dash, with the report's reason listed under
the table) and the cohort aggregate of ``cohort`` (shown only with at least k leaders).
Rendered by the one PDF renderer, ``reports.pdf.pdf_render``, with
``templates/reports/exports/cohort.html``; charts are inline SVG with a title, a
description and a table next to them, and the heatmap prints every number in its cell, so
nothing is told by colour alone.
"""

import statistics
from dataclasses import dataclass
from decimal import Decimal

from ..aggregation import format_gap, format_score
from ..pdf import pdf_render
from .cohort import cohort_figures

COHORT_PDF_TEMPLATE = "reports/exports/cohort.html"
HEAT_BANDS = 5

# The gap strip plot's geometry, in SVG user units.
STRIP_WIDTH = 700
STRIP_LABEL_X = 4
STRIP_LEFT = 250
STRIP_RIGHT = 680
STRIP_ROW = 34
STRIP_AXIS = 24
DOT_RADIUS = 4
LABEL_CHARS = 38


@dataclass(frozen=True)
class HeatCell:
    text: str
    band: str  # a CSS class: heat-0 (lowest) to heat-4, or heat-none when not shown
    hidden: bool


@dataclass(frozen=True)
class Dot:
    x: float
    y: float


@dataclass(frozen=True)
class StripRow:
    number: str
    name: str
    label: str
    y: float
    line_y: float
    dots: tuple[Dot, ...]
    count: int
    median: str
    lowest: str
    highest: str
    above: int  # leaders who rated themselves above others (gap > 0)
    below: int

    @property
    def summary(self) -> str:
        if not self.count:
            return f"{self.number} {self.name}: no leader has both a self and an others' score."
        return (
            f"{self.number} {self.name}: {self.count} leaders, median gap {self.median}, "
            f"from {self.lowest} to {self.highest}; {self.above} rated themselves above others, "
            f"{self.below} below."
        )


@dataclass(frozen=True)
class StripChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    zero_x: float
    axis_y: int
    ticks: tuple[tuple[float, str], ...]
    rows: tuple[StripRow, ...]

    @property
    def description(self) -> str:
        return " ".join(row.summary for row in self.rows)


def cohort_pdf_render(*, data) -> bytes:
    return pdf_render(template_name=COHORT_PDF_TEMPLATE, context=cohort_pdf_context(data=data))


def cohort_pdf_context(*, data) -> dict:
    programme = data.programme
    leaders = data.leaders
    totals = {
        "invited": sum(leader.rates.invited for leader in leaders),
        "submitted": sum(leader.rates.submitted for leader in leaders),
        "declined": sum(leader.rates.declined for leader in leaders),
        "self": sum(1 for leader in leaders if leader.rates.self_submitted),
    }
    totals["rate"] = _percent(
        Decimal(100 * totals["submitted"]) / totals["invited"] if totals["invited"] else None
    )
    heat_rows, heat_reasons = _heatmap(data)
    return {
        "programme_name": programme.name,
        "framework_name": programme.framework.name,
        "opens_at": programme.opens_at,
        "closes_at": programme.effective_close,
        "as_of": data.as_of,
        "named": data.named,
        "k": data.k,
        "leader_count": len(leaders),
        "rates": [
            {
                "label": leader.label,
                "invited": leader.rates.invited,
                "submitted": leader.rates.submitted,
                "declined": leader.rates.declined,
                "rate": _percent(leader.rates.rate),
                "self": leader.rates.self_submitted,
            }
            for leader in leaders
        ],
        "totals": totals,
        "qualities": data.qualities,
        "heat_rows": heat_rows,
        "heat_reasons": heat_reasons,
        "heat_legend": _legend(*data.scale),
        "strip": _strip_chart(data),
        "scale_low": data.scale[0],
        "scale_high": data.scale[1],
        "cohort": [_cohort_row(figure) for figure in cohort_figures(data)],
    }


def _cohort_row(figure) -> dict:
    return {
        "level": figure.level,
        "number": figure.number,
        "text": figure.text,
        "reason": figure.reason,
        "mean": format_score(figure.mean),
        "sd": format_score(figure.sd),
        "self_mean": format_score(figure.self_mean),
        "leaders": figure.leaders,
        "raters": "\u2013" if figure.raters is None else figure.raters,
    }


def _percent(value) -> str:
    return "\u2013" if value is None else f"{value.quantize(Decimal(1))}%"


def _band(mean, low, high) -> str:
    share = (mean - low) / Decimal(high - low) if high > low else Decimal(0)
    return f"heat-{max(0, min(HEAT_BANDS - 1, int(share * HEAT_BANDS)))}"


def _legend(low, high) -> list[dict]:
    step = Decimal(high - low) / HEAT_BANDS
    return [
        {
            "band": f"heat-{i}",
            "text": f"{format_score(low + step * i)} to {format_score(low + step * (i + 1))}",
        }
        for i in range(HEAT_BANDS)
    ]


def _heatmap(data) -> tuple[list[dict], list[str]]:
    """Leaders x qualities, All raters' mean; hidden cells and the reasons, once each."""
    low, high = data.scale
    rows, reasons = [], []
    for leader in data.leaders:
        by_quality = {q.quality.pk: q.scores for t in leader.report.themes for q in t.qualities}
        cells = []
        for quality in data.qualities:
            everyone = by_quality[quality.pk].all_raters if quality.pk in by_quality else None
            if everyone is None or not everyone.shown:
                if everyone is not None and everyone.reason not in reasons:
                    reasons.append(everyone.reason)
                cells.append(HeatCell("\u2013", "heat-none", hidden=True))
            elif everyone.mean is None:
                cells.append(HeatCell("\u2013", "heat-none", hidden=False))
            else:
                cells.append(
                    HeatCell(format_score(everyone.mean), _band(everyone.mean, low, high), False)
                )
        rows.append({"label": leader.label, "cells": cells})
    return rows, reasons


def _strip_chart(data) -> StripChart:
    """Each quality's self - others gaps, one dot per leader whose report shows the gap."""
    gaps: dict[int, list] = {q.pk: [] for q in data.qualities}
    for leader in data.leaders:
        for theme in leader.report.themes:
            for quality in theme.qualities:
                if quality.scores.gap is not None and quality.quality.pk in gaps:
                    gaps[quality.quality.pk].append(quality.scores.gap)
    spread = max((abs(g) for values in gaps.values() for g in values), default=Decimal(1))
    reach = max(
        1, min(data.scale[1] - data.scale[0], int(spread.to_integral_value("ROUND_CEILING")))
    )
    scale = (STRIP_RIGHT - STRIP_LEFT) / (2 * reach)

    def x(gap) -> float:
        return round(STRIP_LEFT + (float(gap) + reach) * scale, 1)

    rows = []
    for index, quality in enumerate(data.qualities):
        top = STRIP_AXIS + index * STRIP_ROW
        centre = top + STRIP_ROW / 2
        values = sorted(gaps[quality.pk])
        stacked: dict[Decimal, int] = {}
        dots = []
        for gap in values:
            slot = gap.quantize(Decimal("0.1"))
            seen = stacked.get(slot, 0)
            stacked[slot] = seen + 1
            # Equal gaps stack up and down from the line, so each leader stays visible.
            offset = ((seen + 1) // 2) * (DOT_RADIUS + 1) * (1 if seen % 2 else -1)
            dots.append(Dot(x(gap), round(centre + max(-14, min(14, offset)), 1)))
        label = f"{quality.number} {quality.name}"
        if len(label) > LABEL_CHARS:
            label = label[: LABEL_CHARS - 1] + "\u2026"
        rows.append(
            StripRow(
                number=quality.number,
                name=quality.name,
                label=label,
                y=centre + 4,
                line_y=centre,
                dots=tuple(dots),
                count=len(values),
                median=format_gap(statistics.median(values)) if values else "\u2013",
                lowest=format_gap(values[0]) if values else "\u2013",
                highest=format_gap(values[-1]) if values else "\u2013",
                above=sum(1 for g in values if g > 0),
                below=sum(1 for g in values if g < 0),
            )
        )
    ticks = tuple((x(value), format_gap(value)) for value in range(-reach, reach + 1))
    return StripChart(
        width=STRIP_WIDTH,
        height=STRIP_AXIS + len(rows) * STRIP_ROW + 4,
        plot_left=STRIP_LEFT,
        plot_right=STRIP_RIGHT,
        zero_x=x(0),
        axis_y=STRIP_AXIS - 8,
        ticks=ticks,
        rows=tuple(rows),
    )
