"""The Redis cache with one client per connection pool (config/cache.py)."""

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from config.cache import RedisCache


@pytest.fixture
def cache(redis_url):
    cache = RedisCache(redis_url, {"KEY_PREFIX": "test-config-cache"})
    yield cache
    cache.delete_many(["a", "b", "n"])


def test_one_client_serves_every_call(cache):
    first = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is first
    assert cache._cache.get_client("any key") is first


def test_it_answers_as_djangos_does(cache, redis_url):
    django = DjangoRedisCache(redis_url, {"KEY_PREFIX": "test-config-cache"})
    cache.set("a", {"rater_invitation_id": 7}, 30)
    assert django.get("a") == cache.get("a") == {"rater_invitation_id": 7}
    assert cache.add("a", "other") is False
    cache.set_many({"b": 2, "n": 0})
    assert cache.incr("n") == 1
    assert cache.get_many(["a", "b", "missing"]) == {"a": {"rater_invitation_id": 7}, "b": 2}
    cache.delete("a")
    assert django.get("a") is None
