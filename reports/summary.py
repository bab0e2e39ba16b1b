"""The summary report: one leader's 4 themes and 13 qualities on one or two pages.

Every figure comes from the aggregation's result (``assessment_report``: one aggregation for
all themes), so the summary shows only what the theme reports may show. It has: self against
All raters for every quality in one chart, the clearest strengths and development areas
(the rules of ``reports.insights`` applied to qualities rather than statements), who gave
feedback and how many could observe each quality, and a link to each theme report.

A release freezes it as it freezes the theme reports (``ReleasedSummary``, filled with them
by ``reports.versions.version_fill``); staff read it live, the leader only as released.

The cohort benchmark places the leader's All raters score for each quality in a quarter of
the programme's leaders, only from figures already released and shown to leaders, only when
at least ``BENCHMARK_MIN_LEADERS`` leaders have such a figure for that quality, and never
with any other leader's figure: the band is all it says.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from .aggregation import assessment_report, one_decimal
from .change import ThemeChange, earlier_cycle, theme_change
from .charts import bar_chart
from .insights import MIN_GAP, report_insights
from .numbering import quality_number, theme_number
from .report_context import (
    Highlight,
    HighlightItem,
    _group_columns,
    _response_counts,
    _response_notes,
    _row,
)

SUMMARY_PDF_TEMPLATE = "reports/summary_pdf.html"
SUMMARY_BODY_TEMPLATE = "reports/_summary_body.html"
BENCHMARK_MIN_LEADERS = 10
BANDS = (
    "in the bottom quarter",
    "in the lower middle quarter",
    "in the upper middle quarter",
    "in the top quarter",
)


@dataclass(frozen=True)
class ThemeSummary:
    theme: object
    number: str
    row: object  # ScoreRow of the theme
    qualities: tuple  # ScoreRow per quality
    quality_ids: tuple[int, ...]
    # A follow-up's change since the earlier programme (reports.change.ChangeRow), as the
    # theme report shows it: the theme's, and one per quality; None where none is shown.
    change: object = None
    quality_changes: tuple = ()

    @property
    def quality_rows(self) -> list[tuple]:
        """(ScoreRow, ChangeRow or None) per quality, for the table."""
        changes = self.quality_changes or (None,) * len(self.qualities)
        return list(zip(self.qualities, changes, strict=True))


@dataclass(frozen=True)
class SummaryChange:
    """What the summary says about the change since the earlier programme; the rows are in
    ``ThemeSummary`` (the theme reports' own change rows, reused, never recomputed)."""

    earlier_programme: str
    earlier_released_on: object
    k: int
    shown: int  # qualities whose change the theme reports show
    hidden: int  # and those they do not


@dataclass(frozen=True)
class _QualityItem:
    """A quality in the shape ``report_insights`` reads a statement in."""

    statement: object  # the Quality (``.pk``)
    position: tuple[int, int, int]
    scores: object


@dataclass(frozen=True)
class _QualityLevel:
    statements: tuple[_QualityItem, ...]
    threshold: int


def summary_context(*, assessment, report=None, generated_on=None) -> dict:
    """The template context of the summary (web body and PDF)."""
    report = report or assessment_report(assessment=assessment)
    programme = assessment.programme
    points = list(programme.framework.scale.points.order_by("order"))
    scored = [p for p in points if p.value is not None]
    scale_min, scale_max = scored[0].value, scored[-1].value
    themes, rows_by_quality, items = [], {}, []
    earlier = earlier_cycle(assessment=assessment)  # None unless a follow-up with one released
    changes: list[ThemeChange] = []
    for result in report.themes:
        theme = result.theme
        columns = _group_columns(result)
        quality_rows, quality_ids = [], []
        change = None
        if earlier is not None:
            change = theme_change(
                assessment=assessment, theme=theme, result=result, earlier=earlier
            )
        shown = {(r.level, r.scope_id): r for r in change.rows if r.shown} if change else {}
        if change is not None:
            changes.append(change)
        for place, quality in enumerate(result.qualities, start=1):
            row = _row(quality_number(theme, place), quality.quality.name, quality.scores, columns)
            quality_rows.append(row)
            quality_ids.append(quality.quality.pk)
            rows_by_quality[quality.quality.pk] = row
            items.append(
                _QualityItem(
                    quality.quality, (theme.order, quality.quality.order, 0), quality.scores
                )
            )
        themes.append(
            ThemeSummary(
                theme=theme,
                number=theme_number(theme),
                row=_row(theme_number(theme), theme.name, result.scores, columns),
                qualities=tuple(quality_rows),
                quality_ids=tuple(quality_ids),
                change=shown.get(("theme", theme.pk)),
                quality_changes=tuple(shown.get(("quality", q)) for q in quality_ids)
                if change is not None
                else (),
            )
        )
    all_rows = [row for t in themes for row in t.qualities]
    first = report.themes[0] if report.themes else None
    chart_title = "Every quality: your score and the All raters average"
    # Self against All raters only: the groups are in each theme report.
    chart_rows = [replace(row, groups=()) for row in all_rows]
    return {
        "assessment": assessment,
        "leader_name": assessment.leader.full_name,
        "programme_name": programme.name,
        "framework_name": programme.framework.name,
        "opens_at": programme.opens_at,
        "closes_at": programme.effective_close,
        "generated_on": generated_on or timezone.localdate(),
        "k": report.threshold,
        "scale_min": scale_min,
        "scale_max": scale_max,
        "themes": themes,
        "quality_count": len(all_rows),
        "chart": bar_chart(
            chart_id="chart-summary",
            title=chart_title,
            rows=chart_rows,
            scale_min=scale_min,
            scale_max=scale_max,
            compact=True,
        ),
        # The PDF's: numbered rows, the table under it has the wording (``bar_chart``).
        "pdf_chart": bar_chart(
            chart_id="chart-summary",
            title=chart_title,
            rows=chart_rows,
            scale_min=scale_min,
            scale_max=scale_max,
            compact=True,
            numbers_only=True,
        ),
        "lists": _lists(_QualityLevel(tuple(items), report.threshold), rows_by_quality),
        "min_gap": MIN_GAP,
        "change": _summary_change(changes),
        "response_counts": _response_counts(first) if first else [],
        "response_notes": _response_notes(first) if first else [],
        "group_columns": (),
    }


def _summary_change(changes: list[ThemeChange]) -> SummaryChange | None:
    if not changes:
        return None
    qualities = [r for c in changes for r in c.rows if r.level == "quality"]
    return SummaryChange(
        earlier_programme=changes[0].earlier_programme,
        earlier_released_on=changes[0].earlier_released_on,
        k=changes[0].k,
        shown=sum(1 for r in qualities if r.shown),
        hidden=sum(1 for r in qualities if not r.shown),
    )


def _lists(level, rows) -> tuple[Highlight, ...]:
    found = report_insights(report=level)
    sections = (
        (
            "highest",
            "Strengths: highest rated qualities",
            "The qualities others rated highest, clearly above the rest.",
            "No quality stands out above the others: their averages are too close.",
        ),
        (
            "hidden_strengths",
            "Hidden strengths",
            f"Others rated you clearly higher than you rated yourself: by at least {MIN_GAP} "
            "and by more than the uncertainty of their average.",
            "No quality where others rated you clearly higher than you did.",
        ),
        (
            "lowest",
            "Development areas: lowest rated qualities",
            "The qualities others rated lowest, clearly below the rest: places to look for "
            "development.",
            "No quality stands out below the others: their averages are too close.",
        ),
        (
            "blind_spots",
            "Possible blind spots",
            f"You rated yourself clearly higher than others did: by at least {MIN_GAP} and by "
            "more than the uncertainty of their average.",
            "No quality where you rated yourself clearly higher than others did.",
        ),
    )
    return tuple(
        Highlight(
            key=key,
            title=title,
            explanation=explanation,
            items=tuple(
                HighlightItem(row=rows[i.item.statement.pk], detail=i.explanation)
                for i in getattr(found, key)
            ),
            empty_text=empty,
        )
        for key, title, explanation, empty in sections
    )


def summary_figures(context: dict) -> dict[str, str]:
    """Quality id -> the All raters mean as displayed (one decimal), shown figures only."""
    figures = {}
    for theme in context["themes"]:
        for row, quality_id in zip(theme.qualities, theme.quality_ids, strict=True):
            everyone = row.all_raters
            if everyone is not None and everyone.mean is not None:
                figures[str(quality_id)] = str(one_decimal(everyone.mean))
    return figures


def summary_body(context: dict, *, theme_url: str = "reports:theme") -> str:
    return render_to_string(SUMMARY_BODY_TEMPLATE, {**context, "theme_url": theme_url})


# The cohort benchmark ----------------------------------------------------------------------


def band_of(score: Decimal, values: list[Decimal]) -> int:
    """The quarter (0 bottom .. 3 top) of ``score`` among ``values`` (which include it), by
    its mid-rank percentile: (leaders below + half of those level with it) / leaders."""
    below = sum(1 for v in values if v < score)
    level = sum(1 for v in values if v == score)
    percentile = (Decimal(below) + Decimal(level) / 2) / Decimal(len(values))
    return min(int(percentile * 4), 3)


def released_figures(*, programme) -> dict[int, dict[str, str]]:
    """Assessment id -> the figures of its latest released (filled) summary."""
    from .models import ReleasedSummary

    latest = {}
    for summary in (
        ReleasedSummary.objects.filter(
            version__assessment__programme=programme, version__filled_at__isnull=False
        )
        .order_by("version__assessment_id", "version__number")
        .values("version__assessment_id", "figures")
    ):
        latest[summary["version__assessment_id"]] = summary["figures"]
    return latest


def cohort_benchmark(*, assessment) -> dict[str, str]:
    """Quality id -> the band of the leader's released All raters score among the
    programme's leaders' released scores; only qualities with enough leaders."""
    cohort = released_figures(programme=assessment.programme)
    own = cohort.get(assessment.pk)
    if not own or len(cohort) < BENCHMARK_MIN_LEADERS:
        return {}
    bands = {}
    for quality_id, score in own.items():
        values = [Decimal(f[quality_id]) for f in cohort.values() if quality_id in f]
        if len(values) >= BENCHMARK_MIN_LEADERS:
            bands[quality_id] = BANDS[band_of(Decimal(score), values)]
    return bands


def benchmark_rows(*, assessment) -> list[dict]:
    """The benchmark as the summary page lists it: each quality's number, name and band."""
    bands = cohort_benchmark(assessment=assessment)
    if not bands:
        return []
    rows = []
    for theme in assessment.programme.framework.themes.order_by("order"):
        for place, quality in enumerate(theme.qualities.order_by("order"), start=1):
            if str(quality.pk) in bands:
                rows.append(
                    {
                        "number": quality_number(theme, place),
                        "name": quality.name,
                        "band": bands[str(quality.pk)],
                    }
                )
    return rows


# Rendering and the release snapshot --------------------------------------------------------


def summary_pdf(context: dict) -> bytes:
    from .pdf import pdf_render

    return pdf_render(template_name=SUMMARY_PDF_TEMPLATE, context=context)


@dataclass(frozen=True)
class SummarySnapshot:
    html: str
    pdf: bytes
    figures: dict


def summary_snapshot(*, assessment, report=None) -> SummarySnapshot:
    """The summary as a release freezes it: the leader's page body, the PDF, the figures."""
    context = summary_context(assessment=assessment, report=report)
    return SummarySnapshot(
        html=summary_body(context), pdf=summary_pdf(context), figures=summary_figures(context)
    )


def summary_store(*, version, snapshot: SummarySnapshot) -> None:
    """Keep the snapshot with ``version`` (inside the transaction that fills the version)."""
    from django.core.files.base import ContentFile

    from .models import ReleasedSummary

    released = ReleasedSummary(version=version, html=snapshot.html, figures=snapshot.figures)
    released.file.save("summary.pdf", ContentFile(snapshot.pdf), save=False)
    released.save()


def released_summary(*, assessment):
    """The summary of the version the leader last received; None if there is none."""
    from .models import ReleasedSummary
    from .versions import versions_latest

    version = versions_latest(assessment=assessment)
    if version is None:
        return None
    return ReleasedSummary.objects.filter(version=version).first()


def leader_set_render(*, assessment) -> list[tuple[str, bytes]]:
    """A leader's full set, summary first then each theme, from one aggregation and one
    stylesheet and font set (``reports.pdf.print_assets``), in this process: the work the
    five PDFs share is done once."""
    from .pdf import pdf_render
    from .report_context import THEME_REPORT_TEMPLATE, report_context

    report = assessment_report(assessment=assessment)
    parts = [("Summary", summary_pdf(summary_context(assessment=assessment, report=report)))]
    for result in report.themes:
        context = report_context(assessment=assessment, theme=result.theme, result=result)
        parts.append(
            (result.theme.name, pdf_render(template_name=THEME_REPORT_TEMPLATE, context=context))
        )
    return parts
