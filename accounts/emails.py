"""The one email builder: every message LPC 360 sends, and the way into the outbox.

An action that causes an email calls ``email_queue`` in its own transaction: the email is
written to the outbox and handed to a worker once the action commits (``accounts.outbox``).

Each kind of message is a function registered with ``@message("kind")``. At send time it
turns the ids saved in the outbox row into a template context, and the message is rendered
from ``templates/emails/<kind>_subject.txt``, ``<kind>.txt`` and ``<kind>.html``. Links,
and the tokens inside them, are built then, from ``settings.SITE_URL``: nothing secret is
ever stored in the outbox, and a link never depends on a request's Host header.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import OutboxEmail, User
from .names import greeting_name

UK = ZoneInfo("Europe/London")
MINUTES_TO_COMPLETE = 15


class MessageNotNeeded(Exception):
    """Raised by a message function when its email no longer makes sense: the invitation
    was removed or revoked, the rater has already submitted, the programme has closed."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


MESSAGES: dict[str, Callable[[dict], dict]] = {}


def message(kind: str):
    """Register ``function(outbox context) -> template context`` as one kind of email."""

    def register(function: Callable[[dict], dict]) -> Callable[[dict], dict]:
        MESSAGES[kind] = function
        return function

    return register


def email_render(*, kind: str, context: dict) -> RenderedEmail:
    template_context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}
    template_context.update(MESSAGES[kind](context))
    subject = render_to_string(f"emails/{kind}_subject.txt", template_context)
    return RenderedEmail(
        subject=" ".join(subject.split()),  # one line, whatever the template's whitespace
        text=render_to_string(f"emails/{kind}.txt", template_context),
        html=render_to_string(f"emails/{kind}.html", template_context),
    )


def email_queue(*, kind: str, to: str, context: dict) -> OutboxEmail:
    """Write an email to the outbox in the current transaction; send it after commit.

    ``context`` holds ids only (it is stored as JSON): the message is rendered when sent.
    """
    from .outbox import outbox_enqueue

    if kind not in MESSAGES:
        raise ValueError(f"Unknown kind of email: {kind!r}")
    email = OutboxEmail.objects.create(kind=kind, to=to, context=context)
    transaction.on_commit(lambda: outbox_enqueue(outbox_id=email.pk))
    return email


def site_link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def uk_time(moment: datetime) -> str:
    """'5pm on Friday 13 March 2026', in UK time, as NHS.UK writes dates and times."""
    local = timezone.localtime(moment, UK)
    hour = local.strftime("%I").lstrip("0")
    clock = f"{hour}{local.strftime(':%M') if local.minute else ''}{local.strftime('%p').lower()}"
    clock = {(0, 0): "midnight", (12, 0): "midday"}.get((local.hour, local.minute), clock)
    return f"{clock} on {local.strftime('%A')} {local.day} {local.strftime('%B %Y')}"


def days_left_text(closes_at: datetime, now: datetime | None = None) -> str:
    days = (timezone.localtime(closes_at, UK).date() - timezone.localtime(now, UK).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


# Account emails ------------------------------------------------------------------------


def _set_password_link(user: User) -> str:
    return site_link(
        reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )


def _link_validity() -> str:
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return f"{hours // 24} days" if hours % 24 == 0 and hours >= 48 else f"{hours} hours"


def _user(context) -> User:
    user = User.objects.filter(pk=context.get("user_id"), is_active=True).first()
    if user is None:
        raise MessageNotNeeded("the account no longer exists or is inactive")
    return user


def _programme_context(context) -> dict:
    from assessments.models import Programme

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
        "password_reset_link": site_link(reverse("accounts:password_reset")),
    }


@message("account_invitation")
def account_invitation(context):
    user = _user(context)
    if user.has_usable_password():
        raise MessageNotNeeded("the account already has a password")
    return {
        "user": user,
        "set_password_link": _set_password_link(user),
        "link_validity": _link_validity(),
        **_programme_context(context),
    }


@message("added_to_programme")
def added_to_programme(context):
    return {"user": _user(context), **_programme_context(context)}


@message("password_reset")
def password_reset(context):
    """Rendered with the same templates as Django's PasswordResetForm, so it carries the
    variables they expect (uid, token, protocol, domain) besides the whole link."""
    user = _user(context)
    protocol, _, domain = settings.SITE_URL.partition("://")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return {
        "user": user,
        "email": user.email,
        "uid": uid,
        "token": token,
        "protocol": protocol,
        "domain": domain,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "reset_link": site_link(
            reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
        ),
        "link_validity": _link_validity(),
    }


# Rater emails --------------------------------------------------------------------------


# How an email names the rater's relationship to the leader, and the rest of their group.
RELATIONSHIPS = {
    "line_manager": "their line manager",
    "peer": "a peer",
    "direct_report": "someone who reports to them",
    "other": "a partner or colleague they work with",
}
GROUP_PLURALS = {
    "peer": "peers",
    "direct_report": "people who report to them",
    "other": "partners and colleagues in your group",
}


def _rater_context(context) -> dict:
    from assessments.models import Invitation, RaterGroup
    from assessments.tokens import token_from_nonce

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
    return {
        "invitation": invitation,
        "greeting_name": greeting_name(invitation.name),
        "leader": invitation.assessment.leader,
        "programme": programme,
        "relationship": RELATIONSHIPS.get(group, "a colleague"),
        "group_plural": GROUP_PLURALS.get(group, "raters"),
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
    from assessments.models import Assessment
    from assessments.services.reminders import leader_outstanding

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
    from assessments.models import Assessment

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
