"""The pages every NHS service publishes: accessibility statement, privacy notice, cookies.

What they state about retention, anonymity and cookies is worked out here from the settings
and the code's own constants, not written into the templates, so a changed setting changes
the page (tests/config/test_pages.py).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.shortcuts import render


def duration_text(seconds: int) -> str:
    """'2 weeks', '1 year', '3 days', '72 hours': the largest unit that divides evenly."""
    units = [
        ("year", 365 * 86400),
        ("week", 7 * 86400),
        ("day", 86400),
        ("hour", 3600),
        ("minute", 60),
        ("second", 1),
    ]
    for name, size in units:
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {name}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    expires: str


def cookies_set() -> list[Cookie]:
    """Every cookie LPC 360 can set, from the settings that name and time them."""
    session_expires = (
        "when you close your browser"
        if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        else f"after {duration_text(settings.SESSION_COOKIE_AGE)}, or when you sign out"
    )
    found = [
        Cookie(
            settings.SESSION_COOKIE_NAME,
            "Keeps you signed in, and keeps your place while you give feedback through your link.",
            session_expires,
        )
    ]
    if not settings.CSRF_USE_SESSIONS:
        found.append(
            Cookie(
                settings.CSRF_COOKIE_NAME,
                "Stops other websites sending forms to LPC 360 in your name.",
                f"after {duration_text(settings.CSRF_COOKIE_AGE)}"
                if settings.CSRF_COOKIE_AGE
                else "when you close your browser",
            )
        )
    storage = getattr(
        settings, "MESSAGE_STORAGE", "django.contrib.messages.storage.fallback.FallbackStorage"
    )
    if storage.rsplit(".", 1)[-1] in ("FallbackStorage", "CookieStorage"):
        found.append(
            Cookie(
                CookieStorage.cookie_name,
                "Carries a message, such as 'Your changes have been saved', to the next page.",
                "when the message has been shown, or when you close your browser",
            )
        )
    return found


def privacy_facts() -> dict:
    """Retention periods, the anonymity threshold and the email service, as they stand."""
    from assessments.models import MINIMUM_ANONYMITY_THRESHOLD, Programme, RaterGroup

    retention_default = Programme._meta.get_field("retention_days").default
    in_use = sorted(
        set(
            Programme.objects.filter(purged_at__isnull=True).values_list(
                "retention_days", flat=True
            )
        )
        - {retention_default}
    )
    k_default = Programme._meta.get_field("anonymity_threshold").default
    anonymous = [g.label for g in RaterGroup.nominable() if g is not RaterGroup.LINE_MANAGER]
    return {
        "retention_days": retention_default,
        "retention_days_other": in_use,
        "export_retention": duration_text(settings.EXPORT_RETENTION_HOURS * 3600),
        "link_validity": duration_text(settings.PASSWORD_RESET_TIMEOUT),
        "k_minimum": MINIMUM_ANONYMITY_THRESHOLD,
        "k_default": k_default,
        "line_manager": RaterGroup.LINE_MANAGER.label,
        "anonymous_groups": anonymous,
        "email_by_notify": settings.EMAIL_DELIVERY == "notify",
        "cookies": cookies_set(),
    }


def _contact() -> dict:
    return {
        "support_email": settings.SUPPORT_EMAIL,
        "service_owner": settings.SERVICE_OWNER,
    }


def accessibility(request):
    return render(request, "pages/accessibility.html", _contact())


def privacy(request):
    return render(request, "pages/privacy.html", {**_contact(), **privacy_facts()})


def cookies(request):
    return render(request, "pages/cookies.html", {**_contact(), "cookies": cookies_set()})
