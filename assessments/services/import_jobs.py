"""Big leader imports run by a worker, with a page that shows how far they have got.

A file of more than IMPORT_IN_REQUEST_MAX_ROWS leaders is not imported in the request that
confirms it: the checked rows are saved as a ``LeaderImport`` row in that request, handed
to a worker after commit, and the admin waits on its page. The worker claims the row
(one claim per attempt, at most IMPORT_MAX_ATTEMPTS), runs the same all-or-nothing
``leaders_import`` against the programme as it is then, and records what happened. If
the broker was down, ``leader_imports_sweep`` hands the row over again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User

from ..models import LeaderImport, Programme
from .imports import LeaderFile, PlanChanged, import_summary, leaders_import

logger = logging.getLogger(__name__)
Status = LeaderImport.Status

IMPORT_MAX_ATTEMPTS = 3


def import_in_request_max_rows() -> int:
    return settings.IMPORT_IN_REQUEST_MAX_ROWS


def leader_import_queue(
    *, programme: Programme, leader_file: LeaderFile, fingerprint: str, by: User
) -> LeaderImport:
    """Save the checked rows for a worker to import; it is handed over after commit."""
    job = LeaderImport.objects.create(
        programme=programme,
        created_by=by,
        leader_file=leader_file.as_data(),
        fingerprint=fingerprint,
        rows=len(leader_file.rows),
    )
    transaction.on_commit(lambda: leader_imports_enqueue(import_ids=[job.pk]))
    return job


def leader_imports_enqueue(*, import_ids: list[int]) -> bool:
    from config.celery import tasks_enqueue

    from ..tasks import run_leader_import

    return tasks_enqueue(run_leader_import, [(pk,) for pk in import_ids])


def leader_import_run(*, import_id: int) -> str | None:
    """Import one queued file, once. Returns its new status, or None if it was not ours."""
    claimed = LeaderImport.objects.filter(
        pk=import_id, status=Status.QUEUED, attempts__lt=IMPORT_MAX_ATTEMPTS
    ).update(status=Status.RUNNING, attempts=F("attempts") + 1, updated_at=timezone.now())
    if not claimed:
        return None
    job = LeaderImport.objects.select_related("programme", "created_by").get(pk=import_id)
    try:
        plan = leaders_import(
            programme=job.programme,
            leader_file=LeaderFile.from_data(job.leader_file),
            by=job.created_by,
            fingerprint=job.fingerprint,
        )
    except PlanChanged:
        return _finish(
            job,
            Status.FAILED,
            "Nothing has been imported: the programme changed after the file was checked, "
            "so the import would now do something else. Upload the file again to check it.",
        )
    except Exception:
        logger.exception("Leader import %s failed", import_id)
        status = Status.FAILED if job.attempts >= IMPORT_MAX_ATTEMPTS else Status.QUEUED
        _finish(job, status, "Nothing has been imported: something went wrong. Try again.")
        raise
    if plan.problems:
        return _finish(
            job,
            Status.FAILED,
            f"Nothing has been imported: {len(plan.problems):,} problems were found when the "
            "file was imported. Upload it again to see them.",
        )
    return _finish(job, Status.DONE, import_summary(plan))


def _finish(job: LeaderImport, status: str, result: str) -> str:
    LeaderImport.objects.filter(pk=job.pk).update(
        status=status, result=result, updated_at=timezone.now()
    )
    return status


def leader_imports_sweep(*, now=None, older_than=timedelta(minutes=1)) -> int:
    """Hand over again the imports still waiting after ``older_than``; returns how many."""
    now = now or timezone.now()
    ids = list(
        LeaderImport.objects.filter(
            status=Status.QUEUED, updated_at__lt=now - older_than
        ).values_list("pk", flat=True)[:100]
    )
    return len(ids) if ids and leader_imports_enqueue(import_ids=ids) else 0
