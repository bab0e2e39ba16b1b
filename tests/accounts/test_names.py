"""Names in the greeting line of emails: names only, never a link or a message."""

import pytest

from accounts.names import GREETING_FALLBACK, greeting_name, name_problem


@pytest.mark.parametrize(
    "name",
    [
        "Sam O'Neill-Jones",
        "J.R.R. Tolkien",
        "Dr. A. Patel",
        "Zoë Ångström",
        "Siobhán Ní Bhriain",
        "Nguyễn Văn An",
        "José María",
        "Мария Иванова",
        "李小龍",
        "Ana\u0301 Lopez",  # a combining accent
    ],
)
def test_names_from_many_places_are_names(name):
    assert name_problem(name) is None
    assert greeting_name(f"  {name} ") == name


@pytest.mark.parametrize(
    "text",
    [
        "Click https://evil.example/login",
        "www.evil.example",
        "evil.example",
        "Sam, your account is locked: call 0800 123",
        "<b>Sam</b>",
        "Sam\nPlease reset your password",
        "sam@example.nhs.uk",
        "123",
        "Sam (urgent)",
        "A" * 101,
    ],
)
def test_anything_else_is_refused_and_greeted_as_colleague(text):
    assert name_problem(text) is not None
    assert greeting_name(text) == GREETING_FALLBACK


@pytest.fixture
def assessment(programme, leader):
    from tests import factories

    return factories.AssessmentFactory(programme=programme, leader=leader)


def test_a_leader_cannot_nominate_a_rater_under_a_name_that_is_a_link(assessment, leader):
    from django.core.exceptions import ValidationError

    from assessments.models import RaterGroup
    from assessments.services.nominations import invitation_nominate

    with pytest.raises(ValidationError) as refused:
        invitation_nominate(
            assessment=assessment,
            name="Your account expires: www.evil.example",
            email="peer@example.nhs.uk",
            rater_group=RaterGroup.PEER,
            by=leader,
        )
    assert "name" in refused.value.message_dict
    assert not assessment.invitations.exists()


@pytest.mark.parametrize("kind", ["rater_invitation", "rater_reminder"])
def test_an_email_to_a_rater_saved_with_such_a_name_greets_them_as_colleague(kind, assessment):
    from accounts.emails import email_render
    from tests.assessments.rating.builders import invite

    invitation, _ = invite(assessment, name="Click <a href='https://evil.example'>here</a>")
    rendered = email_render(kind=kind, context={"invitation_id": invitation.pk})
    assert rendered.text.startswith("Dear colleague,")
    assert "<p>Dear colleague,</p>" in rendered.html
    assert "evil.example" not in rendered.text + rendered.html


def test_an_email_to_a_rater_greets_them_by_their_name(assessment):
    from accounts.emails import email_render
    from tests.assessments.rating.builders import invite

    invitation, _ = invite(assessment, name="Siobhán O'Neill")
    rendered = email_render(kind="rater_invitation", context={"invitation_id": invitation.pk})
    assert rendered.text.startswith("Dear Siobhán O'Neill,")
    assert "<p>Dear Siobhán O&#x27;Neill,</p>" in rendered.html
