"""Personas for the rating form tests; builders.py makes invitations and form posts."""

import pytest
from django.core.cache import cache

from assessments.services.rating_form import rating_outline

from .builders import invite


@pytest.fixture(autouse=True)
def _empty_cache():
    """The link-guessing counter lives in the cache: start every test from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def outline(framework):
    return rating_outline(framework=framework)


@pytest.fixture
def peer(assessment):
    """Pam, a peer with a fresh link: (invitation, token)."""
    return invite(assessment, name="Pam Peer", email="pam.peer@example.org")
