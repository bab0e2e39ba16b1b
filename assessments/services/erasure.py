"""Erasure on request (GDPR): a leader, or a rater.

A leader: their account is anonymised (never deleted: the audit log points at it), their
assessments are deleted with everything in them — nominations, drafts, every response and
rating about them, their theme reports and the PDF files — and so are the emails queued or
sent to them or about them. A programme admin may erase only a leader whose every
assessment is in a programme they run, and never someone who runs or supports programmes.

A rater: their invitation keeps its group and state (the leader's response counts) but
loses their name, email and decline reason; an open link is revoked and a saved draft
deleted. A response they submitted cannot be found: responses are not linked to raters,
by design (PRODUCT.md, promise 5), so it stays in the leader's reports, unattributed.

Either way the audit log is redacted, not broken: the events naming the person keep their
place with the name and email replaced, and the erasure itself is audited.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import (
    audit_record,
    audit_redact_person,
    person_ref,
    rater_ref,
)
from accounts.models import AuditAction, OutboxEmail, User

from ..access import programmes_administered_by
from ..audit import audit_redact_raters
from ..models import Assessment, Draft, Invitation, Response
from ..signals import leader_erasing
from .retention import ERASED_EMAIL_DOMAIN, ERASED_RATER_NAME

ERASED_LEADER_NAME = "Erased leader"
State = Invitation.State


def leader_erasure_refusal(*, assessment: Assessment, by: User) -> str:
    """Why ``by`` cannot erase this leader, or "" when they can."""
    leader = assessment.leader
    if leader.pk == by.pk:
        return "You cannot erase your own account."
    if (
        leader.is_staff
        or leader.is_superuser
        or leader.administered_programmes.exists()
        or leader.facilitated_programmes.exists()
    ):
        return (
            f"{leader.full_name} also runs or supports programmes, so their account cannot be "
            "erased here. Ask a site administrator."
        )
    elsewhere = (
        leader.assessments.exclude(programme__in=programmes_administered_by(by))
        .values("programme")
        .distinct()
        .count()
    )
    if elsewhere:
        return (
            f"{leader.full_name} also takes part in {elsewhere} programme"
            f"{'s' if elsewhere > 1 else ''} you do not run. Ask a site administrator, who "
            "can erase them from every programme."
        )
    return ""


def leader_erase(*, assessment: Assessment, by: User) -> dict:
    """Erase the leader of ``assessment`` from LPC 360 (see the module's docstring).
    Returns what was deleted."""
    with transaction.atomic():
        assessment = Assessment.objects.select_related("leader", "programme").get(pk=assessment.pk)
        refusal = leader_erasure_refusal(assessment=assessment, by=by)
        if refusal:
            raise ValidationError(refusal)
        leader = User.objects.select_for_update().get(pk=assessment.leader_id)
        assessments = list(
            Assessment.objects.select_for_update(of=("self",))
            .filter(leader=leader)
            .select_related("programme")
        )
        invitations = Invitation.objects.filter(assessment__in=assessments)
        audit_redact_raters(invitations=invitations)
        audit_redact_person(user=leader)

        deleted = {
            "user_id": leader.pk,
            "assessments": len(assessments),
            "responses": Response.objects.filter(assessment__in=assessments).count(),
            "raters": invitations.count(),
        }
        # Each app erases its own rows about these assessments (reports: theme reports and
        # their PDF files) before the assessments go.
        for _receiver, counts in leader_erasing.send(
            sender=Assessment, assessments=assessments, leader=leader
        ):
            if isinstance(counts, dict):
                deleted.update(counts)
        deleted["emails"] = _emails_delete(leader, assessments, invitations)
        Assessment.objects.filter(pk__in=[a.pk for a in assessments]).delete()
        _account_anonymise(leader)
        for programme in {a.programme_id: a.programme for a in assessments}.values():
            audit_record(
                actor=by,
                action=AuditAction.LEADER_ERASED,
                programme=programme,
                obj=leader,
                detail=deleted,
            )
    return deleted


def _emails_delete(leader, assessments, invitations) -> int:
    return OutboxEmail.objects.filter(
        Q(to__iexact=leader.email)
        | Q(context__user_id=leader.pk)
        | Q(context__assessment_id__in=[a.pk for a in assessments])
        | Q(context__invitation_id__in=list(invitations.values_list("pk", flat=True)))
    ).delete()[0]


def _account_anonymise(user: User) -> None:
    """No name, no email, no password, no roles, no sign-in records; switched off."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()
    user.email = f"erased-{user.pk}@{ERASED_EMAIL_DOMAIN}"
    user.full_name = ERASED_LEADER_NAME
    user.set_unusable_password()
    user.is_active = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def rater_is_erased(invitation: Invitation) -> bool:
    return invitation.email.endswith(f"@{ERASED_EMAIL_DOMAIN}")


def rater_erase(*, invitation: Invitation, by: User) -> Invitation:
    """Erase one rater's details (see the module's docstring)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("assessment__programme", "assessment__leader")
            .get(pk=invitation.pk)
        )
        if rater_is_erased(invitation):
            raise ValidationError("This rater's details have already been erased.")
        audit_redact_raters(invitations=[invitation])
        was = invitation.get_state_display()
        OutboxEmail.objects.filter(context__invitation_id=invitation.pk).delete()
        Draft.objects.filter(invitation=invitation).delete()
        fields = ["name", "email", "decline_reason", "token_nonce"]
        if invitation.state in (State.NOMINATED, State.INVITED, State.STARTED):
            invitation.state, invitation.revoked_at = State.REVOKED, timezone.now()
            fields += ["state", "revoked_at"]
        invitation.name = ERASED_RATER_NAME
        invitation.email = f"erased-{invitation.pk}@{ERASED_EMAIL_DOMAIN}"
        invitation.decline_reason = ""
        invitation.token_nonce = ""
        invitation.save(update_fields=fields)
        assessment = invitation.assessment
        audit_record(
            actor=by,
            action=AuditAction.RATER_ERASED,
            programme=assessment.programme,
            obj=invitation,
            detail={
                "rater": rater_ref(invitation),
                "leader": person_ref(assessment.leader),
                "state": was,
            },
        )
    return invitation
