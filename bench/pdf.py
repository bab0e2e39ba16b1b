"""Theme PDFs: the real render against a static WeasyPrint render of the same HTML, and the
time of a single render across themes, in a process of its own (``bench.pdf_worker``).

The memory of a worker process over hundreds of consecutive renders is measured in the
real Celery worker children of the end-to-end part (``bench.e2e``)."""

import json
import statistics

from .figures import Figure, median, percentile, repeated
from .processes import Children

RATIO_TARGET = 1.5


def pdf_measure(*, children: Children, cohort, renders: int, pairs: int, timeout: float):
    """(figures, mean wall and CPU seconds per theme report over the series): the latter two
    are the single-render time the end-to-end part compares with."""
    out = children.log_dir / "pdf_worker.json"
    ids = cohort.assessment_ids[: max(1, -(-renders // 4))]
    worker = children.start(
        "pdf_worker",
        [
            "-m", "bench.pdf_worker",
            "--assessments", ",".join(map(str, ids)),
            "--renders", str(renders),
            "--pairs", str(pairs),
            "--out", str(out),
        ],
    )  # fmt: skip
    try:
        worker.process.wait(timeout=timeout)
    except Exception as error:
        worker.stop()
        raise RuntimeError(f"The PDF worker did not finish in {timeout:.0f} s.") from error
    if worker.process.returncode != 0:
        raise RuntimeError(f"The PDF worker failed:\n{worker.log_tail()}")
    data = json.loads(out.read_text())
    return _figures(data), statistics.mean(data["series_s"]), statistics.mean(data["series_cpu_s"])


def _figures(data: dict) -> list[Figure]:
    real, static, work = data["real_s"], data["static_s"], data["data_s"]
    real_median, static_median = median(real), median(static)
    share = real_median / static_median if static_median else None
    render = Figure(
        key="pdf.theme_render",
        label=f"PDF: one theme report ({data['theme']}, {data['theme_statements']} statements)",
        measured=round(real_median, 4),
        unit="s",
        baseline=round(static_median, 4),
        baseline_label="static HTML, same CSS",
        ratio=share,
        target=f"<= {RATIO_TARGET:g} x static",
        passed=share is not None and share <= RATIO_TARGET,
        details={
            "repeated": repeated(real, static, higher_is_better=False),
            "pairs": len(real),
            "real_p95_s": round(percentile(real, 0.95), 4),
            "static_p95_s": round(percentile(static, 0.95), 4),
            "data_and_context_median_s": round(median(work), 4),
            "template_and_layout_median_s": round(real_median - median(work), 4),
            "html_bytes": data["html_bytes"],
            "pages_real": data["pages_real"],
            "pages_static": data["pages_static"],
            "pdf_bytes_real": data["pdf_bytes_real"],
            "pdf_bytes_static": data["pdf_bytes_static"],
            "assessment_id": data["assessment_id"],
        },
    )
    render.details.update(
        single_render_series=len(data["series_s"]),
        single_render_mean_s=round(statistics.mean(data["series_s"]), 4),
        single_render_p95_s=round(percentile(data["series_s"], 0.95), 4),
        single_render_cpu_mean_s=round(statistics.mean(data["series_cpu_s"]), 4),
        process_peak_rss_mib=round(data["peak_rss_kib"] / 1024, 1),
    )
    return [render]
