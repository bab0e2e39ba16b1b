"""Report versions: released means frozen, and no version can be differenced against another.

PRODUCT.md, promises 6 and 8. A release stamps a ``ReportVersion``: the Responses in it, the
figures it shows and, per theme, the page and PDF as released (filled in once the theme
reports are ready). The leader reads only released versions.

A Response sealed after a leader's first release is *held* (``assessments.services.sealing``
asks ``held_assessments``). Held responses join the reports, in the next version, only
when

- at least k of them came from anonymous raters (or none did: a late line manager is
  identified anyway), so that the comments and figures that appear cannot be pinned on
  fewer than k people; and
- every figure of every version the leader has seen, taken together as if they were one
  report, passes the exact check of ``reports.aggregation.disclosure``: no set of raters
  with 1..k-1 members can be computed by adding and subtracting them (``versions_expose``).

Otherwise they stay held and are counted for the admins (``late_responses_held``).

The check across versions: an anonymous Response's *signature* is its display unit in each
version ("-" where it is absent). Responses with the same signature are in exactly the same
aggregates of every version, so a cell is (signature, statement) and each shown aggregate
of each version is a set of cells; ``exposed_cells`` then decides exactly whether a set of
cells with 1..k-1 people behind it lies in their span, once for who rated and once for who
answered, as for a single report.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import Assessment, RaterGroup, Rating, Response

from .aggregation import assessment_report
from .aggregation.disclosure import ALL, ANONYMOUS_GROUPS, exposed_cells, plan_units
from .models import ReleasedThemeReport, ReportVersion, ThemeReport

log = logging.getLogger(__name__)

IN_ALL_ONLY = "in_all"  # a Response shown only inside All raters
ABSENT = "-"
THEME_BODY_TEMPLATE = "reports/_theme_body.html"


# The shape of a version -----------------------------------------------------------------


def report_shape(*, assessment: Assessment) -> tuple[list[str], dict]:
    """The Responses the reports include now (not held), and what they show: each anonymous
    Response's display unit and every shown aggregate as [row, level, scope id]."""
    included = list(
        Response.objects.filter(assessment=assessment, held=False)
        .exclude(rater_group=RaterGroup.SELF)
        .values_list("pk", "rater_group")
    )
    counts: defaultdict[str, int] = defaultdict(int)
    for _, group in included:
        counts[group] += 1
    plan = plan_units(counts=counts, k=assessment.programme.anonymity_threshold)
    unit_of = {p.group: p.unit for p in plan.placements}
    units = {
        str(pk): unit_of.get(group) or IN_ALL_ONLY
        for pk, group in included
        if group in ANONYMOUS_GROUPS
    }
    shown = []
    report = assessment_report(assessment=assessment)
    for theme in report.themes:
        scopes = [("theme", theme.theme.pk, theme.scores)]
        for quality in theme.qualities:
            scopes.append(("quality", quality.quality.pk, quality.scores))
            scopes += [("statement", s.statement.pk, s.scores) for s in quality.statements]
        for level, scope_id, scores in scopes:
            if scores.all_raters.shown:
                shown.append([ALL, level, scope_id])
            shown += [[g.key, level, scope_id] for g in scores.groups if g.shown]
    everything = [str(pk) for pk, _ in included] + [
        str(pk)
        for pk in Response.objects.filter(
            assessment=assessment, held=False, rater_group=RaterGroup.SELF
        ).values_list("pk", flat=True)
    ]
    return sorted(everything), {"units": units, "shown": shown}


def versions_expose(*, assessment: Assessment, shapes: list[dict]) -> bool:
    """Whether the figures of ``shapes`` (versions), taken together, let someone compute the
    figures of 1..k-1 anonymous raters (see the module docstring)."""
    k = assessment.programme.anonymity_threshold
    people = sorted({pk for shape in shapes for pk in shape["units"]})
    if not people:
        return False
    signature = {pk: tuple(shape["units"].get(pk, ABSENT) for shape in shapes) for pk in people}
    bit = {pk: 1 << i for i, pk in enumerate(people)}
    rated: defaultdict[tuple, int] = defaultdict(int)
    answered: defaultdict[tuple, int] = defaultdict(int)
    for response_id, statement_id, value in Rating.objects.filter(
        response_id__in=people
    ).values_list("response_id", "statement_id", "value"):
        pk = str(response_id)
        cell = (signature[pk], statement_id)
        answered[cell] |= bit[pk]
        if value is not None:
            rated[cell] |= bit[pk]
    statements = _statements_of(assessment)
    theme_of = {s: t for t, _, s in statements}
    in_scope = defaultdict(list)  # (level, scope id) -> its statement ids
    for t, q, s in statements:
        for scope in (("theme", t), ("quality", q), ("statement", s)):
            in_scope[scope].append(s)
    signatures = set(signature.values())
    for theme_id in set(theme_of.values()):
        aggregates = []
        for v, shape in enumerate(shapes):
            members = [sig for sig in signatures if sig[v] != ABSENT]
            for row, level, scope_id in shape["shown"]:
                ids = [s for s in in_scope[(level, scope_id)] if theme_of[s] == theme_id]
                if ids:
                    cells = (sig for sig in members if row == ALL or sig[v] == row)
                    aggregates.append({(sig, s) for sig in cells for s in ids})
        for weights in (rated, answered):
            theme_cells = {c: who for c, who in weights.items() if theme_of[c[1]] == theme_id}
            if exposed_cells(aggregates, theme_cells, k):
                return True
    return False


def _statements_of(assessment) -> list[tuple[int, int, int]]:
    from framework.models import Statement

    return list(
        Statement.objects.filter(
            quality__theme__framework_id=assessment.programme.framework_id
        ).values_list("quality__theme_id", "quality_id", "pk")
    )


# Late responses ---------------------------------------------------------------------------


def held_assessments(assessment_ids: set[int]) -> set[int]:
    """Of ``assessment_ids``, those whose leader has been shown a version: Responses sealed
    for them from now on are held (registered with the sealing service)."""
    return set(
        ReportVersion.objects.filter(assessment_id__in=assessment_ids).values_list(
            "assessment_id", flat=True
        )
    )


@dataclass(frozen=True)
class Held:
    """Late responses held back from a leader's reports, as the admins see them."""

    count: int  # anonymous raters' responses held
    k: int
    blocked: bool  # k or more, but adding them would still single someone out

    @property
    def text(self) -> str:
        if not self.count:
            return ""
        noun = "response" if self.count == 1 else "responses"
        if self.blocked:
            return (
                f"{self.count} late {noun} held: adding them would let the leader work out "
                "individual answers by comparing with the reports already released"
            )
        return f"{self.count} late {noun} held until {self.k} have arrived"


def late_responses_held(*, assessment: Assessment) -> Held:
    count = Response.objects.filter(
        assessment=assessment, held=True, rater_group__in=ANONYMOUS_GROUPS
    ).count()
    k = assessment.programme.anonymity_threshold
    return Held(count=count, k=k, blocked=count >= k)


def late_responses_admit(*, assessment: Assessment) -> bool:
    """Let held Responses into the reports if that singles no one out. True if admitted."""
    with transaction.atomic():
        held = Response.objects.filter(assessment=assessment, held=True)
        if not held.exists():
            return False
        anonymous = held.filter(rater_group__in=ANONYMOUS_GROUPS).count()
        k = assessment.programme.anonymity_threshold
        if 0 < anonymous < k:
            return False
        shapes = list(
            ReportVersion.objects.filter(assessment=assessment).values_list("shown", flat=True)
        )
        ids = list(held.values_list("pk", flat=True))
        savepoint = transaction.savepoint()
        Response.objects.filter(pk__in=ids).update(held=False)
        _, candidate = report_shape(assessment=assessment)
        if versions_expose(assessment=assessment, shapes=[*shapes, candidate]):
            transaction.savepoint_rollback(savepoint)
            log.info("Held %d late responses of assessment %s", len(ids), assessment.pk)
            return False
        transaction.savepoint_commit(savepoint)
        return True


# Releasing and reading ---------------------------------------------------------------------


def version_changed(*, assessment: Assessment) -> bool:
    """Whether the reports now include Responses the latest version does not (or there is
    no version yet): a release would make a new version."""
    latest = versions_latest(assessment=assessment, filled=False)
    if latest is None:
        return True
    current = sorted(
        str(pk)
        for pk in Response.objects.filter(assessment=assessment, held=False).values_list(
            "pk", flat=True
        )
    )
    return current != sorted(latest.responses)


def versions_release(*, assessment: Assessment, now=None) -> ReportVersion | None:
    """Stamp a new version of the assessment's reports, if they changed since the last."""
    now = now or timezone.now()
    with transaction.atomic():
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        if not version_changed(assessment=assessment):
            return None
        responses, shown = report_shape(assessment=assessment)
        number = (
            ReportVersion.objects.filter(assessment=assessment).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        version = ReportVersion.objects.create(
            assessment=assessment,
            number=number,
            released_at=now,
            responses=responses,
            shown=shown,
        )
    version_fill(version=version)
    return version


def version_fill(*, version: ReportVersion) -> bool:
    """Copy the release's theme reports into the version, once all are ready and drawn from
    exactly the version's data. True once filled."""
    from .report_context import theme_report_content
    from .summary import summary_snapshot, summary_store

    if version.filled_at is not None:
        return True
    assessment = Assessment.objects.select_related("programme__framework", "leader").get(
        pk=version.assessment_id
    )
    themes = list(assessment.programme.framework.themes.order_by("order"))
    ready = {
        r.theme_id: r
        for r in ThemeReport.objects.filter(assessment=assessment, status=ThemeReport.Status.READY)
    }
    snapshots = []
    for theme in themes:
        report = ready.get(theme.pk)
        if report is None or not report.file:
            return False
        content = theme_report_content(assessment=assessment, theme=theme)
        if content.inputs_hash != report.inputs_hash:
            return False
        html = render_to_string(THEME_BODY_TEMPLATE, content.context)
        with report.file.open("rb") as handle:
            pdf = handle.read()
        snapshots.append((theme, html, pdf))
    summary = summary_snapshot(assessment=assessment)  # the summary is frozen with them
    with transaction.atomic():
        filled = ReportVersion.objects.select_for_update().get(pk=version.pk)
        if filled.filled_at is not None:
            return True
        for theme, html, pdf in snapshots:
            released = ReleasedThemeReport(version=filled, theme=theme, html=html)
            released.file.save(f"{theme.slug}.pdf", ContentFile(pdf), save=False)
            released.save()
        summary_store(version=filled, snapshot=summary)
        ReportVersion.objects.filter(pk=version.pk).update(filled_at=timezone.now())
    version.filled_at = timezone.now()
    return True


def versions_fill_pending(*, assessment_id: int) -> None:
    """After a theme report is rendered: fill the versions that were waiting for it."""
    for version in ReportVersion.objects.filter(
        assessment_id=assessment_id, filled_at__isnull=True
    ):
        version_fill(version=version)


def versions_latest(*, assessment: Assessment, filled: bool = True) -> ReportVersion | None:
    versions = ReportVersion.objects.filter(assessment=assessment)
    if filled:
        versions = versions.filter(filled_at__isnull=False)
    return versions.order_by("-number").first()


def released_theme(*, assessment: Assessment, theme) -> ReleasedThemeReport | None:
    """The theme as the leader was last given it; None before the first release is ready."""
    version = versions_latest(assessment=assessment)
    if version is None:
        return None
    return ReleasedThemeReport.objects.filter(version=version, theme=theme).first()


def versions_follow_reseal(sender, *, mapping, **kwargs) -> None:
    """Sealing rewrote Responses with new ids: keep the versions' lists pointing at them."""
    old = {str(a): str(b) for a, b in mapping.items()}
    assessment_ids = set(
        Response.objects.filter(pk__in=list(mapping.values())).values_list(
            "assessment_id", flat=True
        )
    )
    for version in ReportVersion.objects.filter(assessment_id__in=assessment_ids):
        version.responses = sorted(old.get(pk, pk) for pk in version.responses)
        units = version.shown.get("units", {})
        version.shown["units"] = {old.get(pk, pk): unit for pk, unit in units.items()}
        version.save(update_fields=["responses", "shown"])


@dataclass(frozen=True)
class ReleasedThemeStatus:
    """One theme as the leader's list shows it (the shape of ``ThemeReportStatus``)."""

    theme: object
    ready: bool
    pending: bool

    @property
    def status(self) -> str:
        return "ready" if self.ready else "queued" if self.pending else ""

    @property
    def label(self) -> str:
        if self.ready:
            return "Ready"
        return "Being prepared" if self.pending else "Not released yet"


def leader_theme_statuses(*, assessment: Assessment) -> tuple[list, bool, bool]:
    """The leader's themes, whether a version can be read, and whether one is being
    prepared (released, its theme reports not all ready yet)."""
    latest = versions_latest(assessment=assessment)
    pending = ReportVersion.objects.filter(assessment=assessment, filled_at__isnull=True).exists()
    themes = assessment.programme.framework.themes.order_by("order")
    statuses = [
        ReleasedThemeStatus(theme=theme, ready=latest is not None, pending=pending and not latest)
        for theme in themes
    ]
    return statuses, latest is not None, pending


def versions_backfill(*, assessment: Assessment) -> ReportVersion | None:
    """Reports released before versions existed: their first version, from the same data."""
    from .services import reports_frozen

    if (
        assessment.programme.closed_at is None
        or ReportVersion.objects.filter(assessment=assessment).exists()
        or not reports_frozen(assessment=assessment)
    ):
        return None
    released = assessment.released_at or assessment.programme.released_at
    return versions_release(assessment=assessment, now=released)
