"""The exports pages: listing with progress, asking for an export, downloading it, by role."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from reports.models import CohortExport
from tests.factories import ProgrammeFactory, UserFactory

# The site's URLs with the exports' included, whether or not config/urls.py has them yet.

Status = CohortExport.Status


@pytest.fixture
def post_export(programme_admin_client, programme, django_capture_on_commit_callbacks):
    def post(data, pk=None):
        with django_capture_on_commit_callbacks(execute=True):
            return programme_admin_client.post(
                f"/programmes/{pk or programme.pk}/exports/new/", data
            )

    return post


def _queued(programme, **fields):
    return CohortExport.objects.create(
        programme=programme, kind="xlsx", expires_at=timezone.now() + timedelta(hours=72), **fields
    )


def test_an_admin_asks_for_an_export_and_downloads_it(
    cohort, programme, programme_admin_client, post_export
):
    response = post_export({"kind": "xlsx", "leaders": "named"})

    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{programme.pk}/exports/"
    export = CohortExport.objects.get(programme=programme)
    assert (export.kind, export.named, export.status) == ("xlsx", True, Status.READY)

    page = programme_admin_client.get(f"/programmes/{programme.pk}/exports/").content.decode()
    download = f"/programmes/{programme.pk}/exports/{export.pk}/download/"
    assert download in page
    assert "Ready" in page and "As of" in page
    assert "data-auto-refresh" not in page

    response = programme_admin_client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        ".xlsx" in response["Content-Disposition"] and "-as-of-" in response["Content-Disposition"]
    )
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["Scores", "Summary", "Cohort", "About"]


def test_a_csv_export_is_a_zip_of_csv_files(cohort, programme, programme_admin_client, post_export):
    post_export({"kind": "csv", "leaders": "anonymised"})
    export = CohortExport.objects.get(programme=programme)

    response = programme_admin_client.get(
        f"/programmes/{programme.pk}/exports/{export.pk}/download/"
    )

    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        names = archive.namelist()
    assert sorted(n.rsplit("-", 1)[-1] for n in names) == [
        "about.txt",
        "cohort.csv",
        "scores.csv",
        "summary.csv",
    ]


def test_the_list_refreshes_itself_while_an_export_is_pending(programme, programme_admin_client):
    _queued(programme)

    page = programme_admin_client.get(f"/programmes/{programme.pk}/exports/").content.decode()

    assert 'data-auto-refresh="3"' in page
    assert "Check again" in page
    assert "{#" not in page and "comment %}" not in page  # no template text leaks
    assert "Waiting" in page and "<progress" in page
    assert "<script>" not in page.split("</head>")[1]
    assert f"/programmes/{programme.pk}/exports/new/" in page


@pytest.mark.parametrize(
    "data, error",
    [
        ({}, "Choose a format"),
        ({"kind": "docx", "leaders": "named"}, "Choose a format"),
        ({"kind": "csv", "leaders": "everyone"}, "Choose how leaders are shown"),
        ({"kind": "csv" * 10_000, "leaders": "named"}, "Choose a format"),
    ],
)
def test_a_bad_request_is_a_form_error(programme, post_export, data, error):
    response = post_export(data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not CohortExport.objects.exists()


def test_a_bad_request_keeps_what_was_chosen(programme, post_export):
    page = post_export({"kind": "pdf"}).content.decode()

    assert re.search(r'value="pdf"[^>]* checked', page)
    assert "Choose how leaders are shown" in page


def test_too_many_pending_exports_is_a_form_error(programme, post_export):
    for _ in range(3):
        _queued(programme)

    response = post_export({"kind": "pdf", "leaders": "anonymised"})

    assert response.status_code == 200
    assert "already being prepared" in response.content.decode()
    assert CohortExport.objects.count() == 3


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/programmes/{pk}/exports/"),
        ("get", "/programmes/{pk}/exports/new/"),
        ("post", "/programmes/{pk}/exports/new/"),
        ("get", "/programmes/{pk}/exports/{export}/download/"),
    ],
)
def test_another_programmes_admin_and_a_leader_get_404(
    client, programme, leader, method, url, cohort, post_export
):
    post_export({"kind": "csv", "leaders": "named"})
    export = CohortExport.objects.get()
    other_admin = UserFactory()
    ProgrammeFactory(framework=programme.framework).admins.add(other_admin)
    target = url.format(pk=programme.pk, export=export.pk)

    for user in (other_admin, leader):
        client.force_login(user)
        response = getattr(client, method)(target, {"kind": "csv", "leaders": "named"})
        assert response.status_code == 404
    assert CohortExport.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, programme):
    response = client.get(f"/programmes/{programme.pk}/exports/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_nothing_but_a_ready_unexpired_export_of_this_programme_downloads(
    cohort, programme, programme_admin, programme_admin_client, post_export
):
    post_export({"kind": "csv", "leaders": "named"})
    ready = CohortExport.objects.get()
    queued = _queued(programme)
    other = ProgrammeFactory(framework=programme.framework)
    other.admins.add(programme_admin)

    def status(pk, export_pk):
        return programme_admin_client.get(
            f"/programmes/{pk}/exports/{export_pk}/download/"
        ).status_code

    assert status(programme.pk, ready.pk) == 200
    assert status(programme.pk, queued.pk) == 404
    assert status(programme.pk, 987654) == 404
    assert status(other.pk, ready.pk) == 404  # their programme, not this export's
    with time_machine.travel(ready.expires_at + timedelta(minutes=1)):
        assert status(programme.pk, ready.pk) == 404
        page = programme_admin_client.get(f"/programmes/{programme.pk}/exports/").content.decode()
        assert f"/exports/{ready.pk}/download/" not in page


def test_a_missing_file_is_a_404(cohort, programme, programme_admin_client, post_export):
    post_export({"kind": "csv", "leaders": "named"})
    export = CohortExport.objects.get()
    export.file.storage.delete(export.file.name)

    response = programme_admin_client.get(
        f"/programmes/{programme.pk}/exports/{export.pk}/download/"
    )

    assert response.status_code == 404


def test_the_form_has_a_page_of_its_own_that_never_refreshes(programme, programme_admin_client):
    _queued(programme)

    page = programme_admin_client.get(f"/programmes/{programme.pk}/exports/new/").content.decode()

    assert 'name="kind"' in page and 'name="leaders"' in page
    assert 'http-equiv="refresh"' not in page  # a refresh would wipe the admin's choices
