"""The rows of a cohort export, taken from each leader's aggregation result.

Every figure comes from ``reports.aggregation.assessment_report``: what a leader's report
shows is exported, what it withholds is left empty with the report's own reason, and
nothing is recomputed from raw ratings (PRODUCT.md, promise 7). Values stay at full
precision here (``Decimal``); the writers in ``tabular`` decide how to print them.

Long format (``long_rows``): one row per leader x statement x displayed group, the groups
in the report's order - All raters, Line manager, each displayed group or pool, Self. A
group a leader's report does not show at all (no line manager, no self-assessment, a rater
group only inside All raters) has no row. The gap (self minus All raters) is a property of
the statement, so it is written once, on the All raters row.

Wide summary (``summary_rows``): one row per leader with response rates and, per quality,
All raters' mean, self and gap; the reasons for quality figures not shown in a last column.

Leaders are named, or given a stable pseudonym (``leader_pseudonym``): an HMAC of the
programme and assessment ids under the server's secret key, the same in every export of a
programme and unguessable without the key. Anonymised exports are ordered by pseudonym, so
that the order of rows does not follow the leaders' names either.
"""

import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from assessments.models import Programme
from assessments.selectors import programme_assessments
from framework.models import ScalePoint

from ..aggregation import AssessmentReport, Scores, assessment_reports
from ..numbering import quality_number, statement_number
from ..selectors import framework_statements

PSEUDONYM_LENGTH = 6  # hex digits: about 1 in 160,000 for a clash in a cohort of 100
YES, NO = "yes", "no"

LONG_HEADER = (
    "programme",
    "leader",
    "theme",
    "quality",
    "statement number",
    "statement",
    "group",
    "n",
    "mean",
    "sd",
    "gap (self minus all raters)",
    "not observed",
    "respondents",
    "suppressed",
    "suppression reason",
)


def leader_pseudonym(*, programme_id: int, assessment_id: int, length=PSEUDONYM_LENGTH) -> str:
    """ "Leader 7F3A9C": the same for the same programme and assessment, in every export."""
    message = f"lpc360-cohort-export:{programme_id}:{assessment_id}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"Leader {digest[:length].upper()}"


def leader_pseudonyms(*, programme_id: int, assessment_ids) -> dict[int, str]:
    """A pseudonym per assessment, unique within the programme (a clash gets longer ones)."""
    labels = {
        pk: leader_pseudonym(programme_id=programme_id, assessment_id=pk) for pk in assessment_ids
    }
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    for pk, label in labels.items():
        if seen[label] > 1:
            labels[pk] = leader_pseudonym(programme_id=programme_id, assessment_id=pk, length=16)
    return labels


@dataclass(frozen=True)
class ResponseRate:
    invited: int
    submitted: int
    declined: int
    self_submitted: bool

    @property
    def rate(self) -> Decimal | None:
        """Submitted as a percentage of invited, at full precision; None with nobody invited."""
        if not self.invited:
            return None
        return Decimal(100 * self.submitted) / Decimal(self.invited)


@dataclass(frozen=True)
class LeaderResult:
    label: str  # the leader's name, or their pseudonym
    report: AssessmentReport
    rates: ResponseRate


@dataclass(frozen=True)
class QualityInfo:
    pk: int
    number: str  # "1.2": theme order, then the quality's place in the theme
    name: str
    theme: str


@dataclass(frozen=True)
class CohortData:
    """Everything a cohort export is drawn from, built once per export."""

    programme: Programme
    as_of: datetime
    named: bool
    k: int
    leaders: tuple[LeaderResult, ...]
    qualities: tuple[QualityInfo, ...]
    statements: tuple  # the framework's statements in report order, quality and theme loaded
    statement_numbers: dict  # statement id -> "1.2.3"
    scale: tuple[int, int]  # the lowest and highest scored scale points

    @property
    def programme_name(self) -> str:
        return self.programme.name


def cohort_data(
    *, programme, named: bool, on_progress: Callable[[int, int], None] | None = None
) -> CohortData:
    """Each leader's aggregation result, labelled and ordered, with their response rates.

    A fixed number of queries for the programme, plus the aggregation's fixed number per
    chunk of leaders (``assessment_reports``). ``on_progress(done, total)`` is called after
    each leader.
    """
    as_of = timezone.now()
    statements = tuple(framework_statements(framework_id=programme.framework_id))
    qualities, numbers = _numbering(statements)
    # Annotated with the dashboard's counts (invited, submitted, …): see programme_assessments.
    assessments: list[Any] = list(
        programme_assessments(programme=programme).select_related("programme")
    )
    pseudonyms = leader_pseudonyms(
        programme_id=programme.pk, assessment_ids=[a.pk for a in assessments]
    )
    leaders = []
    # One batch of queries per chunk of leaders, not a handful per leader.
    reports = assessment_reports(assessments=assessments)
    for done, (assessment, report) in enumerate(zip(assessments, reports, strict=True), start=1):
        label = assessment.leader.full_name if named else pseudonyms[assessment.pk]
        rates = ResponseRate(
            invited=assessment.invited,
            submitted=assessment.submitted,
            declined=assessment.declined,
            self_submitted=assessment.self_submitted,
        )
        leaders.append(LeaderResult(label, report, rates))
        if on_progress is not None:
            on_progress(done, len(assessments))
    if not named:
        leaders.sort(key=lambda leader: leader.label)
    points = [
        value
        for value in ScalePoint.objects.filter(
            scale__framework_id=programme.framework_id, value__isnull=False
        ).values_list("value", flat=True)
        if value is not None
    ]
    return CohortData(
        programme=programme,
        as_of=as_of,
        named=named,
        k=programme.anonymity_threshold,
        leaders=tuple(leaders),
        qualities=qualities,
        statements=statements,
        statement_numbers=numbers,
        scale=(min(points, default=1), max(points, default=5)),
    )


def _numbering(statements) -> tuple[tuple[QualityInfo, ...], dict]:
    """Qualities and statement numbers as the theme reports print them: 1.2 and 1.2.3
    (``reports.numbering``)."""
    qualities: dict[int, QualityInfo] = {}
    numbers = {}
    per_theme: dict[int, int] = {}
    per_quality: dict[int, int] = {}
    for statement in statements:
        quality = statement.quality
        if quality.pk not in qualities:
            per_theme[quality.theme_id] = per_theme.get(quality.theme_id, 0) + 1
            number = quality_number(quality.theme, per_theme[quality.theme_id])
            qualities[quality.pk] = QualityInfo(
                quality.pk, number, quality.name, quality.theme.name
            )
        per_quality[quality.pk] = per_quality.get(quality.pk, 0) + 1
        numbers[statement.pk] = statement_number(
            qualities[quality.pk].number, per_quality[quality.pk]
        )
    return tuple(qualities.values()), numbers


# Long format --------------------------------------------------------------------------------


def group_rows(scores: Scores) -> Iterator[tuple]:
    """(group, n, mean, sd, gap, not observed, respondents, suppressed, reason) per group the
    report shows for one scope, in the report's order. Hidden figures are None."""
    everyone = scores.all_raters
    yield _group_row(everyone, gap=scores.gap)
    if scores.line_manager is not None:
        yield _group_row(scores.line_manager)
    for group in scores.groups:
        yield _group_row(group)
    own = scores.self_figures
    if own is not None:
        yield ("Self", own.n, own.mean, own.sd, None, own.not_observed, own.respondents, NO, "")


def _group_row(group, gap=None) -> tuple:
    if not group.shown:
        return (group.label, None, None, None, None, None, None, YES, group.reason)
    return (
        group.label,
        group.n,
        group.mean,
        group.sd,
        gap,
        group.not_observed,
        group.respondents,
        NO,
        "",
    )


def long_rows(data: CohortData) -> Iterator[tuple]:
    """The long table's rows (``LONG_HEADER``), leader by leader, statement by statement."""
    for leader in data.leaders:
        for theme in leader.report.themes:
            for quality in theme.qualities:
                for item in quality.statements:
                    statement = item.statement
                    for row in group_rows(item.scores):
                        yield (
                            data.programme_name,
                            leader.label,
                            theme.theme.name,
                            quality.quality.name,
                            data.statement_numbers.get(statement.pk, ""),
                            statement.text,
                            *row,
                        )


# Wide summary -------------------------------------------------------------------------------


def summary_header(data: CohortData) -> tuple:
    header = [
        "leader",
        "invited",
        "submitted",
        "declined",
        "response rate (%)",
        "self-assessment",
    ]
    for quality in data.qualities:
        name = f"{quality.number} {quality.name}"
        header += [f"{name}: all raters", f"{name}: self", f"{name}: gap"]
    header.append("not shown")
    return tuple(header)


def summary_rows(data: CohortData) -> Iterator[tuple]:
    """One row per leader: response rates, then each quality's All raters, self and gap."""
    for leader in data.leaders:
        rates = leader.rates
        row = [
            leader.label,
            rates.invited,
            rates.submitted,
            rates.declined,
            rates.rate,
            "submitted" if rates.self_submitted else "not submitted",
        ]
        by_quality = {q.quality.pk: q.scores for t in leader.report.themes for q in t.qualities}
        hidden: dict[str, list[str]] = {}
        for quality in data.qualities:
            scores = by_quality.get(quality.pk)
            if scores is None:
                row += [None, None, None]
                continue
            row += [scores.all_raters.mean, scores.self_score, scores.gap]
            if not scores.all_raters.shown:
                hidden.setdefault(scores.all_raters.reason, []).append(quality.number)
        row.append(
            "; ".join(
                f"{reason} (qualities {', '.join(numbers)})" for reason, numbers in hidden.items()
            )
        )
        yield tuple(row)
