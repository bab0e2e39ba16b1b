"""Every generated file goes through Django's storage API, so a bucket works by setting.

The default storage is swapped for an in-memory one that records what is stored, read and
deleted: theme reports, released versions and cohort
exports are written to it, downloads are read from it, and re-renders, expiry and erasure
delete from it. Nothing lands in MEDIA_ROOT.
"""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.storage import InMemoryStorage, default_storage, storages
from django.utils import timezone

from assessments.models import Rating
from assessments.services.erasure import leader_erase
from reports.exports.services import cohort_export_request, cohort_exports_delete_expired
from reports.models import CohortExport, ReleasedThemeReport, ThemeReport
from reports.release import programme_reports_release
from reports.services import reports_generate
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("fake_pdf")


class RecordingMemoryStorage(InMemoryStorage):
    """Files in memory; ``log`` lists ("save" | "open" | "delete", name)."""

    log: list[tuple[str, str]] = []

    def _save(self, name, content):
        name = super()._save(name, content)
        self.log.append(("save", name))
        return name

    def _open(self, name, mode="rb"):
        self.log.append(("open", name))
        return super()._open(name, mode)

    def delete(self, name):
        self.log.append(("delete", name))
        super().delete(name)


@pytest.fixture
def storage(settings):
    RecordingMemoryStorage.log = []
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.reports.test_storage.RecordingMemoryStorage"},
    }
    assert isinstance(storages["default"], RecordingMemoryStorage)
    yield default_storage
    local = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert local == [], "generated files were written to the local disk"


def _saved(prefix: str) -> set[str]:
    return {
        name for op, name in RecordingMemoryStorage.log if op == "save" and name.startswith(prefix)
    }


def _log(op: str) -> list[str]:
    return [name for what, name in RecordingMemoryStorage.log if what == op]


@pytest.fixture
def generated(rated_assessment, django_capture_on_commit_callbacks):
    programme = rated_assessment.programme
    programme.closed_at = timezone.now()
    programme.save()
    with django_capture_on_commit_callbacks(execute=True):
        reports_generate(assessment=rated_assessment)
    return rated_assessment


def test_theme_reports_are_stored_through_the_storage_api(storage, generated):
    reports = ThemeReport.objects.filter(assessment=generated)

    assert {r.status for r in reports} == {ThemeReport.Status.READY}
    assert {r.file.name for r in reports} == _saved("reports/")
    for report in reports:
        with storage.open(report.file.name) as handle:
            assert handle.read().startswith(b"%PDF")


def test_a_render_of_changed_data_replaces_the_old_file_in_the_storage(
    storage, generated, django_capture_on_commit_callbacks
):
    before = ThemeReport.objects.get(assessment=generated, theme__slug="being").file.name
    rating = Rating.objects.filter(
        response__assessment=generated,
        statement__quality__theme__slug="being",
        response__rater_group="peer",
        value__isnull=False,
    ).first()
    rating.value = 1 if rating.value != 1 else 5
    rating.save()

    with django_capture_on_commit_callbacks(execute=True):
        reports_generate(assessment=generated)

    after = ThemeReport.objects.get(assessment=generated, theme__slug="being").file.name
    assert after != before and storage.exists(after)
    assert not storage.exists(before) and before in _log("delete")


def test_a_released_report_is_stored_and_downloaded_through_the_storage(
    storage, generated, client, leader
):
    programme_reports_release(programme=generated.programme, by=None)
    released = ReleasedThemeReport.objects.get(version__assessment=generated, theme__slug="being")
    assert released.file.name in _saved("")
    with storage.open(released.file.name) as handle:
        stored = handle.read()
    RecordingMemoryStorage.log.clear()

    client.force_login(leader)
    response = client.get(f"/reports/{generated.pk}/being/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert _log("open") == [released.file.name]


def test_erasing_a_leader_deletes_their_report_files_from_the_storage(
    storage, generated, django_capture_on_commit_callbacks
):
    programme_reports_release(programme=generated.programme, by=None)
    names = {r.file.name for r in ThemeReport.objects.filter(assessment=generated)} | {
        r.file.name for r in ReleasedThemeReport.objects.filter(version__assessment=generated)
    }
    assert len(names) == 8 and all(storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        leader_erase(assessment=generated, by=UserFactory(is_superuser=True, is_staff=True))

    assert [name for name in names if storage.exists(name)] == []


def test_a_cohort_export_is_stored_downloaded_and_deleted_through_the_storage(
    storage,
    cohort,
    programme,
    programme_admin,
    programme_admin_client,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        export = cohort_export_request(
            programme=programme, requested_by=programme_admin, kind="csv", named=False
        )
    export.refresh_from_db()
    assert export.status == CohortExport.Status.READY
    assert _saved("exports/") == {export.file.name}

    response = programme_admin_client.get(
        f"/programmes/{programme.pk}/exports/{export.pk}/download/"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert export.file.name in _log("open")

    with time_machine.travel(export.expires_at + timedelta(minutes=1)):
        assert cohort_exports_delete_expired() == 1
    assert not storage.exists(export.file.name)
