"""Sessions read from the cache and kept in the database (config/sessions.py)."""

import socket
import time

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches

from config.sessions import SessionStore


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",  # as the site runs it
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.mark.django_db
def test_a_session_is_read_from_the_cache_without_a_query(django_assert_num_queries):
    store = SessionStore()
    store["rater_invitation_id"] = 7
    store.save()
    assert Session.objects.filter(session_key=store.session_key).exists()
    with django_assert_num_queries(0):
        assert SessionStore(store.session_key)["rater_invitation_id"] == 7


@pytest.mark.django_db
def test_the_cached_copy_lives_a_few_minutes_at_most(settings):
    settings.SESSION_CACHE_SECONDS = 1
    store = SessionStore()
    store["k"] = "v"
    store.save()
    cache = caches[settings.SESSION_CACHE_ALIAS]
    assert cache.get(store.cache_key) == {"k": "v"}
    expiry = cache._expire_info[cache.make_and_validate_key(store.cache_key)]  # locmem
    assert expiry - time.time() <= 1


@pytest.mark.django_db
def test_with_the_cache_unreachable_sessions_work_from_the_database(unreachable_cache):
    store = SessionStore()
    store["rater_invitation_id"] = 7
    store.save()
    assert SessionStore(store.session_key)["rater_invitation_id"] == 7
    store.cycle_key()  # a new key, the old one deleted: as at sign-in or a rater's Start
    assert Session.objects.count() == 1
    assert SessionStore(store.session_key)["rater_invitation_id"] == 7
