"""assessments.services.reminders: scheduled rounds go once, manual rounds on demand."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import OutboxEmail
from assessments.models import Invitation, Reminder, ReminderRound
from assessments.services.reminders import reminder_round_send, reminders_send_due
from assessments.tasks import send_due_reminders
from assessments.tokens import token_from_nonce, token_hash, token_new_nonce
from tests import factories

OPENS = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLOSES = datetime(2026, 3, 30, 16, 0, tzinfo=UTC)  # 5pm in London


def _invitation(assessment, state, n):
    nonce = token_new_nonce()
    return factories.InvitationFactory(
        assessment=assessment,
        email=f"rater{n}@example.org",
        state=state,
        token_nonce=nonce,
        token_hash=token_hash(token_from_nonce(nonce)),
        invited_at=OPENS + timedelta(hours=1),
    )


@pytest.fixture
def reminder_cohort(framework):
    """A programme with one leader whose raters are at every stage."""
    programme = factories.ProgrammeFactory(framework=framework, opens_at=OPENS, closes_at=CLOSES)
    assessment = factories.AssessmentFactory(programme=programme)
    raters = {
        state: _invitation(assessment, state, n) for n, state in enumerate(Invitation.State.values)
    }
    return programme, assessment, raters


def _reminded(programme):
    return set(
        Reminder.objects.filter(round__programme=programme).values_list(
            "invitation__state", flat=True
        )
    )


def test_nothing_is_due_before_the_first_reminder_day(reminder_cohort):
    with time_machine.travel(CLOSES - timedelta(days=7, minutes=1)):
        assert reminders_send_due() == 0
    assert not ReminderRound.objects.exists()


def test_the_7_day_round_goes_once_and_only_to_raters_who_have_not_finished(
    reminder_cohort, django_capture_on_commit_callbacks
):
    programme, _, raters = reminder_cohort
    with (
        time_machine.travel(CLOSES - timedelta(days=7) + timedelta(minutes=30)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert send_due_reminders() == 2
        assert reminders_send_due() == 0  # the next hourly run
    assert ReminderRound.objects.get().days_before_close == 7
    assert _reminded(programme) == {"invited", "started"}
    to_raters = [m for m in mail.outbox if m.to[0].startswith("rater")]
    assert sorted(m.to[0] for m in to_raters) == sorted(
        [raters["invited"].email, raters["started"].email]
    )
    assert "closes in 7 days" in to_raters[0].subject
    with time_machine.travel(CLOSES - timedelta(days=6)):
        assert reminders_send_due() == 0
    assert OutboxEmail.objects.filter(kind="rater_reminder").count() == 2


def test_each_reminder_day_has_its_own_round(reminder_cohort):
    for days in (7, 3, 1):
        with time_machine.travel(CLOSES - timedelta(days=days, minutes=-5)):
            assert reminders_send_due() == 2
    assert sorted(ReminderRound.objects.values_list("days_before_close", flat=True)) == [1, 3, 7]
    assert Reminder.objects.count() == 6


def test_catching_up_sends_only_the_latest_round(reminder_cohort):
    with time_machine.travel(CLOSES - timedelta(days=2)):
        assert reminders_send_due() == 2
        assert reminders_send_due() == 0
    assert list(ReminderRound.objects.values_list("days_before_close", flat=True)) == [3]


def test_a_closed_programme_is_not_reminded(reminder_cohort):
    programme, _, _ = reminder_cohort
    programme.closed_at = CLOSES - timedelta(days=10)
    programme.save()
    with time_machine.travel(CLOSES - timedelta(days=1)):
        assert reminders_send_due() == 0
    assert not ReminderRound.objects.exists()


def test_a_round_due_before_the_programme_opened_is_skipped(framework):
    programme = factories.ProgrammeFactory(
        framework=framework, opens_at=CLOSES - timedelta(days=5), closes_at=CLOSES
    )
    assessment = factories.AssessmentFactory(programme=programme)
    _invitation(assessment, "invited", 1)
    with time_machine.travel(CLOSES - timedelta(days=4)):
        assert reminders_send_due() == 0
    with time_machine.travel(CLOSES - timedelta(days=3)):
        assert reminders_send_due() == 1
    assert list(ReminderRound.objects.values_list("days_before_close", flat=True)) == [3]


def test_a_manual_round_for_one_leader(reminder_cohort, programme_admin):
    programme, assessment, _ = reminder_cohort
    other = factories.AssessmentFactory(programme=programme)
    _invitation(other, "invited", 99)
    with time_machine.travel(OPENS + timedelta(days=5)):
        round_ = reminder_round_send(programme=programme, assessment=assessment, by=programme_admin)
        assert round_.created_by == programme_admin and round_.days_before_close is None
        assert set(round_.reminders.values_list("invitation__state", flat=True)) == {
            "invited",
            "started",
        }
        # A double click: no one is reminded twice within 12 hours.
        with pytest.raises(ValidationError, match="no one to remind"):
            reminder_round_send(programme=programme, assessment=assessment, by=programme_admin)
    with time_machine.travel(OPENS + timedelta(days=6)):
        whole = reminder_round_send(programme=programme, by=programme_admin)
        assert whole.reminders.count() == 3  # both leaders' open raters


def test_a_manual_round_is_refused_when_the_programme_is_not_open(reminder_cohort, programme_admin):
    programme, _, _ = reminder_cohort
    with time_machine.travel(CLOSES + timedelta(hours=1)), pytest.raises(ValidationError):
        reminder_round_send(programme=programme, by=programme_admin)
    with time_machine.travel(OPENS - timedelta(hours=1)), pytest.raises(ValidationError):
        reminder_round_send(programme=programme, by=programme_admin)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_send_each_reminder_once(framework):
    programme = factories.ProgrammeFactory(framework=framework, opens_at=OPENS, closes_at=CLOSES)
    assessment = factories.AssessmentFactory(programme=programme)
    for n in range(4):
        _invitation(assessment, "invited", n)
    results, barrier = [], threading.Barrier(4)

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(reminders_send_due(now=CLOSES - timedelta(days=7)))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [0, 0, 0, 4]
    assert ReminderRound.objects.count() == 1
    assert Reminder.objects.count() == 4
    assert OutboxEmail.objects.filter(kind="rater_reminder").count() == 4
