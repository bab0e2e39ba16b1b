"""Signing in from one address: slowed across accounts, before any password is hashed.

django-axes locks one account at one address after five wrong passwords. That does not stop
one address trying a common password against many accounts, and every such attempt costs a
full password hash. ``AddressThrottleBackend`` comes first in AUTHENTICATION_BACKENDS: once
an address has failed SIGN_IN_ADDRESS_LIMIT times within the window, it refuses at once
(no hash, no database query) and ``SignInThrottleMiddleware`` answers 429. Only failures
count, so a trust whose staff all sign in from one address is not slowed by doing so. The
counter is in the cache and fails open (``config.throttle``).
"""

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.shortcuts import render

from config.client_ip import client_ip
from config.throttle import throttle_exceeded, throttle_hit

SCOPE = "sign-in-failures"


def sign_in_window_seconds() -> int:
    return settings.SIGN_IN_ADDRESS_WINDOW_MINUTES * 60


def _address(request) -> str:
    return client_ip(request) or "unknown"


def sign_in_address_throttled(request) -> bool:
    limit = settings.SIGN_IN_ADDRESS_LIMIT
    return throttle_exceeded(scope=SCOPE, subject=_address(request), limit=limit)


class AddressThrottleBackend:
    """Refuses every sign-in from an address that has failed too often; authenticates no one."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and sign_in_address_throttled(request):
            request.sign_in_throttled = True
            raise PermissionDenied("Too many failed sign-ins from this address")
        return None


@receiver(user_login_failed, dispatch_uid="accounts.sign_in_failure_counted")
def _sign_in_failure_counted(sender, credentials, request=None, **kwargs):
    if request is not None and not getattr(request, "sign_in_throttled", False):
        throttle_hit(
            scope=SCOPE, subject=_address(request), window_seconds=sign_in_window_seconds()
        )


class SignInThrottleMiddleware:
    """Turns a sign-in refused by ``AddressThrottleBackend`` into the 429 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "sign_in_throttled", False):
            wait = sign_in_window_seconds()
            response = render(request, "429.html", {"address_wait": wait // 60}, status=429)
            response["Retry-After"] = str(wait)
        return response
