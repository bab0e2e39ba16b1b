"""Theme reports' lifecycle: requested, claimed by one worker, rendered once per inputs, stored.

The database row is the job (``config.jobs``, kind ``THEME_REPORTS``). ``reports_generate``
writes queued rows and enqueues after the commit, best effort: with the broker down the rows
stay queued and ``reports_sweep`` sends them later. A worker claims a row with one
conditional UPDATE, so two deliveries of the same job never render it together, and every
claim counts an attempt in the row: a job that keeps killing its worker is given up once
``REPORTS_MAX_ATTEMPTS`` is reached. A report whose inputs hash matches its stored file is
not rendered again. One report owns one file: its name is deterministic, it is written
through Django's storage API (``default_storage``: the local disk, or a bucket by setting)
and the previous one is deleted.
"""

import logging
import posixpath
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, Programme
from config.jobs import JobKind, job_claim, job_finish, jobs_enqueue, jobs_sweep

from .models import ThemeReport, theme_report_path
from .pdf import pdf_render
from .report_context import THEME_REPORT_TEMPLATE, theme_report_content

log = logging.getLogger(__name__)

Status = ThemeReport.Status
# A queued report nobody has claimed for this long was probably never enqueued.
QUEUED_GRACE = timedelta(minutes=2)


def max_attempts() -> int:
    return settings.REPORTS_MAX_ATTEMPTS


def claim_stale_after() -> timedelta:
    """A claim older than the hard time limit belongs to a task that is no longer running."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def report_is_released(*, assessment: Assessment) -> bool:
    """Whether the leader may read the reports.

    Released on its own (``assessment.released_at``: by the facilitator after the debrief,
    or again after a reopen); otherwise with the whole programme (``programme.released_at``,
    stamped at the close of an on-close programme, or by an admin), unless it was reopened
    since. An on-close programme past its closing time counts as released even before the
    close task has stamped it.
    """
    if assessment.released_at is not None:
        return True
    if assessment.reopened_at is not None:
        return False
    programme = assessment.programme
    if programme.released_at is not None:
        return True
    return programme.release_mode == Programme.ReleaseMode.ON_CLOSE and programme.is_closed


def reports_frozen(*, assessment: Assessment) -> bool:
    """Released by a recorded release: its ready reports are never rendered again until an
    admin reopens them (PRODUCT.md, promise 6). The reports rendered at an on-close
    programme's close are rendered before the release is stamped, so they are the ones
    released."""
    return report_is_released(assessment=assessment) and (
        assessment.released_at is not None or assessment.programme.released_at is not None
    )


def reports_refuse_if_purged(*, programme: Programme) -> None:
    if programme.purged_at is not None:
        purged = timezone.localtime(programme.purged_at)
        day = f"{purged.day} {purged:%B %Y}"
        raise ValidationError(
            f"The raw ratings and comments of {programme.name} were deleted on {day}, at the "
            "end of its retention period, so its reports cannot be generated again. The "
            "released PDF reports are kept."
        )


@dataclass(frozen=True)
class ThemeReportStatus:
    """One theme's report as a progress page shows it."""

    theme: object
    report: ThemeReport | None

    @property
    def status(self) -> str:
        return self.report.status if self.report else ""

    @property
    def label(self) -> str:
        if self.report is None:
            return "Not generated yet"
        return {
            Status.QUEUED: "Waiting to be generated",
            Status.RENDERING: "Being generated",
            Status.READY: "Ready",
            Status.FAILED: "Could not be generated",
        }[Status(self.report.status)]

    @property
    def pending(self) -> bool:
        return self.status in (Status.QUEUED, Status.RENDERING)

    @property
    def ready(self) -> bool:
        return self.status == Status.READY


def theme_report_statuses(*, assessment: Assessment) -> list[ThemeReportStatus]:
    """Each theme of the assessment's framework with its report, if one was requested."""
    reports = {r.theme_id: r for r in ThemeReport.objects.filter(assessment=assessment)}
    themes = assessment.programme.framework.themes.order_by("order")
    return [ThemeReportStatus(theme=theme, report=reports.get(theme.pk)) for theme in themes]


# Requesting -------------------------------------------------------------------------------


@transaction.atomic
def reports_generate(*, assessment: Assessment) -> list[ThemeReport]:
    """One queued report per theme of the assessment's framework, enqueued after commit.

    Refused (``ValidationError``) once the programme's raw data has been purged. A released
    assessment's ready reports are frozen and left out. Otherwise a report already ready is
    queued again too; its task finds the same inputs and leaves
    the file alone, or renders it anew if ratings changed. Attempts start again from zero.
    """
    return _reports_request(assessments=[assessment])


@transaction.atomic
def reports_generate_for_programme(*, programme: Programme) -> list[ThemeReport]:
    """``reports_generate`` for every assessment of the programme, enqueued as one group."""
    assessments = list(programme.assessments.select_related("programme__framework"))
    return _reports_request(assessments=assessments)


def _reports_request(*, assessments) -> list[ThemeReport]:
    """Reports of a released assessment that are ready are left alone (frozen); missing or
    failed ones are still rendered. Nothing is rendered for a purged programme."""
    from .versions import late_responses_admit, version_changed

    reports = []
    for assessment in assessments:
        reports_refuse_if_purged(programme=assessment.programme)
        # Late responses join only if comparing versions can single no one out.
        late_responses_admit(assessment=assessment)
        # Released reports are kept as released (in their version); the working copies are
        # rendered again only when a new version can follow.
        frozen = reports_frozen(assessment=assessment) and not version_changed(
            assessment=assessment
        )
        for theme in assessment.programme.framework.themes.order_by("order"):
            report, _ = ThemeReport.objects.get_or_create(assessment=assessment, theme=theme)
            if not (frozen and report.status == Status.READY):
                reports.append(report)
    ids = [report.pk for report in reports]
    ThemeReport.objects.filter(pk__in=ids).update(
        status=Status.QUEUED, attempts=0, claimed_at=None, last_error="", updated_at=timezone.now()
    )
    transaction.on_commit(lambda: reports_enqueue(report_ids=ids))
    return list(ThemeReport.objects.filter(pk__in=ids).select_related("theme"))


def reports_enqueue(*, report_ids: list[int]) -> bool:
    """Send one render task per report. False if the broker is down (the sweeper retries);
    never waits long for it (``config.jobs.jobs_enqueue``)."""
    return jobs_enqueue(THEME_REPORTS, report_ids)


# Working on one report ----------------------------------------------------------------------


def theme_report_claim(*, report_id: int, take_over: bool = False, now=None) -> ThemeReport | None:
    """Claim the report for rendering; None when it is not this caller's to render
    (``config.jobs.job_claim``: a stale or, with ``take_over``, a redelivered claim is taken
    over; each claim counts an attempt; past the bound the report fails)."""
    return job_claim(THEME_REPORTS, report_id, take_over=take_over, now=now)


def theme_report_render(*, report: ThemeReport) -> bool:
    """Render a claimed report and mark it ready. False if its file was already up to date.

    The file is written under a name derived from the inputs hash, atomically; the
    report's other files are deleted once the row points at the new one. If the claim was
    lost meanwhile (a new generation was requested, or a sweeper took over), the row is left
    to its new owner.
    """
    content = theme_report_content(assessment=report.assessment, theme=report.theme)
    if (
        report.inputs_hash == content.inputs_hash
        and report.file.name
        and default_storage.exists(report.file.name)
    ):
        _finish(report, name=report.file.name, inputs_hash=content.inputs_hash, rendered=False)
        _versions_fill(report)
        return False
    started = time.monotonic()
    pdf = pdf_render(template_name=THEME_REPORT_TEMPLATE, context=content.context)
    name = _file_write(report, inputs_hash=content.inputs_hash, pdf=pdf)
    log.info("Rendered %s in %.2f s (%d bytes)", name, time.monotonic() - started, len(pdf))
    if _finish(report, name=name, inputs_hash=content.inputs_hash, rendered=True):
        _files_delete_others(report, keep=name)
        _versions_fill(report)
    else:
        current = ThemeReport.objects.filter(pk=report.pk).values_list("file", flat=True).first()
        if current != name:
            default_storage.delete(name)
    return True


def _versions_fill(report) -> None:
    """A released version waiting for this report can now be filled (reports.versions)."""
    from .versions import versions_fill_pending

    versions_fill_pending(assessment_id=report.assessment_id)


def _finish(report, *, name, inputs_hash, rendered) -> bool:
    fields = {"file": name, "inputs_hash": inputs_hash}
    if rendered:
        fields["generated_at"] = timezone.now()
    return job_finish(THEME_REPORTS, report, **fields)


def _file_prefix(report) -> str:
    return f"{report.assessment_id}-{report.theme_id}-"


def _file_write(report, *, inputs_hash: str, pdf: bytes) -> str:
    """Store the PDF under its name, through the storage API (any backend: the local disk,
    or an S3-compatible bucket). Readers never see a half-written file: the row points at
    the new name only once it is stored. A file already under that name was left by an
    attempt that did not finish (same inputs, so the same PDF): it is replaced."""
    filename = f"{_file_prefix(report)}{report.theme.slug}-{inputs_hash[:12]}.pdf"
    name = theme_report_path(report, filename)
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(pdf))


def _files_delete_others(report, *, keep: str) -> None:
    """Delete the report's files other than ``keep``: earlier renders, and files left by
    attempts that did not finish."""
    directory = posixpath.dirname(keep)
    _, files = default_storage.listdir(directory)
    prefix = _file_prefix(report)
    for filename in files:
        name = f"{directory}/{filename}"
        if name != keep and (
            (filename.startswith(prefix) and filename.endswith(".pdf"))
            # partial writes of the earlier local-disk writer
            or (filename.startswith(f".{prefix}") and filename.endswith(".part"))
        ):
            default_storage.delete(name)


# Sweeping -----------------------------------------------------------------------------------


def reports_sweep(*, now=None) -> list[int]:
    """Re-enqueue reports left behind; give up those out of attempts. Returns the ids sent.

    Left behind: queued and untouched for ``QUEUED_GRACE`` (the broker was down, or the
    message was lost), or rendering under a stale claim (the worker died).
    """
    return jobs_sweep(THEME_REPORTS, now=now)


def _theme_report_work(report: ThemeReport) -> str:
    return "rendered" if theme_report_render(report=report) else "unchanged"


THEME_REPORTS = JobKind(
    model=ThemeReport,
    running=Status.RENDERING,
    done=Status.READY,
    task="reports.tasks.render_theme_report",
    work=_theme_report_work,
    max_attempts=max_attempts,
    stale_after=claim_stale_after,
    queued_grace=QUEUED_GRACE,
    select_related=("assessment__programme__framework", "assessment__leader", "theme"),
)
