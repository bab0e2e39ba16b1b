"""Personas for the rating form tests; builders.py makes invitations and form posts."""

import pytest

from assessments.services.rating_form import rating_outline

from .builders import invite


@pytest.fixture
def outline(framework):
    return rating_outline(framework=framework)


@pytest.fixture
def peer(assessment):
    """Pam, a peer with a fresh link: (invitation, token)."""
    return invite(assessment, name="Pam Peer", email="pam.peer@example.org")
