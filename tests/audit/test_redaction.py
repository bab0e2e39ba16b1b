"""Redacting a comment before release: the admin's page, and what the reports then show."""

from io import BytesIO

from pypdf import PdfReader

from assessments.models import Programme, ThemeComment
from assessments.services.programmes import programme_close
from reports.models import ThemeReport
from reports.release import theme_comment_redact
from tests.reports.test_pdf_report import PLAIN_COMMENT

from .conftest import programme_closed


def _pdf_text(report) -> str:
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_page_lists_raters_comments_without_group_or_date(programme_admin_client, assessment):
    page = programme_admin_client.get(f"/reports/staff/assessments/{assessment.pk}/comments/")

    text = page.content.decode()
    assert page.status_code == 200
    assert PLAIN_COMMENT in text
    assert "&lt;script&gt;" in text and "<script>alert" not in text  # shown, escaped
    for attribution in ("Line manager", "Peer", "Direct report", "Submitted"):
        assert attribution not in text
    assert text.count("Redact<span") == 3


def test_redacting_takes_the_comment_out_of_the_regenerated_pdf(
    programme_admin_client, programme, assessment, django_capture_on_commit_callbacks
):
    programme_closed(programme, release_mode=Programme.ReleaseMode.BY_FACILITATOR)
    with django_capture_on_commit_callbacks(execute=True):
        programme_admin_client.post(f"/reports/staff/assessments/{assessment.pk}/generate/")
    being = ThemeReport.objects.get(assessment=assessment, theme__slug="being")
    before_hash = being.inputs_hash
    assert being.status == ThemeReport.Status.READY
    assert PLAIN_COMMENT in _pdf_text(being)
    comment = ThemeComment.objects.get(response__assessment=assessment, text=PLAIN_COMMENT)

    with django_capture_on_commit_callbacks(execute=True):
        response = programme_admin_client.post(
            f"/reports/staff/assessments/{assessment.pk}/comments/{comment.pk}/redact/",
            follow=True,
        )

    assert "no report will show it" in response.content.decode()
    being.refresh_from_db()
    assert being.status == ThemeReport.Status.READY
    assert being.inputs_hash != before_hash
    assert PLAIN_COMMENT not in _pdf_text(being)
    page = programme_admin_client.get(f"/reports/staff/assessments/{assessment.pk}/being/")
    assert PLAIN_COMMENT not in page.content.decode()
    listed = programme_admin_client.get(f"/reports/staff/assessments/{assessment.pk}/comments/")
    assert PLAIN_COMMENT not in listed.content.decode()
    assert "Redacted" in listed.content.decode()


def test_redacting_twice_changes_nothing(programme_admin_client, assessment):
    comment = ThemeComment.objects.filter(response__assessment=assessment).first()
    url = f"/reports/staff/assessments/{assessment.pk}/comments/{comment.pk}/redact/"
    programme_admin_client.post(url)
    first = ThemeComment.objects.get(pk=comment.pk).redacted_at

    response = programme_admin_client.post(url, follow=True)

    assert "already redacted" in response.content.decode()
    assert ThemeComment.objects.get(pk=comment.pk).redacted_at == first


def test_a_comment_cannot_be_redacted_after_release(
    programme_admin_client, programme, programme_admin, assessment
):
    programme_close(programme=programme, by=programme_admin)
    comment = ThemeComment.objects.filter(response__assessment=assessment).first()

    response = programme_admin_client.post(
        f"/reports/staff/assessments/{assessment.pk}/comments/{comment.pk}/redact/", follow=True
    )

    assert "Reopen them first to redact a comment" in response.content.decode()
    assert ThemeComment.objects.get(pk=comment.pk).redacted_at is None
    page = programme_admin_client.get(f"/reports/staff/assessments/{assessment.pk}/comments/")
    assert "Redact<span" not in page.content.decode()


def test_after_a_reopen_a_comment_can_be_redacted(programme, programme_admin, assessment):
    from reports.release import assessment_reports_reopen

    programme_close(programme=programme, by=programme_admin)
    assessment.refresh_from_db()
    assessment_reports_reopen(assessment=assessment, by=programme_admin, reason="Redaction")
    comment = ThemeComment.objects.filter(response__assessment=assessment).first()

    assert theme_comment_redact(comment=comment, by=programme_admin)


def test_the_leaders_own_comment_is_not_listed_or_redactable(programme_admin_client, assessment):
    own = ThemeComment.objects.create(
        response=assessment.responses.get(rater_group="self"),
        theme=assessment.programme.framework.themes.get(slug="being"),
        text="My own reflection on being.",
    )

    page = programme_admin_client.get(f"/reports/staff/assessments/{assessment.pk}/comments/")
    response = programme_admin_client.post(
        f"/reports/staff/assessments/{assessment.pk}/comments/{own.pk}/redact/"
    )

    assert own.text not in page.content.decode()
    assert response.status_code == 404


def test_redact_is_post_only_and_unknown_ids_are_404(programme_admin_client, assessment):
    comment = ThemeComment.objects.filter(response__assessment=assessment).first()
    base = f"/reports/staff/assessments/{assessment.pk}/comments"

    assert programme_admin_client.get(f"{base}/{comment.pk}/redact/").status_code == 405
    assert programme_admin_client.post(f"{base}/999999/redact/").status_code == 404
    assert (
        programme_admin_client.get("/reports/staff/assessments/999999/comments/").status_code == 404
    )
