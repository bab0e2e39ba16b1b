"""The database connection is lost in the middle of a rater's submit, on real PostgreSQL.

The server process serving the request is terminated (``pg_terminate_backend``) from a
second connection at the moment the sealed envelope is being written, after the draft has
been deleted in the same transaction.
"""

import logging
import time
from contextlib import closing

import psycopg2
import pytest
from django.db import connection
from django.test import Client

from assessments.models import Draft, Envelope, Invitation, Rating, Response, ThemeComment
from assessments.services.rating_form import rating_outline
from assessments.services.responses import draft_save
from assessments.services.sealing import envelopes_seal
from tests import factories
from tests.assessments.rating.builders import full_answers, invite

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend"),
    pytest.mark.django_db(transaction=True),
]


class BackendKiller:
    """An execute wrapper that terminates this connection's server process just before the
    first statement matching ``prefix`` runs, and waits until the process is gone."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.killed = []

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith(self.prefix) and not self.killed:
            pid = context["connection"].connection.get_backend_pid()
            # (psycopg2's own "with" ends a transaction, not the connection: closing() does.)
            with closing(psycopg2.connect(**connection.get_connection_params())) as other:
                other.autocommit = True
                with other.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                    for _ in range(100):
                        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                        if cursor.fetchone() is None:
                            break
                        time.sleep(0.05)
            self.killed.append(pid)
        return execute(sql, params, many, context)


@pytest.fixture
def started_rater(framework, programme, leader):
    """A rater who has answered every statement and is about to press Submit."""
    assessment = factories.AssessmentFactory(programme=programme, leader=leader)
    invitation, token = invite(assessment)
    browser = Client()
    assert browser.post(f"/feedback/{token}/", {"action": "start"}).status_code == 302
    outline = rating_outline(framework=framework)
    comments = {str(theme.pk): f"About {theme.name}." for theme in outline.themes}
    draft_save(
        assessment=assessment,
        invitation=invitation,
        answers=full_answers(outline),
        comments=comments,
    )
    return browser, invitation


def test_a_lost_connection_during_submit_writes_nothing_and_asks_to_try_again(
    started_rater, framework, caplog
):
    browser, invitation = started_rater
    draft_before = Draft.objects.filter(invitation=invitation).values().get()
    invitation_before = Invitation.objects.filter(pk=invitation.pk).values().get()
    killer = BackendKiller('INSERT INTO "assessments_envelope"')

    with (
        caplog.at_level(logging.ERROR, logger="lpc360.errors"),
        connection.execute_wrapper(killer),
    ):
        response = browser.post("/feedback/form/review/")

    assert killer.killed, "the submit never reached the envelope insert"
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "Sorry, the service is busy" in html
    assert "Anything you saved before is still saved" in html
    assert 'class="nhsuk-header' in html
    assert "Traceback" not in html and "OperationalError" not in html
    reference = html.split("error reference <strong>")[1].split("<")[0]
    assert any(reference in r.getMessage() for r in caplog.records if r.levelname == "ERROR")

    # Nothing half-written; the draft and the invitation exactly as they were.
    assert Envelope.objects.count() == 0
    assert Response.objects.count() == 0
    assert Rating.objects.count() == 0
    assert ThemeComment.objects.count() == 0
    assert Draft.objects.filter(invitation=invitation).values().get() == draft_before
    assert Invitation.objects.filter(pk=invitation.pk).values().get() == invitation_before
    assert invitation_before["state"] == Invitation.State.STARTED

    # Trying again, as the page says, works.
    retried = browser.post("/feedback/form/review/")
    assert retried.status_code == 302 and retried["Location"] == "/feedback/done/"
    assert Envelope.objects.count() == 1
    envelopes_seal(programme_id=invitation.assessment.programme_id, final=True)
    assert Response.objects.count() == 1
    assert Rating.objects.count() == len(full_answers(rating_outline(framework=framework)))


def test_a_lost_connection_while_saving_a_page_keeps_what_was_saved_before(
    started_rater, framework
):
    browser, invitation = started_rater
    draft_before = Draft.objects.filter(invitation=invitation).values().get()
    theme = rating_outline(framework=framework).themes[0]
    killer = BackendKiller('UPDATE "assessments_draft"')
    with connection.execute_wrapper(killer):
        response = browser.post(f"/feedback/form/{theme.slug}/", {"action": "next"})
    assert killer.killed
    assert response.status_code == 503
    assert Draft.objects.filter(invitation=invitation).values().get() == draft_before
