"""One rater's invitation, after it is sent: programme admins' actions on it (resend,
reissue, revoke), and how far a leader's raters have got.

What a leader may see of the progress is decided here, not in templates: counts per rater
group, never a name against a state, except for the line manager, whose ratings are
shown as theirs anyway (PRODUCT.md, promise 1).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.audit import audit_record, person_ref, rater_ref
from accounts.emails import email_queue
from accounts.models import AuditAction, User

from ..models import Assessment, Draft, Invitation, RaterGroup, Response
from .nominations import invitation_new_link

State = Invitation.State


def invitation_resend(*, invitation: Invitation, by: User) -> None:
    """Email the same link again."""
    with transaction.atomic():
        invitation = _invitation_lock(invitation)
        _link_usable(invitation)
        email_queue(
            kind="rater_invitation", to=invitation.email, context={"invitation_id": invitation.pk}
        )


def invitation_reissue(*, invitation: Invitation, by: User) -> None:
    """A new link, emailed; the old link stops working. Saved answers are kept."""
    with transaction.atomic():
        invitation = _invitation_lock(invitation)
        _link_usable(invitation)
        invitation_new_link(invitation)
        invitation.save(update_fields=["token_nonce", "token_hash"])
        email_queue(
            kind="rater_invitation", to=invitation.email, context={"invitation_id": invitation.pk}
        )
        _audit(invitation, by=by, action=AuditAction.INVITATION_REISSUED)


def invitation_revoke(*, invitation: Invitation, by: User) -> None:
    """Withdraw an invitation: its link dies and its saved answers are deleted.
    A submitted response is sealed and unlinkable, so it cannot be revoked."""
    with transaction.atomic():
        invitation = _invitation_lock(invitation)
        if invitation.state not in (State.NOMINATED, State.INVITED, State.STARTED):
            raise ValidationError(
                f"{invitation.name}'s invitation cannot be revoked: it is "
                f"{invitation.get_state_display().lower()}."
            )
        invitation.state = State.REVOKED
        invitation.revoked_at = timezone.now()
        invitation.token_nonce = ""
        # The hash stays so the old link can say plainly that it was withdrawn (410); without
        # the nonce no one, not even a resend, can rebuild the link.
        invitation.save(update_fields=["state", "revoked_at", "token_nonce"])
        Draft.objects.filter(invitation=invitation).delete()
        _audit(invitation, by=by, action=AuditAction.INVITATION_REVOKED)


def _audit(invitation: Invitation, *, by: User, action: AuditAction) -> None:
    assessment = invitation.assessment
    audit_record(
        actor=by,
        action=action,
        programme=assessment.programme,
        obj=invitation,
        detail={"rater": rater_ref(invitation), "leader": person_ref(assessment.leader)},
    )


def _invitation_lock(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("assessment__programme", "assessment__leader")
        .get(pk=invitation.pk)
    )


def _link_usable(invitation: Invitation) -> None:
    if invitation.assessment.programme.is_closed:
        raise ValidationError("The programme has closed: no more links can be sent.")
    if not invitation.is_open:
        raise ValidationError(
            f"{invitation.name} has no link to send: their invitation is "
            f"{invitation.get_state_display().lower()}."
        )


# Progress -----------------------------------------------------------------------------


class SelfAssessmentState:
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    SUBMITTED = "Submitted"


def self_assessment_state(*, assessment: Assessment) -> str:
    if Response.objects.filter(assessment=assessment, rater_group=RaterGroup.SELF).exists():
        return SelfAssessmentState.SUBMITTED
    if Draft.objects.filter(assessment=assessment, invitation__isnull=True).exists():
        return SelfAssessmentState.IN_PROGRESS
    return SelfAssessmentState.NOT_STARTED


@dataclass(frozen=True)
class GroupProgress:
    """How far one rater group has got. ``invited`` counts everyone sent a link."""

    group: RaterGroup
    invited: int = 0
    started: int = 0
    submitted: int = 0
    declined: int = 0

    @property
    def label(self) -> str:
        return self.group.label

    @property
    def not_started(self) -> int:
        return self.invited - self.started - self.submitted - self.declined


def rater_progress(*, assessment: Assessment) -> list[GroupProgress]:
    """Counts per rater group and state, for every group, in one query."""
    counts: dict[str, dict[str, int]] = {}
    rows = (
        assessment.invitations.filter(
            state__in=[State.INVITED, State.STARTED, State.SUBMITTED, State.DECLINED]
        )
        .values_list("rater_group", "state")
        .annotate(n=Count("pk"))
        .values_list("rater_group", "state", "n")
    )
    for group, state, n in rows:
        counts.setdefault(group, {})[state] = n
    progress = []
    for group in RaterGroup.nominable():
        by_state = counts.get(group.value, {})
        progress.append(
            GroupProgress(
                group=group,
                invited=sum(by_state.values()),
                started=by_state.get(State.STARTED, 0),
                submitted=by_state.get(State.SUBMITTED, 0),
                declined=by_state.get(State.DECLINED, 0),
            )
        )
    return progress


def raters_in_group_order(*, assessment: Assessment, include_revoked=False) -> list[Invitation]:
    """The leader's raters as pages list them: line manager, peers, direct reports, others."""
    order = {group.value: n for n, group in enumerate(RaterGroup)}
    raters = assessment.invitations.all()
    if not include_revoked:
        raters = raters.exclude(state=State.REVOKED)
    return sorted(raters, key=lambda r: (order.get(r.rater_group, 99), r.name.lower(), r.pk))


def line_managers_with_state(*, assessment: Assessment) -> list[Invitation]:
    """The one group whose names a leader may see against their state."""
    return list(
        assessment.invitations.filter(rater_group=RaterGroup.LINE_MANAGER)
        .exclude(state=State.REVOKED)
        .order_by("name")
    )
