import logging
import secrets
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from framework.selectors import framework_current

# Errors people are shown a reference for; the same reference is in this log's line.
error_log = logging.getLogger("lpc360.errors")

# The database refused or lost the connection (or a lock or serialisation conflict, on
# PostgreSQL also an OperationalError): trying again later is the right advice.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

# No 0/O or 1/I, so a reference read out over the phone is not misheard.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RETRY_AFTER_SECONDS = 60


def home(request):
    """Explains the product and sends each kind of visitor where they need to go."""
    from accounts.views import demo_mailbox_enabled

    context = {"framework": framework_current(), "demo_mailbox": demo_mailbox_enabled()}
    return render(request, "home.html", context)


def admin_login(request, extra_context=None):
    """The Django admin's own sign-in page, or, where password sign-in is off (single sign-on
    only), the site's sign-in page, which keeps where the admin was going."""
    from django.contrib import admin
    from django.contrib.auth.views import redirect_to_login
    from django.urls import reverse

    from accounts.oidc import password_signin_enabled

    if password_signin_enabled():
        return admin.sites.AdminSite.login(admin.site, request, extra_context)
    return redirect_to_login(
        request.GET.get("next") or reverse("admin:index"), login_url=reverse("accounts:login")
    )


def error_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


def _log_error(request, what: str, exc_info) -> str:
    reference = error_reference()
    error_log.error(
        "%s, error reference %s: %s %s",
        what,
        reference,
        request.method,
        request.path,
        exc_info=exc_info if exc_info and exc_info[0] else None,
    )
    return reference


def _standalone_page(template: str, reference: str, status: int) -> HttpResponse:
    # No request context: these pages must render with the database gone, so they
    # read no session and no user (the templates stand alone, without base.html).
    response = HttpResponse(render_to_string(template, {"error_id": reference}), status=status)
    response["Cache-Control"] = "no-store"
    # The failed page may have been a rater's link: its address goes nowhere from here.
    response["Referrer-Policy"] = "no-referrer"
    return response


def database_unavailable(request, exc_info=None) -> HttpResponse:
    """503, "try again": each write runs in a transaction, so nothing was half-saved."""
    reference = _log_error(request, "Database unavailable", exc_info)
    response = _standalone_page("503.html", reference, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    """handler500: the error page with a short reference, and the reference in the log."""
    exc_info = sys.exc_info()
    if isinstance(exc_info[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request, exc_info)
    reference = _log_error(request, "Server error", exc_info)
    return _standalone_page("500.html", reference, status=500)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' page for a locked sign-in: 429, how long to wait, and the way out."""
    cool_off = settings.AXES_COOLOFF_TIME
    response = render(request, "429.html", {"wait": _duration(cool_off)}, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def _duration(delta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
