"""Account pages that need more than Django's own views: signing in (landing each role on
its own start page), the password link request, and the quick start's demo mailbox."""

import re
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render

from config.client_ip import client_ip
from config.throttle import throttle_hit

from .emails import MessageNotNeeded, email_render
from .models import OutboxEmail
from .oidc import oidc_enabled, password_signin_enabled
from .roles import start_page_url


class SignInView(auth_views.LoginView):
    """A safe ``next`` (checked by Django against ALLOWED_HOSTS) is honoured; otherwise the
    person lands on the start page of their role, not the public home page."""

    def get_default_redirect_url(self):
        return start_page_url(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            oidc_enabled=oidc_enabled(),
            password_signin=password_signin_enabled(),
            oidc_next=self.get_redirect_url(),
        )

    def post(self, request, *args, **kwargs):
        """With password sign-in turned off there is no form, and a posted one is refused
        before any password is looked at."""
        if not password_signin_enabled():
            response = self.get(request, *args, **kwargs)
            response.status_code = 405
            response["Allow"] = "GET"
            return response
        return super().post(request, *args, **kwargs)


def password_pages(view, *, account_link: bool = False):
    """A password page, only while password sign-in is on. When it is off, asking for a
    password link is 404; a set-password link already emailed (an invitation's) leads to
    the sign-in page, where single sign-on is."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if password_signin_enabled():
            return view(request, *args, **kwargs)
        if account_link:
            return redirect("accounts:login")
        raise Http404("Password sign-in is turned off here")

    return wrapped


# The quick start's demo mailbox ---------------------------------------------------------

# Backends that send nothing anywhere: the quick start prints emails, and only there is a
# page of every email sent (with everyone's links) harmless.
DEMO_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}
DEMO_MAILBOX_SIZE = 200
_LINK = re.compile(r"https?://[^\s<>\"']+")


def demo_mailbox_enabled() -> bool:
    return settings.DEBUG and settings.EMAIL_BACKEND in DEMO_EMAIL_BACKENDS


@dataclass(frozen=True)
class DemoEmail:
    to: str
    sent_at: object
    subject: str
    text: str
    links: list[str]


def _demo_email(row: OutboxEmail) -> DemoEmail:
    """The email as the outbox row renders it now (the outbox keeps ids, not text)."""
    try:
        rendered = email_render(kind=row.kind, context=row.context)
    except MessageNotNeeded as reason:
        kind = row.kind.replace("_", " ").capitalize()
        return DemoEmail(row.to, row.sent_at, kind, f"No longer needed: {reason}.", [])
    return DemoEmail(
        row.to,
        row.sent_at,
        rendered.subject,
        rendered.text,
        list(dict.fromkeys(_LINK.findall(rendered.text))),
    )


def demo_mailbox(request):
    """Every email sent, newest first, with its links: how people in the quick start get
    their rater links and password links without reading the server's console."""
    if not demo_mailbox_enabled():
        raise Http404("Only in the quick start")
    rows = OutboxEmail.objects.filter(state=OutboxEmail.State.SENT).order_by("-sent_at", "-pk")
    emails = [_demo_email(row) for row in rows[:DEMO_MAILBOX_SIZE]]
    response = render(
        request, "accounts/demo_mailbox.html", {"emails": emails, "total": rows.count()}
    )
    response["Cache-Control"] = "no-store"
    return response


PASSWORD_RESET_WINDOW_SECONDS = 3600


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Django's view, with a limit per connection: PASSWORD_RESET_ADDRESS_LIMIT requests an
    hour, then 429. The form limits each email address asked for (accounts/forms.py)."""

    def post(self, request, *args, **kwargs):
        limit = settings.PASSWORD_RESET_ADDRESS_LIMIT
        count = throttle_hit(
            scope="password-reset-address",
            subject=client_ip(request) or "unknown",
            window_seconds=PASSWORD_RESET_WINDOW_SECONDS,
        )
        if count > limit:
            response = render(request, "429.html", status=429)
            response["Retry-After"] = str(PASSWORD_RESET_WINDOW_SECONDS)
            return response
        return super().post(request, *args, **kwargs)
