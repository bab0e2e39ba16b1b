"""Reads of debriefs and plans.

``debrief_private`` and ``plan_private`` return contents, and only to the leader or their
facilitator (``access.may_read_private``); for anyone else they raise Http404. A programme
admin's view is ``plan_overview``: existence, dates and counts, built from ``values()`` so
no note or goal text is ever loaded for them.
"""

from typing import Any

from django.db.models import Count
from django.http import Http404

from assessments.models import Assessment, Programme
from reports.models import ReportVersion
from reports.services import report_is_released

from .access import may_read_private
from .models import Debrief, DevelopmentPlan, Goal


def reports_reached_leader(*, assessment: Assessment) -> bool:
    """Whether the leader has had their reports: released now, or released before and
    reopened since (they keep reading the version released to them, and their plan)."""
    return (
        report_is_released(assessment=assessment)
        or ReportVersion.objects.filter(assessment=assessment).exists()
    )


def _check(user, assessment: Assessment) -> None:
    if not may_read_private(user, assessment):
        raise Http404("No such plan")


def debrief_private(*, user, assessment: Assessment) -> Debrief | None:
    _check(user, assessment)
    return Debrief.objects.filter(assessment=assessment).first()


def plan_private(*, user, assessment: Assessment) -> DevelopmentPlan | None:
    _check(user, assessment)
    return DevelopmentPlan.objects.filter(assessment=assessment).first()


def goals_private(*, user, assessment: Assessment) -> list[Goal]:
    _check(user, assessment)
    return list(
        Goal.objects.filter(plan__assessment=assessment)
        .select_related("quality__theme")
        .order_by("position")
    )


def plan_overview(*, programme: Programme) -> dict[int, dict]:
    """assessment id → {"debriefed_on", "plan", "submitted", "goals"} for a programme's
    leaders. Dates and counts only."""
    overview: dict[int, dict[str, Any]] = {
        pk: {"debriefed_on": None, "plan": False, "submitted": False, "goals": 0}
        for pk in programme.assessments.values_list("pk", flat=True)
    }
    for row in Debrief.objects.filter(assessment__programme=programme).values(
        "assessment_id", "held_on"
    ):
        overview[row["assessment_id"]]["debriefed_on"] = row["held_on"]
    plans = (
        DevelopmentPlan.objects.filter(assessment__programme=programme)
        .values("assessment_id", "submitted_at")
        .annotate(goal_count=Count("goals"))
    )
    for plan_row in plans:
        overview[plan_row["assessment_id"]].update(
            plan=True,
            submitted=plan_row["submitted_at"] is not None,
            goals=plan_row["goal_count"],
        )
    return overview
