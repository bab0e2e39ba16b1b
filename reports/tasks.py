"""Celery tasks for reports. Thin: they take ids and call ``reports.services``.

All of them run on the "reports" queue (``CELERY_TASK_ROUTES``), so a burst of PDFs after a
programme closes never delays the emails on the default queue.
"""

import logging

from celery import shared_task
from django.conf import settings

from .services import (
    reports_sweep,
    theme_report_claim,
    theme_report_release,
    theme_report_render,
)

log = logging.getLogger(__name__)

RETRY_BACKOFF_SECONDS = 10


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # The database's attempts counter is the real bound; this only keeps Celery from
    # retrying past it.
    max_retries=getattr(settings, "REPORTS_MAX_ATTEMPTS", 3),
)
def render_theme_report(self, report_id: int) -> str:
    """Claim, render and store one theme report; retried with exponential backoff."""
    delivery = self.request.delivery_info or {}
    report = theme_report_claim(report_id=report_id, take_over=bool(delivery.get("redelivered")))
    if report is None:
        return "not claimed"
    try:
        rendered = theme_report_render(report=report)
    except Exception as error:
        log.exception("Theme report %s failed (attempt %s)", report_id, report.attempts)
        if not theme_report_release(report=report, error=error):
            return "failed"
        if not self.request.is_eager:
            raise self.retry(
                exc=error, countdown=RETRY_BACKOFF_SECONDS * 2**self.request.retries
            ) from error
    else:
        return "rendered" if rendered else "unchanged"
    # In process (quick start, tests) there is no broker to retry through, and Celery would
    # raise Retry to the caller: try again here, at once.
    return self.apply(args=(report_id,), retries=self.request.retries + 1).get()


@shared_task
def sweep_reports() -> int:
    """Re-enqueue reports left queued or stuck rendering; run every minute by beat."""
    return len(reports_sweep())
