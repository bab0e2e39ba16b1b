"""What a theme report template is given, built from the aggregation's result.

The aggregation (``reports.aggregation``) decides every figure that may be shown and why
others are not, and ``reports.insights`` what stands out; this module only turns their
results into the shapes the templates draw — rows of figures, chart geometry, highlight
lists — and hashes everything the PDF depends on. If their API moves, only the functions
under "Adapting the aggregation" change.
"""

import hashlib
import json
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from django.utils import timezone

from .aggregation import format_gap, format_score, theme_report
from .change import theme_change
from .charts import MARKERS, Marker, bar_chart, marker_points
from .insights import (
    HARD_TO_OBSERVE_SHARE,
    LOW_AGREEMENT_SD,
    MAX_ITEMS,
    MIN_GAP,
    report_insights,
)
from .numbering import quality_number, statement_number, theme_number

THEME_REPORT_TEMPLATE = "reports/theme_report_pdf.html"
# Bump when the templates change what a report shows, so ready reports are rendered again.
TEMPLATE_VERSION = "2026-12-3"

REFLECTION_PROMPTS = (
    "What stands out for you in this theme? What surprised you?",
    "Where do others see you differently from how you see yourself? What might explain it?",
    "Which strengths do you want to build on, and how?",
    "What one or two things will you do differently? Who could support you?",
)
# Table headers for groups whose full label is long.
SHORT_LABELS = {"other": "Others"}


@dataclass(frozen=True)
class Figures:
    """One rater group's shown figures for one statement, quality or theme."""

    key: str
    label: str
    n: int
    respondents: int
    mean: Decimal | None
    sd: Decimal | None = None

    @property
    def mean_text(self) -> str:
        return format_score(self.mean)

    @property
    def sd_text(self) -> str:
        return format_score(self.sd)

    @property
    def marker(self) -> str:
        return MARKERS.get(self.key, "circle")


@dataclass(frozen=True)
class GroupColumn:
    """A rater group shown on its own somewhere in the report: a table column, a marker."""

    key: str
    label: str

    @property
    def short_label(self) -> str:
        return SHORT_LABELS.get(self.key, self.label)

    @property
    def legend_marker(self) -> Marker:
        shape = MARKERS.get(self.key, "circle")
        return Marker(shape, 8, 8, self.label, marker_points(shape, 8, 8))


@dataclass(frozen=True)
class ScoreRow:
    """A statement, quality or theme with its shown figures."""

    number: str
    label: str
    self_score: Decimal | None
    all_raters: Figures | None
    groups: tuple[Figures, ...] = ()
    gap: Decimal | None = None
    notes: tuple[str, ...] = ()
    # The displayed groups' figures in the order of the report's group columns (None: absent).
    columns: tuple[Figures | None, ...] = ()
    statement_id: int | None = None

    @property
    def self_text(self) -> str:
        return format_score(self.self_score)

    @property
    def gap_text(self) -> str:
        return format_gap(self.gap)

    @property
    def coverage_text(self) -> str:
        everyone = self.all_raters
        if everyone is None:
            return ""
        noun = "rater" if everyone.respondents == 1 else "raters"
        return f"{everyone.n} of {everyone.respondents} {noun} could observe this"


@dataclass(frozen=True)
class HighlightItem:
    row: ScoreRow
    detail: str


@dataclass(frozen=True)
class Highlight:
    key: str
    title: str
    explanation: str
    items: tuple[HighlightItem, ...]
    empty_text: str


@dataclass(frozen=True)
class QualitySection:
    number: str
    name: str
    description: str
    summary: ScoreRow
    statements: tuple[ScoreRow, ...]
    chart: object
    pdf_chart: object = None  # the PDF's: numbered rows, the table under it has the wording


@dataclass(frozen=True)
class ThemeReportContent:
    context: dict
    inputs_hash: str


# Hashing -----------------------------------------------------------------------------------


def canonical_json(value) -> str:
    """A stable JSON text: sorted keys; dataclasses, decimals, dates and models flattened."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_canonical)


def _canonical(value):
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if hasattr(value, "_meta") and hasattr(value, "pk"):  # a model instance
        return f"{value._meta.label}:{value.pk}"
    return str(value)


def theme_report_content(*, assessment, theme) -> ThemeReportContent:
    """The template context of one theme report, and the hash of what it is drawn from:
    the aggregation's result, the template version and the names and dates it prints."""
    result = theme_report(assessment=assessment, theme=theme)
    programme = assessment.programme
    hashed = {
        "aggregation": result,
        "template_version": TEMPLATE_VERSION,
        "leader": assessment.leader.full_name,
        "programme": [programme.name, programme.opens_at, programme.effective_close],
        "framework": programme.framework.name,
        "theme": [theme.pk, theme.order, theme.name, theme.description],
    }
    context = report_context(assessment=assessment, theme=theme, result=result)
    # A follow-up's change since the earlier programme (reports.change); hashed only where
    # there is one, so other reports keep their hashes.
    context["change"] = theme_change(assessment=assessment, theme=theme, result=result)
    if context["change"] is not None:
        hashed["change"] = context["change"]
    digest = hashlib.sha256(canonical_json(hashed).encode()).hexdigest()
    return ThemeReportContent(context=context, inputs_hash=digest)


# The template context ----------------------------------------------------------------------


def report_context(*, assessment, theme, result, generated_on=None) -> dict:
    """The template context for the PDF and the web page of one theme."""
    programme = assessment.programme
    points = list(programme.framework.scale.points.order_by("order"))
    scored = [p for p in points if p.value is not None]
    scale_min, scale_max = scored[0].value, scored[-1].value
    columns = _group_columns(result)
    qualities = tuple(
        _quality_section(
            quality_number(theme, place), quality, columns, theme, scale_min, scale_max
        )
        for place, quality in enumerate(result.qualities, start=1)
    )
    quality_rows = [q.summary for q in qualities]
    return {
        "leader_name": assessment.leader.full_name,
        "programme_name": programme.name,
        "framework_name": programme.framework.name,
        "theme": theme,
        "theme_number": theme_number(theme),
        "opens_at": programme.opens_at,
        "closes_at": programme.effective_close,
        "generated_on": generated_on or timezone.localdate(),
        "k": result.threshold,
        "scale_points": scored,
        "not_observed_label": next((p.label for p in points if p.value is None), "Not observed"),
        "scale_min": scale_min,
        "scale_max": scale_max,
        "response_counts": _response_counts(result),
        "response_notes": _response_notes(result),
        "group_columns": columns,
        "theme_row": _row("", theme.name, result.scores, columns),
        "theme_quality_rows": quality_rows,
        "overview_chart": bar_chart(
            chart_id=f"chart-{theme.slug}-overview",
            title=f"{theme.name}: your score and others' scores for each quality",
            rows=quality_rows,
            scale_min=scale_min,
            scale_max=scale_max,
        ),
        "overview_pdf_chart": bar_chart(
            chart_id=f"chart-{theme.slug}-overview",
            title=f"{theme.name}: your score and others' scores for each quality",
            rows=quality_rows,
            scale_min=scale_min,
            scale_max=scale_max,
            compact=True,
            numbers_only=True,
        ),
        "qualities": qualities,
        "highlights": _highlights(result, _statement_rows(qualities)),
        "highlight_limit": MAX_ITEMS,
        "min_gap": MIN_GAP,
        "comments": result.comments.comments if result.comments.shown else (),
        "comments_note": result.comments.reason,
        "own_comments": result.comments.own,
        "line_manager_comments": result.comments.line_manager,
        "reflection_prompts": REFLECTION_PROMPTS,
    }


def _statement_rows(qualities) -> dict:
    """Statement id → its row, for the highlights."""
    return {row.statement_id: row for q in qualities for row in q.statements}


# Adapting the aggregation -------------------------------------------------------------------


def _figures(group) -> Figures | None:
    """A shown group's figures (``aggregation.GroupFigures``); None when not shown."""
    if group is None or not group.shown:
        return None
    return Figures(group.key, group.label, group.n, group.respondents, group.mean, group.sd)


def _group_columns(result) -> tuple[GroupColumn, ...]:
    scores = result.scores
    groups = ([scores.line_manager] if scores.line_manager else []) + list(scores.groups)
    return tuple(GroupColumn(g.key, g.label) for g in groups)


def _row(number, label, scores, columns, statement_id=None) -> "ScoreRow":
    shown = {g.key: _figures(g) for g in (scores.line_manager, *scores.groups) if g}
    return ScoreRow(
        number=number,
        label=label,
        self_score=scores.self_score,
        all_raters=_figures(scores.all_raters),
        groups=tuple(f for f in shown.values() if f is not None),
        gap=scores.gap,
        notes=scores.reasons,
        columns=tuple(shown.get(c.key) for c in columns),
        statement_id=statement_id,
    )


def _quality_section(number, quality_result, columns, theme, scale_min, scale_max):
    quality = quality_result.quality
    statements = tuple(
        _row(
            statement_number(number, place),
            s.statement.text,
            s.scores,
            columns,
            statement_id=s.statement.pk,
        )
        for place, s in enumerate(quality_result.statements, start=1)
    )
    return QualitySection(
        number=number,
        name=quality.name,
        description=quality.description,
        summary=_row(number, quality.name, quality_result.scores, columns),
        statements=statements,
        chart=bar_chart(
            chart_id=f"chart-{theme.slug}-q{number.replace('.', '-')}",
            title=f"{quality.name}: your rating and others' ratings for each statement",
            rows=statements,
            scale_min=scale_min,
            scale_max=scale_max,
            stacked=True,
        ),
        pdf_chart=bar_chart(
            chart_id=f"chart-{theme.slug}-q{number.replace('.', '-')}",
            title=f"{quality.name}: your rating and others' ratings for each statement",
            rows=statements,
            scale_min=scale_min,
            scale_max=scale_max,
            compact=True,
            numbers_only=True,
        ),
    )


def _response_counts(result) -> list[dict]:
    """Responses per group as shown: groups under k appear only inside a pool or All raters."""
    scores = result.scores
    counts = []
    if scores.self_figures is not None:
        counts.append({"label": "You (self-assessment)", "n": scores.self_figures.respondents})
    if scores.line_manager is not None:
        counts.append({"label": "Line manager", "n": scores.line_manager.respondents})
    counts.extend({"label": g.label, "n": g.respondents} for g in scores.groups if g.shown)
    if scores.all_raters.shown:
        counts.append(
            {
                "label": "All raters (everyone except you)",
                "n": scores.all_raters.respondents,
                "total": True,
            }
        )
    return counts


def _highlights(result, rows) -> tuple["Highlight", ...]:
    """The insights of the theme, each statement shown with its row's number and text."""
    found = report_insights(report=result)
    k = result.threshold
    sections = (
        (
            "highest",
            "Highest rated",
            "The statements others rated highest, clearly above the rest.",
            "No statement stands out above the others: their averages are too close.",
        ),
        (
            "lowest",
            "Lowest rated",
            "The statements others rated lowest, clearly below the rest: places to look for "
            "development.",
            "No statement stands out below the others: their averages are too close.",
        ),
        (
            "blind_spots",
            "Possible blind spots",
            f"You rated yourself clearly higher than "
            f"others did: by at least {MIN_GAP} and by more than the uncertainty of others' "
            "average.",
            "No statement where you rated yourself clearly higher than others did.",
        ),
        (
            "hidden_strengths",
            "Hidden strengths",
            f"Others rated you clearly higher than you "
            f"rated yourself: by at least {MIN_GAP} and by more than the uncertainty of their "
            "average.",
            "No statement where others rated you clearly higher than you did.",
        ),
        (
            "low_agreement",
            "Where raters disagree",
            f"Ratings were widely spread (a spread "
            f"of {LOW_AGREEMENT_SD} or more, from at least {k} raters): different people see "
            "different things. It may be worth asking why.",
            "Raters broadly agreed on every statement.",
        ),
        (
            "hard_to_observe",
            "Hard to observe",
            f"At least "
            f"{int(HARD_TO_OBSERVE_SHARE * 100)}% of raters answered \u201cNot observed\u201d: "
            "these behaviours may not be visible to the people you work with.",
            "Most raters could observe every statement.",
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
                if i.item.statement.pk in rows
            ),
            empty_text=empty,
        )
        for key, title, explanation, empty in sections
    )


def _response_notes(result) -> list[str]:
    """How groups not shown on their own were treated, in the aggregation's words."""
    alone = {p.note for p in result.placements if p.how == "alone"}
    return [note for note in result.notes if note not in alone]
