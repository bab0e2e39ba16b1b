"""Fixtures shared by the security tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """The rater-link miss counter lives in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()
