"""When a leader may read their reports: releasing, reopening, and redacting comments first.

Reports freeze when released (PRODUCT.md, promise 6): a released assessment's ready reports
are not rendered again (``reports.services.reports_frozen``), and nothing that would change
them is accepted — a comment is redacted before release, or after an audited reopen, which
withdraws the reports from the leader, regenerates them and waits for a new release.

Who releases: an on-close programme is released at its close (``programme_reports_release``
from ``programme_close``); in a facilitator-released programme each leader's facilitator (or
a programme admin) releases after the debrief (``assessment_reports_release``), and an admin
may release every remaining report at once. Every release and reopen is audited.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record, person_ref
from accounts.models import AuditAction, User
from assessments.models import Assessment, Programme, RaterGroup, ThemeComment

from .models import ThemeReport
from .services import (
    report_is_released,
    reports_generate,
    reports_refuse_if_purged,
    theme_report_statuses,
)
from .versions import version_changed, versions_release

REOPEN_REASON_MAX_LENGTH = 1000


def nothing_to_report(*, assessment: Assessment) -> str:
    """Why a report would say nothing (no self-assessment and no rater feedback), or ""."""
    from assessments.models import Response

    if Response.objects.filter(assessment=assessment, held=False).exists():
        return ""
    return (
        f"There is nothing to release for {assessment.leader.full_name}: there is no "
        "self-assessment and no feedback from raters. Reports need at least one of them."
    )


def _assessment_lock(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("programme__framework", "leader")
        .get(pk=assessment.pk)
    )


def assessment_reports_releasable(*, assessment: Assessment) -> str:
    """Why the reports cannot be released now, or "" when they can."""
    if not assessment.programme.is_closed:
        return "Reports can be released once the programme has closed."
    if report_is_released(assessment=assessment) and not version_changed(assessment=assessment):
        return f"{assessment.leader.full_name}'s reports are already released."
    nothing = nothing_to_report(assessment=assessment)
    if nothing:
        return nothing
    if not all(theme.ready for theme in theme_report_statuses(assessment=assessment)):
        return (
            "Every theme report must be ready before the reports are released. Generate them, "
            "and release them once they are ready."
        )
    return ""


def assessment_reports_release(*, assessment: Assessment, by: User, now=None) -> Assessment:
    """Let the leader read their reports, from now on frozen. Refused before the programme
    closes, when already released, or while any theme report is not ready. When the last
    leader of a facilitator-released programme is released, so is the programme (its
    retention period starts)."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = _assessment_lock(assessment)
        refusal = assessment_reports_releasable(assessment=assessment)
        if refusal:
            raise ValidationError(refusal)
        Assessment.objects.filter(pk=assessment.pk).update(released_at=now)
        assessment.released_at = now
        versions_release(assessment=assessment, now=now)
        programme = assessment.programme
        audit_record(
            actor=by,
            action=AuditAction.RELEASED,
            programme=programme,
            obj=assessment,
            detail={"leader": person_ref(assessment.leader)},
        )
        if not programme.assessments.filter(released_at__isnull=True).exists():
            Programme.objects.filter(pk=programme.pk, released_at__isnull=True).update(
                released_at=now
            )
    return assessment


def programme_reports_release(*, programme: Programme, by: User | None, now=None) -> bool:
    """Release every leader's reports, reopened ones included. Called at the close of an
    on-close programme, and by an admin for a facilitator-released one. False if the
    programme was released already (and no reopened report was waiting)."""
    now = now or timezone.now()
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        if not programme.is_closed:
            raise ValidationError("Reports can be released once the programme has closed.")
        stamped = Programme.objects.filter(pk=programme.pk, released_at__isnull=True).update(
            released_at=now
        )
        reopened = programme.assessments.filter(
            released_at__isnull=True, reopened_at__isnull=False
        ).update(released_at=now)
        # A version for each leader whose reports changed since they were last released
        # (the first release, or late responses admitted after a reopen).
        versions = sum(
            versions_release(assessment=assessment, now=now) is not None
            for assessment in programme.assessments.select_related("programme__framework")
            if not nothing_to_report(assessment=assessment)
        )
        if not (stamped or reopened or versions):
            return False
        audit_record(
            actor=by,
            action=AuditAction.RELEASED,
            programme=programme,
            obj=programme,
            detail={
                "mode": programme.get_release_mode_display(),
                "reopened": reopened,
                "versions": versions,
            },
        )
    programme.refresh_from_db()
    return True


def assessment_reports_reopen(
    *, assessment: Assessment, by: User, reason: str
) -> list[ThemeReport]:
    """Withdraw released reports from the leader so they can change, and regenerate them.

    The reason is kept in the audit log. The leader reads them again once they are released
    again. Refused for a purged programme: its raw data is gone, so nothing can be rendered.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the reports are being reopened"})
    if len(reason) > REOPEN_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"The reason must be {REOPEN_REASON_MAX_LENGTH} characters or fewer"}
        )
    with transaction.atomic():
        assessment = _assessment_lock(assessment)
        reports_refuse_if_purged(programme=assessment.programme)
        if not report_is_released(assessment=assessment):
            raise ValidationError(
                f"{assessment.leader.full_name}'s reports have not been released, so there is "
                "nothing to reopen: they can be changed and generated now."
            )
        now = timezone.now()
        Assessment.objects.filter(pk=assessment.pk).update(released_at=None, reopened_at=now)
        assessment.released_at, assessment.reopened_at = None, now
        audit_record(
            actor=by,
            action=AuditAction.REOPENED,
            programme=assessment.programme,
            obj=assessment,
            detail={"leader": person_ref(assessment.leader), "reason": reason},
        )
        return reports_generate(assessment=assessment)


# Comments -------------------------------------------------------------------------------


def comments_for_review(*, assessment: Assessment):
    """Raters' comments on the assessment, theme by theme. Not the leader's own, and
    nothing that says which rater group wrote one or when."""
    return (
        ThemeComment.objects.filter(response__assessment=assessment)
        .exclude(response__rater_group=RaterGroup.SELF)
        .select_related("theme")
        .only("pk", "text", "redacted_at", "theme__name", "theme__order", "theme__slug")
    )


def theme_comment_redact(*, comment: ThemeComment, by: User) -> bool:
    """Take a comment out of the reports, before they are released. Reports already
    generated are generated again without it. False if it was redacted already."""
    with transaction.atomic():
        comment = (
            ThemeComment.objects.select_for_update(of=("self",))
            .select_related("response__assessment__programme", "response__assessment__leader")
            .select_related("theme")
            .get(pk=comment.pk)
        )
        assessment = comment.response.assessment
        if report_is_released(assessment=assessment):
            raise ValidationError(
                f"{assessment.leader.full_name}'s reports have been released, so they no "
                "longer change. Reopen them first to redact a comment."
            )
        if comment.redacted_at is not None:
            return False
        ThemeComment.objects.filter(pk=comment.pk).update(redacted_at=timezone.now())
        audit_record(
            actor=by,
            action=AuditAction.COMMENT_REDACTED,
            programme=assessment.programme,
            obj=comment,
            detail={"leader": person_ref(assessment.leader), "theme": comment.theme.name},
        )
        if ThemeReport.objects.filter(assessment=assessment).exists():
            reports_generate(assessment=assessment)
    return True
