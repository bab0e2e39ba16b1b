"""Celery tasks for cohort exports. Thin: they take ids and call ``reports.exports.services``.

They run on the "reports" queue, named explicitly: the settings route ``reports.tasks.*``
there, and these live in their own module.
"""

import logging

from celery import shared_task
from django.conf import settings

from .exports.services import (
    EXPORT_SOFT_TIME_LIMIT,
    EXPORT_TIME_LIMIT,
    ClaimLost,
    cohort_export_build,
    cohort_export_claim,
    cohort_export_release,
    cohort_exports_delete_expired,
    cohort_exports_sweep,
)

log = logging.getLogger(__name__)

RETRY_BACKOFF_SECONDS = 10


@shared_task(
    bind=True,
    name="reports.export_tasks.build_cohort_export",
    queue="reports",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=EXPORT_SOFT_TIME_LIMIT,
    time_limit=EXPORT_TIME_LIMIT,
    # The database's attempts counter is the real bound; this keeps Celery from going past it.
    max_retries=getattr(settings, "REPORTS_MAX_ATTEMPTS", 3),
)
def build_cohort_export(self, export_id: int) -> str:
    """Claim, build and store one cohort export; retried with exponential backoff."""
    delivery = self.request.delivery_info or {}
    export = cohort_export_claim(export_id=export_id, take_over=bool(delivery.get("redelivered")))
    if export is None:
        return "not claimed"
    try:
        cohort_export_build(export=export)
    except ClaimLost:
        log.warning("Cohort export %s was taken over; leaving it to its new owner.", export_id)
        return "taken over"
    except Exception as error:
        log.exception("Cohort export %s failed (attempt %s)", export_id, export.attempts)
        if not cohort_export_release(export=export, error=error):
            return "failed"
        if not self.request.is_eager:
            raise self.retry(
                exc=error, countdown=RETRY_BACKOFF_SECONDS * 2**self.request.retries
            ) from error
    else:
        return "ready"
    # In process (quick start, tests) there is no broker to retry through: try again now.
    retried = self.apply(args=(export_id,), retries=self.request.retries + 1)
    return retried.get(disable_sync_subtasks=False)


@shared_task(name="reports.export_tasks.sweep_cohort_exports", queue="reports")
def sweep_cohort_exports() -> int:
    """Re-enqueue exports left queued or stuck running; run every minute by beat."""
    return len(cohort_exports_sweep())


@shared_task(name="reports.export_tasks.delete_expired_cohort_exports", queue="reports")
def delete_expired_cohort_exports() -> int:
    """Delete expired exports' files and rows; run every hour by beat."""
    return cohort_exports_delete_expired()
