"""Fixtures shared by the security tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """The rater-link miss counter lives in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Reports and exports these tests write go to a folder of their own, not the session's
    MEDIA_ROOT that other tests count files in."""
    settings.MEDIA_ROOT = tmp_path / "media"
