"""Celery tasks for reports. Thin: they take ids and call ``reports.services``.

All of them run on the "reports" queue (``CELERY_TASK_ROUTES``), so a burst of PDFs after a
programme closes never delays the emails on the default queue.
"""

from celery import shared_task

from config.jobs import job_task

from .services import THEME_REPORTS, reports_sweep

# Claim, render and store one theme report; retried with exponential backoff (config.jobs).
render_theme_report = job_task(THEME_REPORTS, name="reports.tasks.render_theme_report")


@shared_task
def sweep_reports() -> int:
    """Re-enqueue reports left queued or stuck rendering; run every minute by beat."""
    return len(reports_sweep())
