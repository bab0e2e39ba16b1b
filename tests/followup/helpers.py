"""Two cycles of one leader's feedback: an earlier programme (closed, released) and its
follow-up, with ratings chosen by the test."""

from datetime import timedelta

from django.utils import timezone

from assessments.models import Programme, RaterGroup
from framework.models import Statement
from reports.models import ReportVersion
from reports.versions import versions_release
from tests.factories import AssessmentFactory, ProgrammeFactory, ResponseFactory


def theme_statements(theme) -> list:
    return list(Statement.objects.filter(quality__theme=theme).order_by("quality__order", "order"))


def earlier_and_follow_up(*, framework, k=3):
    earlier = ProgrammeFactory(
        framework=framework,
        name="Cohort 2025",
        anonymity_threshold=k,
        opens_at=timezone.now() - timedelta(days=90),
        closes_at=timezone.now() - timedelta(days=60),
    )
    Programme.objects.filter(pk=earlier.pk).update(closed_at=earlier.closes_at)
    follow_up = ProgrammeFactory(
        framework=framework,
        name="Cohort 2026",
        anonymity_threshold=k,
        follows=earlier,
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(days=1),
    )
    Programme.objects.filter(pk=follow_up.pk).update(closed_at=follow_up.closes_at)
    earlier.refresh_from_db()
    follow_up.refresh_from_db()
    return earlier, follow_up


def rate(assessment, raters):
    """``raters``: [(group, {statement: value or None})]."""
    for group, values in raters:
        ResponseFactory(assessment=assessment, rater_group=group, values=values)


def release(assessment):
    """A released, filled version of the assessment's reports as they are now."""
    version = versions_release(assessment=assessment)
    ReportVersion.objects.filter(pk=version.pk).update(filled_at=timezone.now())
    return version


def pair(*, framework, leader, earlier_raters, current_raters, k=3):
    earlier, follow_up = earlier_and_follow_up(framework=framework, k=k)
    before = AssessmentFactory(programme=earlier, leader=leader)
    rate(before, earlier_raters)
    release(before)
    now = AssessmentFactory(programme=follow_up, leader=leader)
    rate(now, current_raters)
    return before, now


GROUPS_OF_NINE = [
    RaterGroup.LINE_MANAGER,
    *[RaterGroup.PEER] * 4,
    *[RaterGroup.OTHER] * 4,
]
