"""Sessions read from Redis, kept in the database (SESSION_ENGINE when REDIS_URL is set).

Django's ``cached_db`` store: a request with a session costs a Redis GET rather than a
query, and every write still goes to the database, so a session outlives a Redis restart
and ``django_session`` stays the place to look a session up. Like the throttles
(config/throttle.py) it fails open: when Redis does not answer, sessions are read from and
written to the database alone, with a warning, rather than failing the request (a rater
can still answer, a person can still sign in).

A copy is cached for at most SESSION_CACHE_SECONDS (5 minutes), then read again from the
database. That bounds the one risk of failing open: a session deleted (sign-out, the new
key at sign-in or at a rater's Start) while Redis was unreachable leaves its cached copy
behind, and Redis expires that copy by itself within those minutes.
"""

import logging

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore

logger = logging.getLogger(__name__)


class SessionStore(CachedDBStore):
    def _cache_seconds(self, age: int) -> int:
        return max(0, min(age, settings.SESSION_CACHE_SECONDS))

    def _cache_set(self, data: dict, age: int) -> None:
        try:
            self._cache.set(  # type: ignore[attr-defined]  # CachedDBStore's, not in the stubs
                self.cache_key, data, self._cache_seconds(age)
            )
        except Exception as exc:
            logger.warning("Session not cached, the cache is unreachable: %s", exc)

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception as exc:
            logger.warning("Session read from the database, the cache is unreachable: %s", exc)
            data, reachable = None, False
        else:
            reachable = True
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        if reachable:
            self._cache_set(data, self.get_expiry_age(expiry=row.expire_date))
        return data

    def exists(self, session_key):
        # Every session is in the database: no need to ask the cache first.
        return DBStore.exists(self, session_key)

    def save(self, must_create=False):
        DBStore.save(self, must_create)
        self._cache_set(self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        key = session_key or self.session_key
        DBStore.delete(self, session_key)
        if key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception as exc:
            logger.error(
                "A deleted session stays in the cache for up to %s s, the cache is unreachable: %s",
                settings.SESSION_CACHE_SECONDS,
                exc,
            )
