"""Who may reach a debrief or a plan. The leader (their own assessments) and the
facilitator assigned to them; nobody else, programme admins and superusers included: a 404.

A programme admin reaches only ``selectors.plan_overview`` (whether a debrief and a plan
exist, how many goals), through ``programme_for_admin``.
"""

from django.shortcuts import get_object_or_404

from assessments.access import assessments_for_facilitator, assessments_for_leader
from assessments.models import Assessment


def assessment_for_plan_leader(user, pk) -> Assessment:
    return get_object_or_404(
        assessments_for_leader(user).select_related("programme__framework", "leader"), pk=pk
    )


def assessment_for_plan_facilitator(user, pk) -> Assessment:
    return get_object_or_404(
        assessments_for_facilitator(user).select_related(
            "programme__framework", "leader", "facilitator"
        ),
        pk=pk,
    )


def may_read_private(user, assessment: Assessment) -> bool:
    """Whether ``user`` may read the debrief's notes and the plan's goals: the leader, or
    the facilitator assigned to them who supports the programme."""
    if not user.is_authenticated:
        return False
    if assessment.leader_id == user.pk:
        return True
    return assessments_for_facilitator(user).filter(pk=assessment.pk).exists()
