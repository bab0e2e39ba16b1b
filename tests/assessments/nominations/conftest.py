"""Personas for nominations: a leader's assessment, their raters, signed-in clients."""

import pytest

from assessments.models import Invitation, RaterGroup
from assessments.services.nominations import invitation_nominate


@pytest.fixture(autouse=True)
def _site_urls(settings):
    settings.SITE_URL = "https://lpc360.example.nhs.uk"


# The default rules ask for a line manager, 3 peers and 5 raters in all.
MINIMUM_RATERS = [
    ("Morgan Manager", "morgan.manager@example.nhs.uk", RaterGroup.LINE_MANAGER),
    ("Priya Peer", "priya.peer@example.nhs.uk", RaterGroup.PEER),
    ("Sam Peer", "sam.peer@example.nhs.uk", RaterGroup.PEER),
    ("Kai Peer", "kai.peer@example.nhs.uk", RaterGroup.PEER),
    ("Dee Report", "dee.report@example.nhs.uk", RaterGroup.DIRECT_REPORT),
]


def nominate(assessment, raters=MINIMUM_RATERS) -> list[Invitation]:
    return [
        invitation_nominate(
            assessment=assessment,
            name=name,
            email=email,
            rater_group=group,
            by=assessment.leader,
        )
        for name, email, group in raters
    ]


@pytest.fixture
def nominated(assessment):
    """The fewest raters the default rules accept, nominated and not yet invited."""
    return nominate(assessment)
