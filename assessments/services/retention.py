"""Retention: a programme's raw data is deleted ``retention_days`` after its release.

Deleted: every rating, comment and draft, raters' names, emails and decline reasons (the
invitation rows stay, blanked, so the counts of invited, submitted and declined raters
stay right), the emails queued or sent to raters, and raters' names in the audit log.
Kept: the programme, its assessments, the sealed responses (a rater group and a day, no
ratings: they carry the response counts), the leaders' accounts, and the released theme
report PDFs — which can no longer be regenerated, so the programme is marked purged and
``reports_generate`` refuses it.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditAction, OutboxEmail

from ..audit import audit_redact_raters
from ..models import Draft, Invitation, Programme, Rating, ThemeComment
from ..signals import programme_purging

log = logging.getLogger(__name__)

ERASED_RATER_NAME = "Erased rater"
ERASED_EMAIL_DOMAIN = "invalid"  # RFC 2606: a name that can never receive mail


def programmes_due_for_purge(*, now=None) -> list[Programme]:
    """Released programmes whose retention period has ended, not yet purged."""
    now = now or timezone.now()
    candidates = Programme.objects.filter(
        Q(released_at__isnull=False)
        | Q(release_mode=Programme.ReleaseMode.ON_CLOSE, closes_at__lte=now)
        | Q(release_mode=Programme.ReleaseMode.ON_CLOSE, closed_at__isnull=False),
        purged_at__isnull=True,
    )
    due = [p for p in candidates if released_on(p) + timedelta(days=p.retention_days) <= now]
    return sorted(due, key=lambda p: (released_on(p), p.pk))


def released_on(programme: Programme):
    """When the retention period starts: the release, or for a programme that releases on
    close, its close (if the release was not stamped, say because its mode changed)."""
    return programme.released_at or programme.effective_close


def retention_purge(*, now=None) -> list[int]:
    """Purge every programme past its retention period, each in its own transaction, and
    audit each. Returns the ids of the programmes purged."""
    now = now or timezone.now()
    purged = []
    for programme in programmes_due_for_purge(now=now):
        if programme_purge(programme=programme, now=now):
            purged.append(programme.pk)
    return purged


def programme_purge(*, programme: Programme, now=None) -> dict | None:
    """Delete one programme's raw data (see the module's docstring). Returns what was
    deleted, or None if another run purged it first."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Programme.objects.select_for_update().filter(pk=programme.pk, purged_at__isnull=True)
        ).first()
        if locked is None:
            return None
        programme = locked
        invitations = Invitation.objects.filter(assessment__programme=programme)
        audit_redact_raters(invitations=invitations)
        invitation_ids = list(invitations.values_list("pk", flat=True))
        deleted = {
            "ratings": Rating.objects.filter(response__assessment__programme=programme).delete()[0],
            "comments": ThemeComment.objects.filter(
                response__assessment__programme=programme
            ).delete()[0],
            "drafts": Draft.objects.filter(assessment__programme=programme).delete()[0],
            "emails": OutboxEmail.objects.filter(
                context__invitation_id__in=invitation_ids
            ).delete()[0],
            "raters": invitations_blank(invitations=invitations),
        }
        # Each app purges its own data (reports: a report not rendered by now never will be).
        programme_purging.send(sender=Programme, programme=programme, now=now)
        Programme.objects.filter(pk=programme.pk).update(purged_at=now)
        audit_record(
            actor=None,
            action=AuditAction.RETENTION_PURGED,
            programme=programme,
            obj=programme,
            detail={
                "deleted": deleted,
                "released_at": released_on(programme).isoformat(),
                "retention_days": programme.retention_days,
            },
        )
    log.info("Purged the raw data of programme %s: %s", programme.pk, deleted)
    return deleted


def invitations_blank(*, invitations) -> int:
    """Remove raters' names, emails, decline reasons and link nonces; keep the rows (their
    group and state are the response-rate counts). Each email becomes a distinct address
    that cannot receive mail, so the one-live-invitation-per-email rule still holds."""
    return invitations.update(
        name=ERASED_RATER_NAME,
        email=Concat(Value("erased-"), Cast("pk", CharField()), Value(f"@{ERASED_EMAIL_DOMAIN}")),
        decline_reason="",
        token_nonce="",
    )
