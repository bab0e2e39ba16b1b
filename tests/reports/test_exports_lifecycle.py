"""Cohort exports' lifecycle, with Celery running tasks in process (settings.test)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from config.celery import app as celery_app
from reports import export_tasks
from reports.exports import services
from reports.exports.services import (
    TooManyPending,
    cohort_export_claim,
    cohort_export_request,
    cohort_exports_sweep,
)
from reports.models import CohortExport
from tests.reports.test_pipeline import _forget_connections

Status = CohortExport.Status


# The PDF is not the subject here: a tiny stand-in instead of a WeasyPrint render.
pytestmark = pytest.mark.usefixtures("fake_pdf")


@pytest.fixture
def request_export(programme, programme_admin, django_capture_on_commit_callbacks):
    """cohort_export_request, with its after-commit enqueue run (tasks run in process)."""

    def run(kind="xlsx", named=False):
        with django_capture_on_commit_callbacks(execute=True):
            export = cohort_export_request(
                programme=programme, requested_by=programme_admin, kind=kind, named=named
            )
        export.refresh_from_db()
        return export

    return run


@pytest.mark.parametrize("kind", ["csv", "xlsx", "pdf"])
def test_an_export_is_built_to_ready_with_full_progress(cohort, request_export, kind):
    export = request_export(kind=kind)

    assert export.status == Status.READY
    assert (export.progress, export.done, export.total) == (100, 5, 5)  # 4 leaders + the file
    assert export.attempts == 1 and export.last_error == ""
    assert export.file.name.endswith({"csv": ".zip", "xlsx": ".xlsx", "pdf": ".pdf"}[kind])
    assert default_storage.exists(export.file.name)
    assert export.finished_at is not None
    assert export.expires_at == export.finished_at + timedelta(hours=72)


def test_progress_is_written_as_the_leaders_are_done(cohort, programme, monkeypatch):
    seen = []
    real_write = services._progress_write

    def recording_write(export, *, done, total):
        real_write(export, done=done, total=total)
        seen.append(CohortExport.objects.values_list("done", "total", "progress").get())

    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(services, "_progress_write", recording_write)
    export = CohortExport.objects.create(
        programme=programme, kind="csv", expires_at=timezone.now() + timedelta(hours=1)
    )
    export_tasks.build_cohort_export(export.pk)

    assert seen == [(0, 5, 0), (2, 5, 40), (4, 5, 80)]
    export.refresh_from_db()
    assert (export.done, export.total, export.progress) == (5, 5, 100)


def test_the_retention_comes_from_the_setting(cohort, request_export, settings):
    settings.EXPORT_RETENTION_HOURS = 5

    export = request_export()

    assert export.expires_at == export.finished_at + timedelta(hours=5)


def test_a_build_that_always_fails_gives_up_after_the_attempts(cohort, request_export, monkeypatch):
    def exploding(**kwargs):
        raise RuntimeError("the writer exploded")

    monkeypatch.setattr(services, "cohort_export_content", exploding)

    export = request_export()

    assert export.status == Status.FAILED
    assert export.attempts == 3
    assert "RuntimeError: the writer exploded" in export.last_error
    assert not export.file


def test_only_one_of_two_claims_wins_and_a_redelivery_takes_over(programme):
    export = CohortExport.objects.create(
        programme=programme, kind="csv", expires_at=timezone.now() + timedelta(hours=1)
    )

    assert cohort_export_claim(export_id=export.pk) is not None
    assert cohort_export_claim(export_id=export.pk) is None
    assert cohort_export_claim(export_id=export.pk, take_over=True) is not None
    export.refresh_from_db()
    assert export.attempts == 2


def test_with_the_broker_down_the_export_stays_queued_until_the_sweeper_sends_it(
    cohort, request_export
):
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    _forget_connections()
    try:
        export = request_export()  # does not raise
    finally:
        celery_app.conf.update(saved)
        _forget_connections()

    assert export.status == Status.QUEUED
    assert cohort_exports_sweep() == []  # too early: it may still be on its way
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert export_tasks.sweep_cohort_exports() == 1

    export.refresh_from_db()
    assert export.status == Status.READY


def test_the_sweeper_recovers_an_export_whose_worker_died(cohort, programme):
    export = CohortExport.objects.create(
        programme=programme, kind="csv", expires_at=timezone.now() + timedelta(hours=1)
    )
    cohort_export_claim(export_id=export.pk)  # and the worker dies

    assert cohort_exports_sweep() == []  # the claim is fresh: its task may still be running
    later = timezone.now() + timedelta(seconds=services.EXPORT_TIME_LIMIT + 1)
    with time_machine.travel(later):
        assert cohort_exports_sweep() == [export.pk]

    export.refresh_from_db()
    assert export.status == Status.READY and export.attempts == 2


def test_expired_exports_and_their_files_are_deleted(cohort, request_export, programme):
    export = request_export()
    name = export.file.name
    queued = CohortExport.objects.create(
        programme=programme, kind="pdf", expires_at=timezone.now() + timedelta(hours=72)
    )

    with time_machine.travel(timezone.now() + timedelta(hours=71)):
        assert export_tasks.delete_expired_cohort_exports() == 0
    assert default_storage.exists(name)

    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        assert export_tasks.delete_expired_cohort_exports() == 2

    assert not CohortExport.objects.filter(pk__in=[export.pk, queued.pk]).exists()
    assert not default_storage.exists(name)


def test_a_file_no_export_points_at_is_deleted_once_old(cohort, request_export, programme):
    export = request_export()
    orphan = default_storage.save(f"exports/{programme.pk}/999-left-behind.xlsx", ContentFile(b"x"))

    export_tasks.delete_expired_cohort_exports()
    assert default_storage.exists(orphan)  # it may be a build about to be recorded

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        export_tasks.delete_expired_cohort_exports()
    assert not default_storage.exists(orphan)
    assert default_storage.exists(export.file.name)


def test_an_expired_queued_export_is_never_built(programme):
    export = CohortExport.objects.create(
        programme=programme, kind="csv", expires_at=timezone.now() - timedelta(minutes=1)
    )

    assert export_tasks.build_cohort_export(export.pk) == "not claimed"
    export.refresh_from_db()
    assert export.status == Status.QUEUED


def test_requests_pile_up_only_to_a_bound(programme, programme_admin):
    for _ in range(services.MAX_PENDING_PER_PROGRAMME):  # not enqueued: no commit here
        cohort_export_request(
            programme=programme, requested_by=programme_admin, kind="csv", named=False
        )

    with pytest.raises(TooManyPending):
        cohort_export_request(
            programme=programme, requested_by=programme_admin, kind="csv", named=False
        )


def test_the_tasks_go_to_the_reports_queue():
    for task in (
        export_tasks.build_cohort_export,
        export_tasks.sweep_cohort_exports,
        export_tasks.delete_expired_cohort_exports,
    ):
        assert task.queue == "reports"
        assert task.name.startswith("reports.export_tasks.")


@pytest.mark.parametrize("kind", ["csv", "xlsx", "pdf"])
def test_a_programme_without_leaders_still_exports(request_export, kind):
    export = request_export(kind=kind)

    assert export.status == Status.READY
    assert (export.done, export.total, export.progress) == (1, 1, 100)
