"""The client's address, as the sign-in lockout (django-axes) counts failures by it."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind a proxy the header it sets (CLIENT_IP_HEADER, for instance
    "HTTP_X_FORWARDED_FOR": its last address, the one our own proxy appended, since the
    addresses before it are whatever the client chose to send). None when there is no valid
    address: it is stored in an address column, so anything else must not reach it."""
    header = getattr(settings, "CLIENT_IP_HEADER", "REMOTE_ADDR")
    candidate = request.META.get(header, "").split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
