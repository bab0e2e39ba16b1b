"""The client's address, as the sign-in lockout (django-axes) counts failures by it."""

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or behind a proxy the header it sets (CLIENT_IP_HEADER, for instance
    "HTTP_X_FORWARDED_FOR": its last address, the one our own proxy appended, since the
    addresses before it are whatever the client chose to send)."""
    header = getattr(settings, "CLIENT_IP_HEADER", "REMOTE_ADDR")
    return request.META.get(header, "").split(",")[-1].strip() or "unknown"
