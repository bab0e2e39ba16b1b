"""Sealing (PRODUCT.md promise 5; assessments.services.sealing): a rater's submit leaves an
encrypted envelope, and Responses are written later, k of a group at a time, with random
ids, in random order, with no date; leftovers are sealed with their whole group at close."""

import itertools
import uuid

import pytest
from django.db import connection

from assessments.models import (
    Draft,
    Envelope,
    Invitation,
    RaterGroup,
    Rating,
    Response,
    ThemeComment,
)
from assessments.selectors import programme_totals
from assessments.services.programmes import programme_close
from assessments.services.responses import draft_save, response_submit
from assessments.services.sealing import envelopes_seal, envelopes_sweep

from .builders import full_answers, invite

COMMENT = "Always makes time for the team"


def submit(assessment, outline, group=RaterGroup.PEER, comment=COMMENT, **fields):
    invitation, _ = invite(assessment, group=group, **fields)
    draft_save(
        assessment=assessment,
        invitation=invitation,
        answers=full_answers(outline),
        comments={str(outline.themes[0].pk): comment},
    )
    response_submit(assessment=assessment, invitation=invitation)
    return invitation


@pytest.fixture
def sealed_on_commit(django_capture_on_commit_callbacks):
    """Run what a submit hands over after its commit (the sealing task, in process)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_a_rater_submit_writes_an_envelope_and_no_response(assessment, outline):
    invitation = submit(assessment, outline)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.SUBMITTED
    assert not Draft.objects.exists()
    assert not Response.objects.exists()
    envelope = Envelope.objects.get()
    assert (envelope.assessment_id, envelope.rater_group) == (assessment.pk, RaterGroup.PEER)
    assert {f.name for f in Envelope._meta.fields} == {"id", "assessment", "rater_group", "box"}
    assert COMMENT.encode() not in bytes(envelope.box)
    _answers, comments = envelope.contents()
    assert comments == {str(outline.themes[0].pk): COMMENT}


def test_drafts_are_encrypted_and_all_one_size(assessment, outline):
    short, _ = invite(assessment, email="short@example.org")
    long, _ = invite(assessment, email="long@example.org")
    draft_save(assessment=assessment, invitation=short, answers={}, comments={})
    draft_save(
        assessment=assessment,
        invitation=long,
        answers=full_answers(outline),
        comments={str(t.pk): COMMENT * 20 for t in outline.themes},
    )
    boxes = [bytes(d.box) for d in Draft.objects.all()]
    assert all(COMMENT.encode() not in box for box in boxes)
    assert len({len(box) for box in boxes}) == 1
    assert (
        Draft.objects.get(invitation=long).comments[str(outline.themes[1].pk)].startswith(COMMENT)
    )


def test_a_group_is_sealed_once_k_envelopes_wait(assessment, outline, sealed_on_commit):
    assert assessment.programme.anonymity_threshold == 3
    sealed_on_commit(submit, assessment, outline)
    sealed_on_commit(submit, assessment, outline, group=RaterGroup.DIRECT_REPORT)
    sealed_on_commit(submit, assessment, outline)
    assert not Response.objects.exists()
    assert Envelope.objects.count() == 3
    sealed_on_commit(submit, assessment, outline)
    assert Response.objects.filter(rater_group=RaterGroup.PEER).count() == 3
    assert list(Envelope.objects.values_list("rater_group", flat=True)) == [
        RaterGroup.DIRECT_REPORT
    ]
    assert Rating.objects.filter(response__rater_group=RaterGroup.PEER).count() == 3 * len(
        full_answers(outline)
    )
    assert ThemeComment.objects.filter(text=COMMENT).count() == 3


def test_the_line_manager_is_sealed_at_once(assessment, outline, sealed_on_commit):
    sealed_on_commit(submit, assessment, outline, group=RaterGroup.LINE_MANAGER)
    assert Response.objects.get().rater_group == RaterGroup.LINE_MANAGER
    assert not Envelope.objects.exists()


def test_responses_carry_no_date_and_random_ids(assessment, outline, sealed_on_commit):
    for _ in range(3):
        sealed_on_commit(submit, assessment, outline)
    for model in (Response, Rating, ThemeComment):
        assert isinstance(model._meta.pk, type(Response._meta.pk)), model
        assert isinstance(model.objects.first().pk, uuid.UUID)
        names = {f.get_internal_type() for f in model._meta.fields if f.name != "redacted_at"}
        assert not names & {"DateField", "DateTimeField"}, model


def test_progress_counts_come_from_invitations_before_sealing(assessment, outline):
    submit(assessment, outline)
    submit(assessment, outline)
    totals = programme_totals(programme=assessment.programme)
    assert totals["submitted"] == 2
    assert not Response.objects.exists()


def test_the_close_seals_leftovers_with_their_whole_group(assessment, outline, sealed_on_commit):
    for _ in range(3):
        sealed_on_commit(submit, assessment, outline)
    first_batch = set(Response.objects.values_list("pk", flat=True))
    comment = ThemeComment.objects.first()
    comment.redacted_at = comment.response.assessment.created_at
    comment.save()
    sealed_on_commit(submit, assessment, outline)  # a fourth peer: waits, fewer than k
    sealed_on_commit(submit, assessment, outline, group=RaterGroup.DIRECT_REPORT)
    assert Envelope.objects.count() == 2

    sealed_on_commit(programme_close, programme=assessment.programme)

    assert not Envelope.objects.exists()
    peers = set(Response.objects.filter(rater_group=RaterGroup.PEER).values_list("pk", flat=True))
    assert len(peers) == 4
    assert not peers & first_batch  # written again, in one batch with the fourth
    assert Response.objects.filter(rater_group=RaterGroup.DIRECT_REPORT).count() == 1
    assert ThemeComment.objects.filter(redacted_at__isnull=False).count() == 1


def test_sealing_is_idempotent_and_the_sweep_finds_batches_left_waiting(assessment, outline):
    for _ in range(3):
        submit(assessment, outline)  # the hand-over after commit never ran
    assert Envelope.objects.count() == 3
    assert envelopes_sweep() == 3
    assert envelopes_seal(programme_id=assessment.programme_id) == 0
    assert Response.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row order on disk: PostgreSQL")
def test_rows_are_written_in_random_order(assessment, outline, sealed_on_commit):
    """Within a batch the order of rating rows on disk follows no response."""
    for _ in range(3):
        sealed_on_commit(submit, assessment, outline)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT response_id FROM assessments_rating ORDER BY ctid"  # physical order
        )
        order = [row[0] for row in cursor.fetchall()]
    runs = sum(1 for a, b in itertools.pairwise(order) if a != b)
    assert runs > 3 * 10  # not three blocks, one per response
