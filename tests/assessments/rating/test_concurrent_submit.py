"""Many simultaneous submits of one draft seal exactly one Response (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection, connections

from assessments.models import Draft, Envelope, Invitation, RaterGroup, Rating, Response
from assessments.services.responses import AnswersRefused, draft_save, response_submit
from assessments.services.sealing import envelopes_seal
from tests import factories

from .builders import full_answers, invite

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8


def submit_all_at_once(*, assessment, invitation=None) -> list[str]:
    """Run response_submit in THREADS threads, each on its own connection, released together."""
    barrier = threading.Barrier(THREADS)
    outcomes = []
    lock = threading.Lock()

    def submit():
        try:
            barrier.wait()
            try:
                response_submit(assessment=assessment, invitation=invitation)
                outcome = "submitted"
            except AnswersRefused as refused:
                outcome = refused.reason
            except Exception as error:  # reported as a failure by the assertions
                outcome = f"error: {error!r}"
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@pytest.fixture
def setting(framework, leader, programme):
    from assessments.services.rating_form import rating_outline

    assessment = factories.AssessmentFactory(programme=programme, leader=leader)
    return assessment, rating_outline(framework=framework)


def test_eight_simultaneous_rater_submits_make_one_response(setting):
    assessment, outline = setting
    invitation, _ = invite(assessment)
    draft_save(
        assessment=assessment,
        invitation=invitation,
        answers=full_answers(outline),
        comments={str(outline.themes[0].pk): "Clear"},
    )

    outcomes = submit_all_at_once(assessment=assessment, invitation=invitation)

    assert outcomes == ["submitted"] + [AnswersRefused.SUBMITTED] * (THREADS - 1)
    assert Envelope.objects.count() == 1  # one submission, waiting to be sealed
    envelopes_seal(programme_id=assessment.programme_id, final=True)
    assert Response.objects.count() == 1
    assert Rating.objects.count() == 39
    assert Response.objects.get().comments.count() == 1
    assert not Draft.objects.exists()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.SUBMITTED


def test_eight_simultaneous_self_submits_make_one_response(setting):
    assessment, outline = setting
    draft_save(assessment=assessment, answers=full_answers(outline), comments={})

    outcomes = submit_all_at_once(assessment=assessment)

    assert outcomes == ["submitted"] + [AnswersRefused.SUBMITTED] * (THREADS - 1)
    assert Response.objects.filter(rater_group=RaterGroup.SELF).count() == 1
    assert Rating.objects.count() == 39
    assert not Draft.objects.exists()
