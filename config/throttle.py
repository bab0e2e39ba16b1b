"""Counters in the cache that slow down guessing: rater links, sign-ins, password resets.

They are a brake, not a lock: when the cache (Redis) does not answer, every check passes
and a warning is logged. Refusing everyone because Redis is down would turn an outage of an
optional service into an outage of the whole site.
"""

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def _key(scope: str, subject: str) -> str:
    # Hashed: addresses and emails are not written to Redis as they are.
    return f"throttle:{scope}:" + hashlib.sha256(subject.encode()).hexdigest()


def throttle_count(*, scope: str, subject: str) -> int:
    """How many times ``subject`` was counted in ``scope`` within its window; 0 when the
    cache is unreachable."""
    try:
        return int(cache.get(_key(scope, subject), 0))
    except Exception as exc:
        logger.warning("Throttle %s not checked, the cache is unreachable: %s", scope, exc)
        return 0


def throttle_exceeded(*, scope: str, subject: str, limit: int) -> bool:
    return throttle_count(scope=scope, subject=subject) >= limit


def throttle_hit(*, scope: str, subject: str, window_seconds: int) -> int:
    """Count one event; the window starts at the first. Returns the new count (0 when the
    cache is unreachable)."""
    key = _key(scope, subject)
    try:
        cache.add(key, 0, timeout=window_seconds)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=window_seconds)
            return 1
    except Exception as exc:
        logger.warning("Throttle %s not counted, the cache is unreachable: %s", scope, exc)
        return 0


def throttle_clear(*, scope: str, subject: str) -> None:
    try:
        cache.delete(_key(scope, subject))
    except Exception as exc:
        logger.warning("Throttle %s not cleared, the cache is unreachable: %s", scope, exc)
