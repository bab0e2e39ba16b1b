"""A big file of leaders is imported by a worker, and the admin follows it on a page."""

import re

from django.urls import reverse

from accounts.models import OutboxEmail
from assessments.models import Assessment, LeaderImport
from assessments.services.import_jobs import leader_import_run, leader_imports_sweep

from .conftest import csv_upload


def _rows(n):
    return [
        (f"Leader {chr(65 + i % 26)}{chr(65 + i // 26)}", f"l{i}@example.nhs.uk") for i in range(n)
    ]


def _confirm(client, programme):
    check = reverse("imports:check", args=[programme.pk])
    page = client.get(check).content.decode()
    data = {
        name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
        for name in ("token", "fingerprint")
    }
    return client.post(check, data)


def test_a_file_over_the_limit_is_imported_by_a_worker_with_a_progress_page(
    admin_client, programme, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_IN_REQUEST_MAX_ROWS = 5
    upload = reverse("imports:upload", args=[programme.pk])
    headings = ("name", "email")
    assert admin_client.post(upload, {"file": csv_upload(_rows(8), headings)}).status_code == 302
    with django_capture_on_commit_callbacks(execute=False) as handed_over:
        confirmed = _confirm(admin_client, programme)
    job = LeaderImport.objects.get()
    progress = reverse("imports:progress", args=[programme.pk, job.pk])
    assert confirmed["Location"] == progress
    # Not imported in the request: the worker has not run yet.
    assert not Assessment.objects.filter(programme=programme).exists()
    waiting = admin_client.get(progress).content.decode()
    assert "Importing 8 leaders" in waiting and "Waiting to start" in waiting
    assert "Check again" in waiting

    with django_capture_on_commit_callbacks(execute=True):
        for callback in handed_over:
            callback()  # tasks run in process in the tests: the worker's job, here
    job.refresh_from_db()
    assert job.status == LeaderImport.Status.DONE
    assert Assessment.objects.filter(programme=programme).count() == 8
    assert OutboxEmail.objects.filter(kind="account_invitation").count() == 8
    done = admin_client.get(progress).content.decode()
    assert "Import complete: 8 new leaders added" in done and "Check again" not in done
    assert leader_import_run(import_id=job.pk) is None  # handed over again: nothing twice
    assert Assessment.objects.filter(programme=programme).count() == 8


def test_a_file_within_the_limit_is_imported_in_the_request(admin_client, programme):
    upload = reverse("imports:upload", args=[programme.pk])
    admin_client.post(upload, {"file": csv_upload(_rows(3), ("name", "email"))})
    assert _confirm(admin_client, programme)["Location"] == reverse(
        "programmes:detail", args=[programme.pk]
    )
    assert not LeaderImport.objects.exists()


def test_an_import_the_broker_never_got_is_swept_up(programme, programme_admin, settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from assessments.forms.imports import leader_file_read
    from assessments.services.import_jobs import leader_import_queue
    from assessments.services.imports import leader_import_plan

    leader_file = leader_file_read(upload=csv_upload(_rows(2), ("name", "email")))
    plan = leader_import_plan(programme=programme, leader_file=leader_file)
    job = leader_import_queue(
        programme=programme,
        leader_file=leader_file,
        fingerprint=plan.fingerprint(),
        by=programme_admin,
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert leader_imports_sweep() == 1  # tasks run in process: imported now
    job.refresh_from_db()
    assert job.status == LeaderImport.Status.DONE


def test_an_import_whose_worker_died_is_swept_up(programme, programme_admin, settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from assessments.forms.imports import leader_file_read
    from assessments.services.import_jobs import LEADER_IMPORTS, leader_import_queue
    from assessments.services.imports import leader_import_plan
    from config.jobs import job_claim

    leader_file = leader_file_read(upload=csv_upload(_rows(2), ("name", "email")))
    plan = leader_import_plan(programme=programme, leader_file=leader_file)
    job = leader_import_queue(
        programme=programme,
        leader_file=leader_file,
        fingerprint=plan.fingerprint(),
        by=programme_admin,
    )
    job_claim(LEADER_IMPORTS, job.pk)  # and its worker dies: the row stays "running"

    assert leader_imports_sweep() == 0  # a fresh claim: its worker may still be at it
    later = timezone.now() + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    with time_machine.travel(later):
        assert leader_imports_sweep() == 1  # tasks run in process: imported now
    job.refresh_from_db()
    assert (job.status, job.attempts) == (LeaderImport.Status.DONE, 2)


def test_an_import_whose_uploader_was_erased_imports_nothing_and_says_why(
    programme, programme_admin, django_capture_on_commit_callbacks
):
    from assessments.forms.imports import leader_file_read
    from assessments.services.import_jobs import leader_import_queue
    from assessments.services.imports import leader_import_plan

    leader_file = leader_file_read(upload=csv_upload(_rows(2), ("name", "email")))
    plan = leader_import_plan(programme=programme, leader_file=leader_file)
    with django_capture_on_commit_callbacks(execute=False):
        job = leader_import_queue(
            programme=programme,
            leader_file=leader_file,
            fingerprint=plan.fingerprint(),
            by=programme_admin,
        )
    LeaderImport.objects.filter(pk=job.pk).update(created_by=None)

    assert leader_import_run(import_id=job.pk) == LeaderImport.Status.FAILED
    job.refresh_from_db()
    assert "who uploaded the file is unknown" in job.result
    assert not Assessment.objects.filter(programme=programme).exists()
