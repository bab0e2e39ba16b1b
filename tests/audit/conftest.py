"""People and data for the audit, release, redaction and erasure tests.

The programme (run by ``programme_admin``) is supported by ``facilitator``, who facilitates
``assessment``: Alex Leader with a full set of feedback (tests.reports.test_pdf_report) and
two invitations. ``other_admin`` runs another programme and nothing here.
"""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from assessments.models import Invitation, Programme, RaterGroup
from reports.models import ThemeReport
from tests.factories import InvitationFactory, ProgrammeFactory, UserFactory


@pytest.fixture
def facilitator(programme):
    person = UserFactory(full_name="Fran Facilitator", email="fran.facilitator@example.nhs.uk")
    programme.facilitators.add(person)
    return person


@pytest.fixture
def other_admin(framework):
    person = UserFactory(full_name="Olu Otheradmin", email="olu.other@example.nhs.uk")
    ProgrammeFactory(framework=framework, name="Another cohort").admins.add(person)
    return person


@pytest.fixture
def assessment(rated_assessment, facilitator):
    """Here (and in tests/retention) the assessment is the rated one (tests/conftest.py),
    facilitated by ``facilitator``."""
    rated_assessment.facilitator = facilitator
    rated_assessment.save()
    return rated_assessment


@pytest.fixture
def rater(assessment):
    return InvitationFactory(
        assessment=assessment,
        rater_group=RaterGroup.PEER,
        name="Robin Rater",
        email="robin.rater@example.org",
        state=Invitation.State.INVITED,
        token_nonce="n" * 32,
        token_hash="h" * 64,
        invited_at=timezone.now(),
    )


def programme_closed(programme, *, release_mode=Programme.ReleaseMode.ON_CLOSE):
    """Closed, without running the close (no reports, no release stamped)."""
    programme.release_mode = release_mode
    programme.closed_at = timezone.now()
    programme.save()
    return programme


def reports_ready(assessment) -> list[ThemeReport]:
    """A ready report per theme (requested or not), with a small stand-in file (no rendering),
    drawn from the current data; a released version waiting for them is filled."""
    from reports.report_context import theme_report_content
    from reports.versions import versions_fill_pending

    reports = []
    for theme in assessment.programme.framework.themes.all():
        report, _ = ThemeReport.objects.get_or_create(assessment=assessment, theme=theme)
        report.status = ThemeReport.Status.READY
        report.inputs_hash = theme_report_content(assessment=assessment, theme=theme).inputs_hash
        report.generated_at = timezone.now()
        report.file.save(
            f"{assessment.pk}-{theme.pk}.pdf", ContentFile(b"%PDF-1.4 test"), save=False
        )
        report.save()
        reports.append(report)
    versions_fill_pending(assessment_id=assessment.pk)
    return reports
