"""Every periodic task LPC 360 runs, in one place.

Settings import ``BEAT_SCHEDULE`` (as ``CELERY_BEAT_SCHEDULE``); django-celery-beat's
database scheduler writes it to its tables when beat starts. ``schedules_install()`` writes
the same rows on demand (after a deploy, or in a test), without starting beat.

This module is imported by settings: nothing here may import models at module level.
"""

from datetime import timedelta

# name → (task, how often)
SCHEDULES = {
    "Send queued emails left behind": ("accounts.tasks.sweep_outbox", timedelta(minutes=1)),
    "Fetch email delivery statuses from GOV.UK Notify": (
        "accounts.tasks.fetch_delivery_statuses",
        timedelta(minutes=10),
    ),
    "Seal submitted answers left waiting": (
        "assessments.tasks.sweep_envelopes",
        timedelta(minutes=10),
    ),
    "Send due reminders": ("assessments.tasks.send_due_reminders", timedelta(hours=1)),
    "Re-send leader imports left behind": (
        "assessments.tasks.sweep_leader_imports",
        timedelta(minutes=1),
    ),
    "Close programmes past their closing time": (
        "assessments.tasks.close_due_programmes",
        timedelta(minutes=5),
    ),
    "Re-enqueue theme reports left behind": ("reports.tasks.sweep_reports", timedelta(minutes=1)),
    "Re-send cohort exports left behind": (
        "reports.export_tasks.sweep_cohort_exports",
        timedelta(minutes=1),
    ),
    "Delete expired cohort exports": (
        "reports.export_tasks.delete_expired_cohort_exports",
        timedelta(hours=1),
    ),
    "Delete raw data past its retention period": (
        "assessments.tasks.purge_expired_data",
        timedelta(days=1),
    ),
    "Remind leaders of development goals due for review": (
        "development.tasks.send_plan_review_reminders",
        timedelta(days=1),
    ),
}

BEAT_SCHEDULE = {
    name: {"task": task, "schedule": every} for name, (task, every) in SCHEDULES.items()
}


def schedules_install() -> list[str]:
    """Create or update one enabled PeriodicTask per schedule. Returns their names."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for name, (task, every) in SCHEDULES.items():
        seconds = int(every.total_seconds())
        interval = (
            IntervalSchedule.objects.filter(every=seconds, period=IntervalSchedule.SECONDS)
            .order_by("pk")
            .first()
        ) or IntervalSchedule.objects.create(every=seconds, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={"task": task, "interval": interval, "crontab": None, "enabled": True},
        )
    return list(SCHEDULES)
