"""assessments.services.responses: drafts, sealing a response, starting and declining."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import (
    COMMENT_MAX_LENGTH,
    Draft,
    Envelope,
    Invitation,
    RaterGroup,
    Rating,
    Response,
    ThemeComment,
)
from assessments.services.programmes import programme_close
from assessments.services.responses import (
    AnswersRefused,
    ResponseIncomplete,
    draft_save,
    invitation_decline,
    invitation_start,
    response_submit,
)
from assessments.services.sealing import envelopes_seal
from framework.models import Framework, Quality, Statement, Theme
from tests import factories

from .builders import all_statements, full_answers, invite

LONDON = ZoneInfo("Europe/London")


def save_everything(assessment, outline, invitation=None, **kwargs):
    return draft_save(
        assessment=assessment,
        invitation=invitation,
        answers=full_answers(outline, **kwargs),
        comments={str(outline.themes[0].pk): "Listens well.", str(outline.themes[1].pk): ""},
    )


class TestDraftSave:
    def test_merges_pages_and_clears_what_the_page_clears(self, assessment, outline):
        first, second = outline.themes[0], outline.themes[1]
        s1, s2 = outline.statements_of(first)[:2]
        t1 = outline.statements_of(second)[0]
        draft_save(assessment=assessment, answers={s1.pk: 4, s2.pk: ""}, comments={})
        draft = draft_save(
            assessment=assessment,
            answers={t1.pk: 2, s2.pk: None},
            comments={first.pk: "  Good  "},
        )
        assert draft.invitation is None
        assert draft.answers == {str(s1.pk): 4, str(t1.pk): 2}
        assert draft.comments == {str(first.pk): "Good"}
        assert Draft.objects.count() == 1

    def test_a_rater_who_saves_has_started(self, assessment, outline, peer):
        invitation, _ = peer
        statement = all_statements(outline)[0]
        draft_save(
            assessment=assessment, invitation=invitation, answers={statement.pk: 3}, comments={}
        )
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.STARTED
        assert invitation.started_at is not None
        assert Draft.objects.get(invitation=invitation).answers == {str(statement.pk): 3}

    @pytest.mark.parametrize("value", [7, 0, "3", "abc", -1])
    def test_refuses_values_off_the_scale(self, assessment, outline, value):
        statement = all_statements(outline)[0]
        with pytest.raises(ValidationError):
            draft_save(assessment=assessment, answers={statement.pk: value}, comments={})
        assert not Draft.objects.exists()

    @pytest.mark.parametrize("key", ["other-framework", "999999", "'; drop table", ""])
    def test_refuses_statements_outside_the_framework(self, assessment, outline, key):
        if key == "other-framework":
            other = Framework.objects.create(name="Other", slug="other", version="1")
            theme = Theme.objects.create(
                framework=other, order=1, name="T", slug="t", description="d"
            )
            quality = Quality.objects.create(theme=theme, order=1, name="Q", description="d")
            key = Statement.objects.create(
                quality=quality, order=1, text="S", kind=Statement.Kind.PERSONALISED_CARE
            ).pk
        with pytest.raises(ValidationError):
            draft_save(assessment=assessment, answers={key: 3}, comments={})
        assert not Draft.objects.exists()

    def test_refuses_a_comment_over_the_limit(self, assessment, outline):
        theme = outline.themes[0]
        with pytest.raises(ValidationError):
            draft_save(
                assessment=assessment,
                answers={},
                comments={theme.pk: "x" * (COMMENT_MAX_LENGTH + 1)},
            )
        assert not Draft.objects.exists()

    def test_refused_once_the_programme_has_closed(self, assessment, outline):
        statement = all_statements(outline)[0]
        draft_save(assessment=assessment, answers={statement.pk: 3}, comments={})
        programme_close(programme=assessment.programme)
        with pytest.raises(AnswersRefused) as refused:
            draft_save(assessment=assessment, answers={statement.pk: 5}, comments={})
        assert refused.value.reason == AnswersRefused.CLOSED
        assert Draft.objects.get().answers == {str(statement.pk): 3}  # kept, unchanged

    def test_refused_before_the_programme_opens(self, framework, leader, outline):
        programme = factories.ProgrammeFactory(
            framework=framework, opens_at=timezone.now() + timedelta(days=2)
        )
        assessment = factories.AssessmentFactory(programme=programme, leader=leader)
        with pytest.raises(AnswersRefused) as refused:
            draft_save(assessment=assessment, answers={}, comments={})
        assert refused.value.reason == AnswersRefused.NOT_YET_OPEN

    def test_refused_for_an_invitation_of_another_assessment(self, assessment, outline, peer):
        invitation, _ = peer
        other = factories.AssessmentFactory(programme=assessment.programme)
        with pytest.raises(ValueError):
            draft_save(assessment=other, invitation=invitation, answers={}, comments={})


class TestResponseSubmit:
    def test_seals_a_rater_draft_into_one_unlinkable_response(self, framework, leader, outline):
        # 00:30 in London in summer is still the day before in UTC: the local day counts.
        with time_machine.travel(datetime(2026, 6, 10, 0, 30, tzinfo=LONDON), tick=False):
            programme = factories.ProgrammeFactory(framework=framework)
            assessment = factories.AssessmentFactory(programme=programme, leader=leader)
            invitation, _ = invite(assessment)
            statements = all_statements(outline)
            not_observed = {statements[0].pk, statements[10].pk}
            save_everything(assessment, outline, invitation, not_observed=not_observed)
            envelope = response_submit(assessment=assessment, invitation=invitation)
            assert not Response.objects.exists()  # sealed later, with at least k of its group
            assert isinstance(envelope, Envelope)
            envelopes_seal(programme_id=programme.pk, final=True)

        response = Response.objects.get()
        assert response.rater_group == RaterGroup.PEER
        # Nothing on the response points back at its author, not even a day.
        assert {f.name for f in Response._meta.concrete_fields} == {
            "id",
            "assessment",
            "rater_group",
            "held",
        }
        ratings = Rating.objects.filter(response=response)
        assert ratings.count() == len(statements) == 39
        assert set(ratings.filter(value__isnull=True).values_list("statement_id", flat=True)) == (
            not_observed
        )
        assert list(ThemeComment.objects.values_list("theme_id", "text")) == [
            (outline.themes[0].pk, "Listens well.")
        ]
        assert not Draft.objects.exists()
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.SUBMITTED
        assert invitation.submitted_on == date(2026, 6, 10)
        assert invitation.started_at is None

    def test_self_response_uses_the_self_group(self, assessment, outline):
        save_everything(assessment, outline)
        response = response_submit(assessment=assessment)
        assert response.rater_group == RaterGroup.SELF
        assert response.ratings.count() == 39
        assert not Draft.objects.exists()

    def test_incomplete_lists_missing_statements_and_changes_nothing(
        self, assessment, outline, peer
    ):
        invitation, _ = peer
        answers = full_answers(outline)
        statements = all_statements(outline)
        for statement in (statements[3], statements[30]):
            del answers[str(statement.pk)]
        draft_save(assessment=assessment, invitation=invitation, answers=answers, comments={})
        with pytest.raises(ResponseIncomplete) as incomplete:
            response_submit(assessment=assessment, invitation=invitation)
        assert incomplete.value.missing == [statements[3].pk, statements[30].pk]
        assert not Response.objects.exists()
        assert Draft.objects.get().answers == answers
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.STARTED

    def test_without_a_draft_everything_is_missing(self, assessment, outline):
        with pytest.raises(ResponseIncomplete) as incomplete:
            response_submit(assessment=assessment)
        assert len(incomplete.value.missing) == 39

    def test_a_second_submit_is_told_it_was_already_submitted(self, assessment, outline, peer):
        invitation, _ = peer
        save_everything(assessment, outline, invitation)
        response_submit(assessment=assessment, invitation=invitation)
        with pytest.raises(AnswersRefused) as refused:
            response_submit(assessment=assessment, invitation=invitation)
        assert refused.value.reason == AnswersRefused.SUBMITTED
        assert refused.value.on == timezone.localdate()
        assert Envelope.objects.count() == 1

    def test_self_assessment_is_submitted_once(self, assessment, outline):
        save_everything(assessment, outline)
        response_submit(assessment=assessment)
        with pytest.raises(AnswersRefused) as refused:
            draft_save(assessment=assessment, answers={}, comments={})
        assert refused.value.reason == AnswersRefused.SUBMITTED
        with pytest.raises(AnswersRefused):
            response_submit(assessment=assessment)
        assert Response.objects.count() == 1
        assert not Draft.objects.exists()

    def test_refused_after_the_close_and_the_draft_is_kept(self, assessment, outline, peer):
        invitation, _ = peer
        save_everything(assessment, outline, invitation)
        closes_at = assessment.programme.closes_at
        with (
            time_machine.travel(closes_at + timedelta(seconds=1), tick=False),
            pytest.raises(AnswersRefused) as refused,
        ):
            response_submit(assessment=assessment, invitation=invitation)
        assert refused.value.reason == AnswersRefused.CLOSED
        assert not Response.objects.exists()
        assert Draft.objects.filter(invitation=invitation).exists()

    def test_accepted_up_to_the_last_second(self, assessment, outline, peer):
        invitation, _ = peer
        save_everything(assessment, outline, invitation)
        closes_at = assessment.programme.closes_at
        with time_machine.travel(closes_at - timedelta(seconds=1), tick=False):
            response_submit(assessment=assessment, invitation=invitation)
        assert Envelope.objects.count() == 1

    @pytest.mark.parametrize(
        ("state", "reason"),
        [
            (Invitation.State.REVOKED, AnswersRefused.REVOKED),
            (Invitation.State.DECLINED, AnswersRefused.DECLINED),
            (Invitation.State.NOMINATED, AnswersRefused.NOT_INVITED),
        ],
    )
    def test_refused_for_a_closed_invitation(self, assessment, outline, state, reason):
        invitation, _ = invite(assessment, state=state)
        with pytest.raises(AnswersRefused) as refused:
            response_submit(assessment=assessment, invitation=invitation)
        assert refused.value.reason == reason


class TestInvitationStartAndDecline:
    def test_start_is_idempotent(self, peer):
        invitation, _ = peer
        started = invitation_start(invitation=invitation)
        first_start = started.started_at
        assert started.state == Invitation.State.STARTED and first_start is not None
        again = invitation_start(invitation=invitation, now=timezone.now() + timedelta(hours=1))
        assert again.started_at == first_start

    def test_start_refused_after_the_close(self, assessment, peer):
        invitation, _ = peer
        programme_close(programme=assessment.programme)
        with pytest.raises(AnswersRefused):
            invitation_start(invitation=invitation)
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.INVITED

    def test_decline_records_the_reason_and_deletes_the_draft(self, assessment, outline, peer):
        invitation, _ = peer
        save_everything(assessment, outline, invitation)
        declined = invitation_decline(invitation=invitation, reason=" On leave ")
        assert declined.state == Invitation.State.DECLINED
        assert declined.declined_at is not None
        assert declined.decline_reason == "On leave"
        assert not Draft.objects.exists()
        with pytest.raises(AnswersRefused) as refused:
            invitation_decline(invitation=invitation)
        assert refused.value.reason == AnswersRefused.DECLINED

    def test_decline_refuses_an_oversized_reason(self, peer):
        invitation, _ = peer
        with pytest.raises(ValidationError):
            invitation_decline(invitation=invitation, reason="x" * 10_000)
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.INVITED
