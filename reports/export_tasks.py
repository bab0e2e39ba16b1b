"""Celery tasks for cohort exports. Thin: they take ids and call ``reports.exports.services``.

They run on the "reports" queue, named explicitly: the settings route ``reports.tasks.*``
there, and these live in their own module.
"""

from celery import shared_task

from config.jobs import job_task

from .exports.services import (
    COHORT_EXPORTS,
    EXPORT_SOFT_TIME_LIMIT,
    EXPORT_TIME_LIMIT,
    cohort_exports_delete_expired,
    cohort_exports_sweep,
)

# Claim, build and store one cohort export; retried with exponential backoff (config.jobs).
build_cohort_export = job_task(
    COHORT_EXPORTS,
    name="reports.export_tasks.build_cohort_export",
    queue="reports",
    soft_time_limit=EXPORT_SOFT_TIME_LIMIT,
    time_limit=EXPORT_TIME_LIMIT,
)


@shared_task(name="reports.export_tasks.sweep_cohort_exports", queue="reports")
def sweep_cohort_exports() -> int:
    """Re-enqueue exports left queued or stuck running; run every minute by beat."""
    return len(cohort_exports_sweep())


@shared_task(name="reports.export_tasks.delete_expired_cohort_exports", queue="reports")
def delete_expired_cohort_exports() -> int:
    """Delete expired exports' files and rows; run every hour by beat."""
    return cohort_exports_delete_expired()
