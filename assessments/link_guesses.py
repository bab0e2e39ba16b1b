"""Slowing down people who guess rater links, without ever turning a rater away.

Wrong or malformed links are counted per client address (``config.client_ip``). Past
RATER_LINK_MISS_LIMIT within the window, a wrong link gets 429 instead of 404. A real link
always opens: a whole trust behind one address must not lose its links because someone
there mistyped twenty, and the token (256 random bits) is what keeps a guesser out, not the
count. The counter lives in the cache and fails open when the cache is down.
"""

from django.conf import settings

from config.client_ip import client_ip
from config.throttle import throttle_hit

SCOPE = "rater-link-miss"


def link_miss_limit() -> int:
    return settings.RATER_LINK_MISS_LIMIT


def link_miss_window() -> int:
    return settings.RATER_LINK_MISS_WINDOW_SECONDS


def _subject(request) -> str:
    return client_ip(request) or "unknown"


def link_miss_record(request) -> bool:
    """Count one wrong link from this client. True when it has now gone past the limit
    (this miss is answered with 429)."""
    count = throttle_hit(scope=SCOPE, subject=_subject(request), window_seconds=link_miss_window())
    return count > link_miss_limit()
