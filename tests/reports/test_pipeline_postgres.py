"""Claims racing for real: threads with their own PostgreSQL connections."""

import pytest
from django.db import connection

from reports.models import ThemeReport
from reports.services import theme_report_claim
from tests.concurrency import race
from tests.factories import AssessmentFactory, ProgrammeFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8


def test_of_many_simultaneous_claims_exactly_one_wins(framework, leader):
    assessment = AssessmentFactory(programme=ProgrammeFactory(framework=framework), leader=leader)
    theme = framework.themes.get(slug="being")
    report = ThemeReport.objects.create(assessment=assessment, theme=theme)

    results = race(lambda: theme_report_claim(report_id=report.pk), THREADS)

    assert len(results) == THREADS
    assert sum(result is not None for result in results) == 1
    report.refresh_from_db()
    assert report.status == ThemeReport.Status.RENDERING
    assert report.attempts == 1


def test_simultaneous_take_overs_still_count_every_attempt(framework, leader, settings):
    settings.REPORTS_MAX_ATTEMPTS = 3
    assessment = AssessmentFactory(programme=ProgrammeFactory(framework=framework), leader=leader)
    theme = framework.themes.get(slug="being")
    report = ThemeReport.objects.create(assessment=assessment, theme=theme)

    results = race(lambda: theme_report_claim(report_id=report.pk, take_over=True), THREADS)

    # Redelivered copies may each take the row over, but never past the bound.
    assert sum(result is not None for result in results) == 3
    report.refresh_from_db()
    assert report.attempts == 3
    assert report.status == ThemeReport.Status.FAILED
