"""The quick start's demo: Alex has a debrief and a submitted plan with three goals."""

import pytest
from django.core.management import call_command

from development.models import Debrief, DevelopmentPlan


@pytest.mark.django_db
def test_the_demo_has_alexs_debrief_and_plan(settings, fake_pdf):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")  # again: nothing changes

    debrief = Debrief.objects.get()
    alex = debrief.assessment
    assert alex.leader.full_name == "Alex Morgan"
    assert alex.programme.name == "Demo cohort 1 (closed)"
    assert debrief.recorded_by.email == "facilitator@demo.lpc360.test" and debrief.notes
    plan = DevelopmentPlan.objects.get()
    assert plan.assessment == alex and plan.submitted_at
    goals = list(plan.goals.order_by("position"))
    assert len(goals) == 3 and all(g.quality and g.review_on for g in goals)
    assert goals[0].facilitator_comment
