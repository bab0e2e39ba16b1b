"""The emails about programmes, assessments and raters, registered with accounts' one email
builder (``accounts.emails.message``) when this module is imported by
``AssessmentsConfig.ready()``: accounts sends them without importing assessments.
"""

from django.urls import reverse

from accounts.emails import (
    MessageNotNeeded,
    days_left_text,
    email_user,
    link_validity,
    message,
    set_password_url,
    site_link,
    uk_time,
)
from accounts.models import User
from accounts.names import greeting_name
from accounts.oidc import password_signin_enabled

from .models import Assessment, Invitation, Programme, RaterGroup
from .rater_groups import group_wording
from .services.reminders import leader_outstanding
from .tokens import token_from_nonce

MINUTES_TO_COMPLETE = 15

# Account emails about a programme -------------------------------------------------------


def _programme_context(context) -> dict:
    programme = Programme.objects.filter(pk=context.get("programme_id")).first()
    if programme is None:
        raise MessageNotNeeded("the programme no longer exists")
    added_by = User.objects.filter(pk=context.get("added_by_id")).first()
    return {
        "programme": programme,
        "added_by": added_by,
        "programme_admins": list(programme.admins.order_by("full_name")[:3]),
        "deadline": uk_time(programme.closes_at),
        "minimum_raters": programme.minimum_raters,
        "login_link": site_link(reverse("accounts:login")),
        # Single sign-on only: no password to set or reset, the organisation account signs in.
        "password_signin": password_signin_enabled(),
        "password_reset_link": site_link(reverse("accounts:password_reset")),
    }


@message("account_invitation")
def account_invitation(context):
    user = email_user(context)
    if user.has_usable_password():
        raise MessageNotNeeded("the account already has a password")
    programme_context = _programme_context(context)
    if not programme_context["password_signin"]:
        return {"user": user, **programme_context}
    return {
        "user": user,
        "set_password_link": set_password_url(user),
        "link_validity": link_validity(),
        **programme_context,
    }


@message("added_to_programme")
def added_to_programme(context):
    return {"user": email_user(context), **_programme_context(context)}


# Rater emails --------------------------------------------------------------------------


def _rater_context(context) -> dict:
    invitation = (
        Invitation.objects.select_related("assessment__programme", "assessment__leader")
        .filter(pk=context.get("invitation_id"))
        .first()
    )
    if invitation is None or not invitation.is_open or not invitation.token_nonce:
        raise MessageNotNeeded("the invitation has been removed, revoked or answered")
    programme = invitation.assessment.programme
    if programme.is_closed:
        raise MessageNotNeeded("the programme has closed")
    group = RaterGroup(invitation.rater_group)
    wording = group_wording(group)
    return {
        "invitation": invitation,
        "greeting_name": greeting_name(invitation.name),
        "leader": invitation.assessment.leader,
        "programme": programme,
        "relationship": wording.relationship,
        "group_plural": wording.others,
        "is_line_manager": group == RaterGroup.LINE_MANAGER,
        "threshold": programme.anonymity_threshold,
        "deadline": uk_time(programme.closes_at),
        "days_left": days_left_text(programme.closes_at),
        "minutes": MINUTES_TO_COMPLETE,
        "feedback_link": site_link(f"/feedback/{token_from_nonce(invitation.token_nonce)}/"),
    }


@message("rater_invitation")
def rater_invitation(context):
    return _rater_context(context)


@message("rater_reminder")
def rater_reminder(context):
    return _rater_context(context)


@message("leader_reminder")
def leader_reminder(context):
    """What the leader still has to do, as it stands when the email is sent."""
    assessment = (
        Assessment.objects.select_related("programme", "leader")
        .filter(pk=context.get("assessment_id"))
        .first()
    )
    if assessment is None or assessment.programme.is_closed:
        raise MessageNotNeeded("the leader or the programme is gone or closed")
    items = leader_outstanding(assessment=assessment)
    if not items:
        raise MessageNotNeeded("the leader has nothing left to do")
    programme = assessment.programme
    return {
        "leader": assessment.leader,
        "programme": programme,
        "items": items,
        "deadline": uk_time(programme.closes_at),
        "days_left": days_left_text(programme.closes_at),
        "link": site_link(reverse("leader:assessment", args=[assessment.pk])),
    }


@message("nominations_for_approval")
def nominations_for_approval(context):

    assessment = (
        Assessment.objects.select_related("programme", "leader")
        .filter(pk=context.get("assessment_id"))
        .first()
    )
    if assessment is None or assessment.nominations_approved_at or assessment.programme.is_closed:
        raise MessageNotNeeded("the nominations are approved or no longer pending")
    path = reverse(
        "invitations:approve",
        kwargs={"programme_pk": assessment.programme_id, "assessment_pk": assessment.pk},
    )
    return {
        "assessment": assessment,
        "leader": assessment.leader,
        "programme": assessment.programme,
        "nominated": assessment.invitations.exclude(state="revoked").count(),
        "deadline": uk_time(assessment.programme.closes_at),
        "approve_link": site_link(path),
    }
