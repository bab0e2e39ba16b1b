"""Big leader imports run by a worker, with a page that shows how far they have got.

A file of more than IMPORT_IN_REQUEST_MAX_ROWS leaders is not imported in the request that
confirms it: the checked rows are saved as a ``LeaderImport`` row in that request, handed
to a worker after commit, and the admin waits on its page. The row is a ``config.jobs``
job: the worker claims it (one claim per attempt, at most IMPORT_MAX_ATTEMPTS), runs the
same all-or-nothing
``leaders_import`` against the programme as it is then, and records what happened. If
the broker was down, or the worker died, ``leader_imports_sweep`` hands the row over again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from accounts.models import User
from config.jobs import JobKind, job_fail, job_finish, job_run, jobs_enqueue, jobs_sweep

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
    return jobs_enqueue(LEADER_IMPORTS, import_ids)


def leader_import_run(*, import_id: int) -> str | None:
    """Import one queued file, once. Returns its new status, or None if it was not ours.
    An unexpected error is re-raised (for a retry) while attempts are left."""
    return job_run(LEADER_IMPORTS, import_id)


def _leader_import_work(job: LeaderImport) -> str:
    if job.created_by is None:  # their account was erased while the file waited
        return _failed(job, None, "Nothing has been imported: who uploaded the file is unknown.")
    try:
        plan = leaders_import(
            programme=job.programme,
            leader_file=LeaderFile.from_data(job.leader_file),
            by=job.created_by,
            fingerprint=job.fingerprint,
        )
    except PlanChanged as exc:
        return _failed(
            job,
            exc,
            "Nothing has been imported: the programme changed after the file was checked, "
            "so the import would now do something else. Upload the file again to check it.",
        )
    except Exception:
        LeaderImport.objects.filter(pk=job.pk).update(
            result="Nothing has been imported: something went wrong. Try again."
        )
        raise
    if plan.problems:
        return _failed(
            job,
            None,
            f"Nothing has been imported: {len(plan.problems):,} problems were found when the "
            "file was imported. Upload it again to see them.",
        )
    job_finish(LEADER_IMPORTS, job, result=import_summary(plan))
    return Status.DONE


def _failed(job: LeaderImport, error: BaseException | None, result: str) -> str:
    LeaderImport.objects.filter(pk=job.pk).update(result=result)
    job_fail(LEADER_IMPORTS, job, error or ValueError(result), final=True, message=result)
    return Status.FAILED


def leader_imports_sweep(*, now=None, older_than=timedelta(minutes=1)) -> int:
    """Hand over again the imports still waiting after ``older_than``, and those whose
    worker died; returns how many."""
    return len(jobs_sweep(LEADER_IMPORTS, now=now, grace=older_than, limit=100))


LEADER_IMPORTS = JobKind(
    model=LeaderImport,
    running=Status.RUNNING,
    done=Status.DONE,
    task="assessments.tasks.run_leader_import",
    work=_leader_import_work,
    max_attempts=lambda: IMPORT_MAX_ATTEMPTS,
    stale_after=lambda: timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
    queued_grace=timedelta(minutes=1),
    select_related=("programme", "created_by"),
    label="Leader import",
)
