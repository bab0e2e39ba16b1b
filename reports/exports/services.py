"""Cohort exports' lifecycle: requested, claimed by one worker, built with progress, kept for
``EXPORT_RETENTION_HOURS``, deleted.

The row is the job (``config.jobs``, kind ``COHORT_EXPORTS``): ``cohort_export_request``
writes a queued row and enqueues after the commit, best effort, so with the broker down the
row stays queued and ``cohort_exports_sweep`` sends it later. A worker claims the row with
one conditional UPDATE that counts an attempt; a job that keeps killing its worker is given
up after ``REPORTS_MAX_ATTEMPTS``. Progress is written every ``PROGRESS_EVERY`` leaders by
an UPDATE that also checks the claim, so a worker whose claim was taken over stops. The file
gets a random name (it is never served from a media URL, but nothing should guess it either)
and is deleted with its row once the export expires.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.audit import audit_record
from accounts.models import AuditAction
from config.jobs import (
    ClaimLost,
    JobKind,
    job_claim,
    job_claimed,
    job_finish,
    jobs_enqueue,
    jobs_sweep,
)

from ..models import CohortExport, cohort_export_path
from .cohort import COHORT_HEADER, cohort_figures, cohort_rows
from .cohort_pdf import cohort_pdf_render
from .rows import LONG_HEADER, cohort_data, long_rows, summary_header, summary_rows
from .tabular import Table, csv_zip_bytes, xlsx_bytes

log = logging.getLogger(__name__)

Status = CohortExport.Status
Kind = CohortExport.Kind
PROGRESS_EVERY = 5  # leaders between progress writes
# A large cohort takes longer than a theme report; both stay well under the broker's
# visibility timeout (an hour), so a running export is never delivered twice.
EXPORT_SOFT_TIME_LIMIT = 840
EXPORT_TIME_LIMIT = 900
# Files no export row points at (a worker killed between writing and recording) go after this.
ORPHAN_GRACE = timedelta(hours=1)
QUEUED_GRACE = timedelta(minutes=2)
MAX_PENDING_PER_PROGRAMME = 3
CONTENT_TYPES = {
    Kind.CSV: "application/zip",
    Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Kind.PDF: "application/pdf",
}
EXPORTS_DIRECTORY = "exports"  # as in reports.models.cohort_export_path
EXTENSIONS = {Kind.CSV: "zip", Kind.XLSX: "xlsx", Kind.PDF: "pdf"}


class TooManyPending(Exception):
    """The programme already has as many exports waiting as one may ask for."""


def retention() -> timedelta:
    return timedelta(hours=settings.EXPORT_RETENTION_HOURS)


def max_attempts() -> int:
    return settings.REPORTS_MAX_ATTEMPTS


def claim_stale_after() -> timedelta:
    """A claim older than the task's hard time limit belongs to a task that has gone."""
    return timedelta(seconds=EXPORT_TIME_LIMIT)


# Requesting -------------------------------------------------------------------------------


@transaction.atomic
def cohort_export_request(*, programme, requested_by, kind: str, named: bool) -> CohortExport:
    """A queued export, enqueued once the transaction commits; audited.

    Refused (``TooManyPending``) while the programme already has
    ``MAX_PENDING_PER_PROGRAMME`` exports queued or running, so repeated clicks cannot pile
    up work; and (``ValidationError``) once the programme's raw ratings have been purged.
    """
    if type(programme).objects.filter(pk=programme.pk, purged_at__isnull=False).exists():
        raise ValidationError(
            "The raw ratings of this programme were deleted at the end of its retention "
            "period, so no cohort export can be made from them any more."
        )
    pending = CohortExport.objects.select_for_update().filter(
        programme=programme, status__in=[Status.QUEUED, Status.RUNNING]
    )
    if len(pending) >= MAX_PENDING_PER_PROGRAMME:
        raise TooManyPending(
            f"{MAX_PENDING_PER_PROGRAMME} exports are already being prepared. "
            "Wait for one of them to finish."
        )
    export = CohortExport.objects.create(
        programme=programme,
        requested_by=requested_by,
        kind=Kind(kind),
        named=named,
        expires_at=timezone.now() + retention(),
    )
    audit_record(
        actor=requested_by,
        action=AuditAction.EXPORT_REQUESTED,
        programme=programme,
        obj=export,
        detail=_audit_detail(export),
    )
    transaction.on_commit(lambda: cohort_exports_enqueue(export_ids=[export.pk]))
    return export


def cohort_export_downloaded(*, export: CohortExport, by) -> None:
    """Record that someone downloaded the export's file."""
    audit_record(
        actor=by,
        action=AuditAction.EXPORT_DOWNLOADED,
        programme=export.programme,
        obj=export,
        detail=_audit_detail(export),
    )


def _audit_detail(export: CohortExport) -> dict:
    return {"kind": export.get_kind_display(), "named": export.named}


def cohort_exports_enqueue(*, export_ids: list[int]) -> bool:
    """Send one build task per export. False if the broker is down (the sweeper retries);
    never waits long for it (``config.jobs.jobs_enqueue``)."""
    return jobs_enqueue(COHORT_EXPORTS, export_ids)


# Building -----------------------------------------------------------------------------------


def cohort_export_claim(*, export_id: int, take_over=False, now=None) -> CohortExport | None:
    """Claim the export for building; None when it is not this caller's to build
    (``config.jobs.job_claim``: a stale or, with ``take_over``, a redelivered claim is taken
    over; each claim counts an attempt; past the bound the export fails). An expired export
    is never claimed."""
    return job_claim(COHORT_EXPORTS, export_id, take_over=take_over, now=now)


def cohort_export_build(*, export: CohortExport) -> str:
    """Build a claimed export's file, store it and mark the export ready; the file's name.

    Progress is ``done`` of ``total`` steps: one per leader, and one for writing the file.
    """

    def progress(done, leaders):
        if done % PROGRESS_EVERY == 0 or done == leaders:
            _progress_write(export, done=done, total=leaders + 1)

    _progress_write(export, done=0, total=export.programme.assessments.count() + 1)
    data = cohort_data(programme=export.programme, named=export.named, on_progress=progress)
    content = cohort_export_content(export=export, data=data)
    name = cohort_export_path(export, _file_name(export, data))
    name = default_storage.save(name, ContentFile(content))
    finished = timezone.now()
    total = len(data.leaders) + 1
    if not job_finish(
        COHORT_EXPORTS,
        export,
        file=name,
        progress=100,
        done=total,
        total=total,
        finished_at=finished,
        expires_at=finished + retention(),
    ):
        default_storage.delete(name)
        raise ClaimLost(f"Cohort export {export.pk} was taken over while it was built.")
    log.info("Cohort export %s ready: %s (%d bytes)", export.pk, name, len(content))
    return name


def cohort_export_content(*, export: CohortExport, data) -> bytes:
    """The file's bytes, for the export's kind."""
    if export.kind == Kind.PDF:
        return cohort_pdf_render(data=data)
    cohort = cohort_rows(cohort_figures(data))
    stem = _stem(data)
    if export.kind == Kind.XLSX:
        tables = [
            Table("Scores", LONG_HEADER, long_rows(data)),
            Table("Summary", summary_header(data), summary_rows(data)),
            Table("Cohort", COHORT_HEADER, cohort),
        ]
        return xlsx_bytes(
            tables, title=f"{data.programme_name}, as of {_as_of(data)}", about=_about(data)
        )
    tables = [
        Table(f"{stem}-scores", LONG_HEADER, long_rows(data)),
        Table(f"{stem}-summary", summary_header(data), summary_rows(data)),
        Table(f"{stem}-cohort", COHORT_HEADER, cohort),
    ]
    about = "\n".join(f"{label}: {value}" for label, value in _about(data)) + "\n"
    return csv_zip_bytes(tables, about=about)


def _progress_write(export, *, done: int, total: int) -> None:
    if not job_claimed(COHORT_EXPORTS, export).update(
        done=done, total=total, progress=min(99, done * 100 // total), updated_at=timezone.now()
    ):
        raise ClaimLost(f"Cohort export {export.pk} was taken over while it was built.")


def _as_of(data) -> str:
    return timezone.localtime(data.as_of).strftime("%d %B %Y %H:%M %Z")


def _stem(data) -> str:
    day = timezone.localtime(data.as_of).date().isoformat()
    return f"lpc360-{slugify(data.programme_name)[:60] or 'programme'}-as-of-{day}"


def _file_name(export, data) -> str:
    return f"{export.pk}-{secrets.token_hex(8)}-{_stem(data)}.{EXTENSIONS[export.kind]}"


def _about(data) -> list[tuple[str, object]]:
    return [
        ("Programme", data.programme_name),
        ("As of", _as_of(data)),
        ("Leaders", len(data.leaders)),
        ("Leaders shown as", "names" if data.named else "pseudonyms (stable across exports)"),
        ("Anonymity threshold (k)", data.k),
        (
            "Note",
            "Figures a leader's report withholds to protect raters' anonymity are left "
            "empty, with the reason. Cohort figures need at least k leaders.",
        ),
        (
            "Gaps",
            "Self minus all raters' mean as the leaders' reports show them: both rounded to "
            "one decimal first, so a gap is the difference of the one-decimal figures.",
        ),
    ]


def download_name(export: CohortExport) -> str:
    """The name a download is saved under: the programme, the day and the kind."""
    stored = (export.file.name or "").rsplit("/", 1)[-1]
    # "<pk>-<random>-<stem>.<ext>": the random part is for storage only.
    parts = stored.split("-", 2)
    return parts[2] if len(parts) == 3 else stored


# Sweeping and deleting ----------------------------------------------------------------------


def cohort_exports_sweep(*, now=None) -> list[int]:
    """Re-enqueue exports left queued (broker down, message lost) or running under a stale
    claim (worker died); give up those out of attempts. Returns the ids sent."""
    return jobs_sweep(COHORT_EXPORTS, now=now)


def cohort_exports_delete_expired(*, now=None) -> int:
    """Delete every export past ``expires_at``, file first, then row, and files no export
    points at any more. Returns how many exports were deleted."""
    now = now or timezone.now()
    expired = list(CohortExport.objects.filter(expires_at__lte=now).only("pk", "file"))
    for export in expired:
        if export.file.name:
            default_storage.delete(export.file.name)
    CohortExport.objects.filter(pk__in=[e.pk for e in expired], expires_at__lte=now).delete()
    _orphans_delete(now=now)
    return len(expired)


def _orphans_delete(*, now) -> None:
    if not default_storage.exists(EXPORTS_DIRECTORY):
        return
    kept = set(CohortExport.objects.exclude(file="").values_list("file", flat=True))
    directories, _ = default_storage.listdir(EXPORTS_DIRECTORY)
    for directory in directories:
        _, files = default_storage.listdir(f"{EXPORTS_DIRECTORY}/{directory}")
        for filename in files:
            name = f"{EXPORTS_DIRECTORY}/{directory}/{filename}"
            if name not in kept and default_storage.get_modified_time(name) < now - ORPHAN_GRACE:
                default_storage.delete(name)


def _cohort_export_work(export: CohortExport) -> str:
    cohort_export_build(export=export)
    return "ready"


COHORT_EXPORTS = JobKind(
    model=CohortExport,
    running=Status.RUNNING,
    done=Status.READY,
    task="reports.export_tasks.build_cohort_export",
    work=_cohort_export_work,
    max_attempts=max_attempts,
    stale_after=claim_stale_after,
    queued_grace=QUEUED_GRACE,
    live=lambda now: Q(expires_at__gt=now),
    select_related=("programme__framework",),
)
