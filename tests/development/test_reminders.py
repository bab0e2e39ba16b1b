"""Review reminders: a daily task emails the leader through the outbox about each goal due
for review within a week, once per goal per review date."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accounts.emails import MessageNotNeeded, email_render
from accounts.models import OutboxEmail
from assessments.services.erasure import leader_erase
from config.schedules import SCHEDULES
from development.models import Debrief, DevelopmentPlan, Goal
from development.services import REMINDER_DAYS_BEFORE, plan_review_reminders_send
from development.tasks import send_plan_review_reminders
from framework.models import Quality

UK = ZoneInfo("Europe/London")
START = datetime(2027, 3, 1, 6, 0, tzinfo=UK)
REVIEW = START.date() + timedelta(days=30)
SECRET = "stop interrupting juniors"


@pytest.fixture
def plan(released, framework):
    quality = Quality.objects.filter(theme__framework=framework).order_by("pk").first()
    plan = DevelopmentPlan.objects.create(assessment=released, submitted_at=timezone.now())
    for position in (1, 2):
        Goal.objects.create(
            plan=plan,
            position=position,
            quality=quality,
            goal=SECRET,
            actions="a",
            success_measure="m",
            review_on=REVIEW + timedelta(days=20 * (position - 1)),
        )
    return plan


def _reminders():
    return OutboxEmail.objects.filter(kind="plan_review_reminder")


def test_one_reminder_per_goal_per_review_date(plan, leader):
    days = [START + timedelta(days=d) for d in range(0, 60)]
    sent_on = []
    for day in days:
        with time_machine.travel(day, tick=False):
            if plan_review_reminders_send():
                sent_on.append(timezone.localdate())
    # Goal 1 a week before its review, goal 2 a week before its own: once each.
    assert sent_on == [
        REVIEW - timedelta(days=REMINDER_DAYS_BEFORE),
        REVIEW + timedelta(days=20 - REMINDER_DAYS_BEFORE),
    ]
    assert _reminders().count() == 2
    assert set(_reminders().values_list("to", flat=True)) == {leader.email}


def test_a_new_review_date_gets_its_own_reminder(plan):
    goal = plan.goals.get(position=1)
    with time_machine.travel(START + timedelta(days=25), tick=False):
        assert plan_review_reminders_send() == 1
        assert plan_review_reminders_send() == 0
        goal.review_on = REVIEW - timedelta(days=2)
        goal.save()
        assert plan_review_reminders_send() == 1
    # The first email is no longer needed: its review date changed.
    first, second = _reminders().order_by("pk")
    with pytest.raises(MessageNotNeeded, match="review date has changed"):
        email_render(kind="plan_review_reminder", context=first.context)
    rendered = email_render(kind="plan_review_reminder", context=second.context)
    assert "review goal 1" in rendered.subject


def test_the_email_names_the_goal_and_date_not_what_the_leader_wrote(plan, settings):
    with time_machine.travel(START + timedelta(days=25), tick=False):
        assert send_plan_review_reminders() == 1
    email = email_render(kind="plan_review_reminder", context=_reminders().get().context)
    assert f"{REVIEW.day} {REVIEW:%B %Y}" in email.subject
    assert f"{settings.SITE_URL}/development/{plan.assessment_id}/plan/" in email.text
    assert plan.goals.first().quality.name in email.html
    assert SECRET not in email.text + email.html


def test_the_task_runs_daily():
    assert SCHEDULES["Remind leaders of development goals due for review"] == (
        "development.tasks.send_plan_review_reminders",
        timedelta(days=1),
    )


def test_erasing_the_leader_deletes_the_debrief_plan_and_reminders(plan, programme_admin):
    Debrief.objects.create(assessment=plan.assessment, held_on=START.date(), notes="private")
    with time_machine.travel(START + timedelta(days=25), tick=False):
        plan_review_reminders_send()
    assert _reminders().exists()

    leader_erase(assessment=plan.assessment, by=programme_admin)

    assert not (Debrief.objects.exists() or DevelopmentPlan.objects.exists())
    assert not Goal.objects.exists() and not _reminders().exists()
