"""Account pages that need more than Django's own views: the password link request."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from config.client_ip import client_ip
from config.throttle import throttle_hit

PASSWORD_RESET_WINDOW_SECONDS = 3600


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Django's view, with a limit per connection: PASSWORD_RESET_ADDRESS_LIMIT requests an
    hour, then 429. The form limits each email address asked for (accounts/forms.py)."""

    def post(self, request, *args, **kwargs):
        limit = getattr(settings, "PASSWORD_RESET_ADDRESS_LIMIT", 20)
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
