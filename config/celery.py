"""The Celery application. Settings come from Django's, under the CELERY_ prefix."""

import logging
import os
import time
from collections.abc import Iterable

from celery import Celery
from kombu.exceptions import OperationalError as BrokerError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("lpc360")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="export_tasks")


# Sending tasks from a web request -----------------------------------------------------------

logger = logging.getLogger(__name__)

# After the broker failed, this process does not try it again for this long: the work is
# already a database row, and the sweepers hand it over once the broker is back.
BROKER_BACKOFF_SECONDS = 30
_broker_down_until = 0.0


def tasks_enqueue(task, calls: Iterable[tuple]) -> bool:
    """Send ``task`` once per tuple of arguments in ``calls``; True if all were sent.

    Bounded, because a request waits for it: one connection attempt with a short timeout
    (CELERY_BROKER_CONNECTION_TIMEOUT), no retries, and after a failure no attempt at all
    from this process for BROKER_BACKOFF_SECONDS. Whatever is not sent stays a queued row
    for its sweeper, so a user's action never waits on, or fails with, a broker outage.
    Errors raised by a task itself (tasks run in process in the quick start) propagate.
    """
    global _broker_down_until
    calls = list(calls)
    if not calls:
        return True
    eager = app.conf.task_always_eager
    if not eager and time.monotonic() < _broker_down_until:
        logger.warning("%d %s task(s) left for the sweeper: broker down", len(calls), task.name)
        return False
    if eager:
        # In process (the quick start, tests). A work row's task deals with its own
        # retries in process (config.jobs.job_task).
        for args in calls:
            task.apply(args=args)
        return True
    try:
        with app.connection_for_write() as connection:
            # One attempt: kombu's own retries sleep for seconds before giving up.
            connection.ensure_connection(max_retries=0)
            for args in calls:
                task.apply_async(args=args, retry=False, connection=connection)
    except (BrokerError, OSError) as exc:
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning(
            "%d %s task(s) left for the sweeper: the broker is unreachable (%s); not trying "
            "again for %d s",
            len(calls),
            task.name,
            exc,
            BROKER_BACKOFF_SECONDS,
        )
        return False
    return True


def tasks_enqueue_backoff_reset() -> None:
    """Forget a broker failure (the broker is known to be back, or in tests)."""
    global _broker_down_until
    _broker_down_until = 0.0
