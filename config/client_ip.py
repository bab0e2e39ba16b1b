"""The client's address: the one helper every limit and lockout counts by.

Behind a proxy every request comes from the proxy's address, so anything counted per
address would be shared by everyone. When the connection comes from a trusted proxy
(``TRUSTED_PROXIES``: addresses or networks, from the environment), the client is the
right-most address in ``X-Forwarded-For`` that is not itself a trusted proxy: each proxy
appends the address it saw, and whatever is left of that the client chose to send. A
connection from anywhere else is taken at its word (REMOTE_ADDR): its header is ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy)


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The client's address as text, or None when there is no valid one (it is stored in
    an address column by the sign-in lockout, so nothing else may reach it)."""
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if _trusted(remote, networks):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(forwarded):
            address = _address(hop)
            if address is None:
                break  # garbage from the client side: stop at the last proxy's word
            if not _trusted(address, networks):
                return str(address)
            remote = address
    return str(remote) if remote is not None else None
