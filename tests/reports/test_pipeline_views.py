"""The reports' web pages: progress, the HTML report, downloads and generating, by role."""

from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reports.models import ReleasedThemeReport, ReportVersion, ThemeReport
from reports.services import reports_generate
from tests.factories import AssessmentFactory, UserFactory
from tests.reports.test_pdf_report import SCRIPT_COMMENT

# The site's URLs with the reports' included, whether or not config/urls.py has them yet.

Status = ThemeReport.Status


# The PDF is not the subject here: a tiny stand-in instead of a WeasyPrint render.
pytestmark = pytest.mark.usefixtures("fake_pdf")


@pytest.fixture
def closed(rated_assessment):
    assessment = rated_assessment
    programme = assessment.programme
    programme.closed_at = timezone.now()
    programme.save()
    return assessment


@pytest.fixture
def generated(closed, django_capture_on_commit_callbacks):
    """Generated and released: the leader reads the released version (reports.versions)."""
    from reports.release import programme_reports_release

    with django_capture_on_commit_callbacks(execute=True):
        reports_generate(assessment=closed)
    programme_reports_release(programme=closed.programme, by=None)
    return closed


def _download_url(assessment, slug="being"):
    return f"/reports/{assessment.pk}/{slug}/download/"


def test_a_leader_downloads_a_released_report_as_an_attachment(client, leader, generated):
    client.force_login(leader)

    response = client.get(_download_url(generated))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "being" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content)
    assert "Being" in PdfReader(BytesIO(body)).pages[0].extract_text()


def test_nothing_is_downloadable_before_release(
    client, leader, assessment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reports_generate(assessment=assessment)  # generated early, programme still open
    client.force_login(leader)

    assert client.get(_download_url(assessment)).status_code == 404
    assert client.get(f"/reports/{assessment.pk}/being/").status_code == 404
    page = client.get("/reports/")
    assert "Your reports will be available" in page.content.decode()
    assert _download_url(assessment) not in page.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/reports/{pk}/being/download/",
        "/reports/{pk}/being/",
        "/reports/staff/assessments/{pk}/",
        "/reports/staff/assessments/{pk}/being/download/",
    ],
)
def test_another_user_gets_404(client, generated, url):
    client.force_login(UserFactory())

    assert client.get(url.format(pk=generated.pk)).status_code == 404


def test_unknown_themes_and_assessments_are_404(client, leader, generated):
    client.force_login(leader)

    assert client.get(_download_url(generated, "no-such-theme")).status_code == 404
    assert client.get(f"/reports/{generated.pk + 1000}/being/download/").status_code == 404
    assert client.get("/reports/99999999999999999999/being/").status_code == 404


def test_a_missing_file_is_404_not_500(client, leader, generated):
    report = ReleasedThemeReport.objects.get(version__assessment=generated, theme__slug="being")
    report.file.storage.delete(report.file.name)
    client.force_login(leader)

    assert client.get(_download_url(generated)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, generated):
    response = client.get(_download_url(generated))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_programme_admin_downloads_and_views(client, programme_admin, generated):
    client.force_login(programme_admin)

    download = client.get(f"/reports/staff/assessments/{generated.pk}/being/download/")
    page = client.get(f"/reports/staff/assessments/{generated.pk}/being/")

    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    assert page.status_code == 200


def test_the_html_report_shares_the_charts_and_escapes_comments(client, leader, generated):
    client.force_login(leader)

    html = client.get(f"/reports/{generated.pk}/being/").content.decode()

    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert 'class="nhsuk-table nhsuk-table-responsive scores"' in html
    assert "&lt;script&gt;alert" in html
    assert SCRIPT_COMMENT not in html
    assert "<script>alert" not in html


def test_progress_refreshes_only_while_something_is_pending(client, leader, generated):
    client.force_login(leader)

    page = client.get("/reports/").content.decode()
    assert "data-auto-refresh" not in page
    assert page.count("Ready") == 4

    # A new version released while its theme reports are still being rendered.
    ReportVersion.objects.create(
        assessment=generated, number=2, released_at=timezone.now(), responses=[]
    )
    page = client.get("/reports/").content.decode()
    assert 'data-auto-refresh="5"' in page
    assert "A new version of your reports has been released and is being prepared" in page
    assert page.count("Ready") == 4  # the version before, meanwhile


def test_the_admin_generates_one_assessment(
    client, programme_admin, closed, django_capture_on_commit_callbacks
):
    client.force_login(programme_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/staff/assessments/{closed.pk}/generate/")

    assert response.status_code == 302
    assert ThemeReport.objects.filter(assessment=closed, status=Status.READY).count() == 4


def test_the_admin_generates_the_whole_programme(
    client, programme_admin, closed, django_capture_on_commit_callbacks
):
    other = AssessmentFactory(programme=closed.programme)
    client.force_login(programme_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/staff/programmes/{closed.programme.pk}/generate/")

    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{closed.programme.pk}/"
    assert ThemeReport.objects.filter(assessment=other).count() == 4


def test_generating_is_refused_before_the_programme_closes(client, programme_admin, assessment):
    client.force_login(programme_admin)

    response = client.post(f"/reports/staff/assessments/{assessment.pk}/generate/", follow=True)

    assert "once the programme has closed" in response.content.decode()
    assert not ThemeReport.objects.filter(assessment=assessment).exists()


def test_generating_needs_a_post_by_an_admin_of_the_programme(client, leader, closed):
    client.force_login(leader)
    assert client.post(f"/reports/staff/assessments/{closed.pk}/generate/").status_code == 404
    assert (
        client.post(f"/reports/staff/programmes/{closed.programme.pk}/generate/").status_code == 404
    )

    client.force_login(closed.programme.admins.first())
    assert client.get(f"/reports/staff/assessments/{closed.pk}/generate/").status_code == 405
    assert not ThemeReport.objects.filter(assessment=closed).exists()


def test_support_staff_see_reports_in_the_django_admin(client, generated):
    report = ThemeReport.objects.get(assessment=generated, theme__slug="being")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get("/admin/reports/themereport/")
    detail = client.get(f"/admin/reports/themereport/{report.pk}/change/")

    assert listing.status_code == 200 and "Being" in listing.content.decode()
    assert detail.status_code == 200 and report.file.name in detail.content.decode()
    assert client.get("/admin/reports/themereport/add/").status_code == 403


def test_the_django_admin_action_queues_the_reports_again(
    client, generated, django_capture_on_commit_callbacks
):
    report = ThemeReport.objects.get(assessment=generated, theme__slug="being")
    ThemeReport.objects.filter(pk=report.pk).update(status=Status.FAILED, attempts=3)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/reports/themereport/",
            {"action": "generate_again", "_selected_action": [report.pk]},
        )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.READY and report.attempts == 1
