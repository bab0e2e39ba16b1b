"""The rater's pages cost a fixed, small number of queries (issue 15, item 9), with the
sessions where a deployment with Redis keeps them (config/sessions.py)."""

import pytest
from django.contrib.sessions.models import Session

from assessments.models import Draft

from .builders import page_post
from .test_rater_views import page_url, started_client


@pytest.fixture
def sessions_in_the_cache(settings):
    settings.SESSION_ENGINE = "config.sessions"  # as when REDIS_URL is set


@pytest.fixture
def on_a_page(sessions_in_the_cache, peer, outline):
    """A rater who pressed Start and saved the first page once: (client, theme, invitation)."""
    invitation, token = peer
    client = started_client(token)
    theme = outline.themes[0]
    answers = {str(s.pk): min(outline.scale_values) for s in outline.statements_of(theme)}
    saved = client.post(page_url(theme), page_post(outline, theme, answers=answers, action="save"))
    assert saved.status_code == 302
    return client, theme, invitation


def test_saving_a_page_of_the_draft_takes_at_most_five_queries(
    on_a_page, outline, django_assert_max_num_queries
):
    client, theme, invitation = on_a_page
    answers = {str(s.pk): max(outline.scale_values) for s in outline.statements_of(theme)}
    # The invitation; then in one transaction (SAVEPOINT here, BEGIN in a request): the
    # invitation locked with its assessment, programme and draft, and one UPDATE of the draft.
    with django_assert_max_num_queries(5):
        response = client.post(page_url(theme), page_post(outline, theme, answers=answers))
    assert response.status_code == 302
    assert Draft.objects.get(invitation=invitation).answers == answers


def test_showing_a_page_reads_the_invitation_and_the_draft_only(
    on_a_page, django_assert_max_num_queries
):
    client, theme, _ = on_a_page
    with django_assert_max_num_queries(2):
        response = client.get(page_url(theme))
    assert response.status_code == 200
    assert "Alex Leader" in response.content.decode()


def test_the_session_is_still_kept_in_the_database(on_a_page):
    # A session outlives a Redis restart, and django_session is where it can be looked up.
    assert Session.objects.count() == 1
