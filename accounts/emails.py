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

UK = ZoneInfo("Europe/London")


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


def uk_date(value) -> str:
    """'13 March 2026' (a date, or a moment's day in UK time); "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value, UK)
    return f"{value.day} {value.strftime('%B %Y')}"


def days_left_text(closes_at: datetime, now: datetime | None = None) -> str:
    days = (timezone.localtime(closes_at, UK).date() - timezone.localtime(now, UK).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


# Account emails ------------------------------------------------------------------------


def set_password_url(user: User) -> str:
    return site_link(
        reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )


def link_validity() -> str:
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return f"{hours // 24} days" if hours % 24 == 0 and hours >= 48 else f"{hours} hours"


def email_user(context) -> User:
    user = User.objects.filter(pk=context.get("user_id"), is_active=True).first()
    if user is None:
        raise MessageNotNeeded("the account no longer exists or is inactive")
    return user


@message("password_reset")
def password_reset(context):
    """Rendered with the same templates as Django's PasswordResetForm, so it carries the
    variables they expect (uid, token, protocol, domain) besides the whole link."""
    user = email_user(context)
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
        "link_validity": link_validity(),
    }
