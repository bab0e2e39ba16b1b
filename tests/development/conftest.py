"""People and data for the debrief and plan tests.

``released``: Alex Leader's assessment in a programme whose reports are released, with
``facilitator`` assigned; ``programme_admin`` runs it; ``other_facilitator`` supports the
same programme without being Alex's facilitator.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AssessmentFactory, ProgrammeFactory, UserFactory


@pytest.fixture
def facilitator(db):
    return UserFactory(full_name="Fran Facilitator", email="fran.facilitator@example.nhs.uk")


@pytest.fixture
def other_facilitator(db):
    return UserFactory(full_name="Olly Otherfac", email="olly.otherfac@example.nhs.uk")


@pytest.fixture
def released_programme(framework, programme_admin, facilitator, other_facilitator):
    now = timezone.now()
    programme = ProgrammeFactory(
        framework=framework,
        name="Cohort 1",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=30),
        released_at=now - timedelta(days=1),
    )
    programme.admins.add(programme_admin)
    programme.facilitators.add(facilitator, other_facilitator)
    return programme


@pytest.fixture
def released(released_programme, leader, facilitator):
    return AssessmentFactory(programme=released_programme, leader=leader, facilitator=facilitator)


def date_parts(name: str, day) -> dict:
    """The three boxes of an NHS.UK date input, as a browser posts them."""
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def goal_post(position: int, *, quality, review_on, text: str = "", **overrides) -> dict:
    """The fields of goal ``position`` on the plan page, complete unless overridden."""
    fields = {
        "quality": str(quality.pk) if quality else "",
        "goal": f"Goal text {position} {text}".strip(),
        "actions": f"Actions {position}",
        "support": f"Support {position}",
        "success_measure": f"Measure {position}",
    } | overrides
    data = {f"goal{position}-{k}": v for k, v in fields.items()}
    if review_on:
        data |= date_parts(f"goal{position}-review_on", review_on)
    return data
