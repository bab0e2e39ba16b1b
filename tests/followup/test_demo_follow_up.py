"""The quick start's demo has a follow-up programme: Alex sees change, the admin impact."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from assessments.models import Assessment, Programme
from reports.exports.impact import programme_impact
from reports.models import ReleasedSummary, ReleasedThemeReport, ThemeReport


@pytest.mark.django_db
def test_demo_follow_up_shows_change_to_alex_and_impact_to_the_admin(
    settings, client, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    earlier = Programme.objects.get(name="Demo cohort 1 (closed)")
    follow_up = Programme.objects.get(name="Demo cohort 1 follow-up (closed)")
    assert follow_up.follows == earlier and follow_up.is_closed
    assert follow_up.assessments.count() == earlier.assessments.count()
    alex = Assessment.objects.get(programme=follow_up, leader__full_name="Alex Morgan")
    # Only Alex's four PDFs of the follow-up are rendered.
    reports = ThemeReport.objects.filter(assessment__programme=follow_up)
    assert set(reports.values_list("assessment_id", flat=True)) == {alex.pk}
    released = ReleasedThemeReport.objects.filter(version__assessment=alex)
    assert released.count() == 4
    assert all("Change since Demo cohort 1 (closed)" in r.html for r in released)

    client.force_login(alex.leader)
    theme = released.first().theme
    page = client.get(reverse("reports:theme", args=[alex.pk, theme.slug]))
    assert "Change since Demo cohort 1 (closed)" in page.content.decode()
    # The summary Alex reads, frozen at release, has the change too, and its PDF (a real
    # render) still fits two pages with the two more columns.
    summary = ReleasedSummary.objects.get(version__assessment=alex)
    assert "Change since Demo cohort 1 (closed)" in summary.html
    page = client.get(reverse("reports:summary", args=[alex.pk])).content.decode()
    assert "summary-scores--change" in page and "Change since Demo cohort 1 (closed)" in page
    with summary.file.open("rb") as pdf:
        reader = PdfReader(pdf)
        text = " ".join(p.extract_text() for p in reader.pages)
        assert len(reader.pages) <= 2
    assert "change since Demo cohort 1 (closed)" in " ".join(text.split())

    impact = programme_impact(programme=follow_up)
    assert impact.leaders_in_both == 12
    assert any(row.shown for row in impact.rows)
    client.force_login(User.objects.get(email="admin@demo.lpc360.test"))
    page = client.get(reverse("reports:programme_impact", args=[follow_up.pk]))
    assert page.status_code == 200
    assert "Mean change" in page.content.decode()
