"""The periodic tasks and where they are scheduled (config/schedules.py)."""

from datetime import timedelta

import time_machine
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from assessments.tasks import close_due_programmes
from config.celery import app as celery_app
from config.schedules import BEAT_SCHEDULE, schedules_install
from tests import factories


def test_programmes_past_their_closing_time_are_closed(framework):
    now = timezone.now()
    due = factories.ProgrammeFactory(
        framework=framework, opens_at=now - timedelta(days=30), closes_at=now - timedelta(minutes=3)
    )
    running = factories.ProgrammeFactory(framework=framework)
    early = factories.ProgrammeFactory(framework=framework, closed_at=now - timedelta(days=1))

    assert close_due_programmes() == 1
    due.refresh_from_db()
    running.refresh_from_db()
    assert due.closed_at == due.closes_at  # closed at its closing time, not when noticed
    assert running.closed_at is None
    assert close_due_programmes() == 0
    early_closed_at = early.closed_at
    early.refresh_from_db()
    assert early.closed_at == early_closed_at

    with time_machine.travel(running.closes_at + timedelta(minutes=1)):
        assert close_due_programmes() == 1
    running.refresh_from_db()
    assert running.closed_at == running.closes_at


def test_every_schedule_names_a_registered_task():
    celery_app.loader.import_default_modules()
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks, entry["task"]


def test_installing_the_schedules_twice_leaves_one_of_each(db):
    schedules_install()
    schedules_install()
    from config.schedules import SCHEDULES

    assert PeriodicTask.objects.count() == len(SCHEDULES)
    tasks = {t.task: t for t in PeriodicTask.objects.all()}
    assert set(tasks) == {task for task, _every in SCHEDULES.values()}
    every = {task: t.interval.every for task, t in tasks.items()}
    assert every["accounts.tasks.sweep_outbox"] == 60
    assert every["assessments.tasks.send_due_reminders"] == 3600
    assert every["assessments.tasks.close_due_programmes"] == 300
    assert every["reports.tasks.sweep_reports"] == 60
    assert all(t.enabled for t in tasks.values())
