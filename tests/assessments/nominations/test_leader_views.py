"""The leader's pages: /my/, /my/<pk>/ and nominating raters under /my/<pk>/raters/."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import OutboxEmail
from assessments.models import Draft, Invitation, RaterGroup, Response
from assessments.services.nominations import invitations_send
from tests import factories

from .conftest import MINIMUM_RATERS, nominate


def _rater(name="Nia New", email="nia@example.org", group="peer"):
    return {"name": name, "email": email, "rater_group": group}


def test_pages_need_a_sign_in(client, assessment):
    for url in (reverse("leader:overview"), reverse("leader:nominations", args=[assessment.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_overview_lists_only_the_leaders_own_assessments(leader_client, assessment):
    someone_else = factories.AssessmentFactory(programme__framework=assessment.programme.framework)
    page = leader_client.get(reverse("leader:overview"))
    assert page.status_code == 200
    assert list(page.context["assessments"]) == [assessment]
    assert someone_else.programme.name not in page.content.decode()


def test_another_leaders_assessment_is_not_found(leader_client, programme):
    other = factories.AssessmentFactory(programme=programme)
    invitation = factories.InvitationFactory(assessment=other)
    for url in (
        reverse("leader:assessment", args=[other.pk]),
        reverse("leader:nominations", args=[other.pk]),
        reverse("leader:rater_remove", args=[other.pk, invitation.pk]),
        reverse("leader:rater_replace", args=[other.pk, invitation.pk]),
    ):
        assert leader_client.get(url).status_code == 404
    assert leader_client.post(reverse("leader:send", args=[other.pk])).status_code == 404
    assert leader_client.get(reverse("leader:assessment", args=[10**30])).status_code == 404


def test_progress_shows_counts_per_group_and_names_only_for_the_line_manager(
    leader_client, assessment, nominated
):
    invitations_send(assessment=assessment, by=assessment.leader)
    states = {
        "priya.peer@example.nhs.uk": Invitation.State.SUBMITTED,
        "sam.peer@example.nhs.uk": Invitation.State.DECLINED,
        "morgan.manager@example.nhs.uk": Invitation.State.STARTED,
    }
    for email, state in states.items():
        Invitation.objects.filter(email=email).update(state=state)
    Draft.objects.create(assessment=assessment)  # the self-assessment, begun

    page = leader_client.get(reverse("leader:assessment", args=[assessment.pk]))
    html = page.content.decode()
    assert page.context["self_state"] == "In progress"
    peers = next(row for row in page.context["progress"] if row.group == RaterGroup.PEER)
    assert (peers.invited, peers.started, peers.submitted, peers.declined) == (3, 0, 1, 1)
    assert "Morgan Manager" in html and "Started" in html
    for peer in ("Priya Peer", "Sam Peer", "Kai Peer", "Dee Report"):
        assert peer not in html
    assert reverse("leader:nominations", args=[assessment.pk]) in html


def test_a_submitted_self_assessment_shows_as_submitted(leader_client, assessment):
    Response.objects.create(assessment=assessment, rater_group=RaterGroup.SELF)
    page = leader_client.get(reverse("leader:assessment", args=[assessment.pk]))
    assert page.context["self_state"] == "Submitted"


def test_the_nominations_page_shows_the_rules_and_what_is_missing(leader_client, assessment):
    page = leader_client.get(reverse("leader:nominations", args=[assessment.pk]))
    html = page.content.decode()
    assert "Add at least 3 more peers" in html
    assert "1 to 2" in html  # line managers
    assert 'name="rater_group"' in html


def test_adding_a_rater(leader_client, assessment):
    url = reverse("leader:nominations", args=[assessment.pk])
    response = leader_client.post(url, _rater())
    assert response.status_code == 302 and response["Location"] == url
    assert assessment.invitations.get().email == "nia@example.org"
    assert "Nia New has been added" in leader_client.get(url).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (_rater(email="alex.leader@example.nhs.uk"), "email", "own rater"),
        (_rater(email="not-an-email"), "email", "correct format"),
        (_rater(name=""), "name", "Enter the rater&#x27;s full name"),
        (_rater(name="x" * 201), "name", "200 characters or fewer"),
        (_rater(email="a" * 250 + "@example.org"), "email", "254 characters"),
        (_rater(group="self"), "rater_group", "Select how they work with you"),
        (_rater(group="nonsense"), "rater_group", "Select how they work with you"),
        ({}, "name", "Enter the rater&#x27;s full name"),
    ],
)
def test_bad_input_is_a_form_error_that_keeps_what_was_typed(
    leader_client, assessment, data, field, message
):
    response = leader_client.post(reverse("leader:nominations", args=[assessment.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "nhsuk-error-summary" in html and message in html
    assert "<title>Error:" in html
    if data.get("email") and len(data["email"]) < 254:
        assert f'value="{data["email"]}"' in html
    assert not assessment.invitations.exists()


def test_a_duplicate_email_is_a_form_error(leader_client, assessment):
    url = reverse("leader:nominations", args=[assessment.pk])
    leader_client.post(url, _rater())
    response = leader_client.post(url, _rater(name="Nia again", email="NIA@example.org"))
    assert response.status_code == 200
    assert "already been nominated" in response.context["form"].errors["email"][0]
    assert 'value="Nia again"' in response.content.decode()


def test_sending_is_refused_until_the_rules_are_met(leader_client, assessment):
    nominate(assessment, MINIMUM_RATERS[:2])
    url = reverse("leader:send", args=[assessment.pk])
    response = leader_client.post(url, follow=True)
    html = response.content.decode()
    assert "do not meet the programme" in html and "Add at least 2 more peers" in html
    assert not assessment.invitations.exclude(state="nominated").exists()
    assert not OutboxEmail.objects.exists()


def test_sending_invites_everyone_nominated(leader_client, assessment, nominated):
    page = leader_client.get(reverse("leader:nominations", args=[assessment.pk]))
    assert "Send 5 invitations" in page.content.decode()
    response = leader_client.post(reverse("leader:send", args=[assessment.pk]), follow=True)
    assert "5 invitations sent" in response.content.decode()
    assert assessment.invitations.filter(state="invited").count() == 5
    assert leader_client.get(reverse("leader:send", args=[assessment.pk])).status_code == 405


def test_removing_a_rater_who_has_not_started(leader_client, assessment, nominated):
    peer = nominated[1]
    url = reverse("leader:rater_remove", args=[assessment.pk, peer.pk])
    confirm = leader_client.get(url)
    assert "Remove Priya Peer from your raters?" in confirm.content.decode()
    assert Invitation.objects.filter(pk=peer.pk).exists()  # a GET changes nothing
    assert leader_client.post(url).status_code == 302
    assert not Invitation.objects.filter(pk=peer.pk).exists()


def test_a_rater_who_has_started_offers_no_remove_or_replace(leader_client, assessment, nominated):
    invitations_send(assessment=assessment, by=assessment.leader)
    peer = assessment.invitations.get(email="priya.peer@example.nhs.uk")
    Invitation.objects.filter(pk=peer.pk).update(state=Invitation.State.STARTED)
    page = leader_client.get(reverse("leader:nominations", args=[assessment.pk]))
    html = page.content.decode()
    assert reverse("leader:rater_remove", args=[assessment.pk, peer.pk]) not in html
    assert reverse("leader:rater_replace", args=[assessment.pk, peer.pk]) not in html
    assert (
        leader_client.post(
            reverse("leader:rater_remove", args=[assessment.pk, peer.pk])
        ).status_code
        == 404
    )
    assert Invitation.objects.filter(pk=peer.pk).exists()


def test_replacing_a_rater(leader_client, assessment, nominated):
    peer = nominated[1]
    url = reverse("leader:rater_replace", args=[assessment.pk, peer.pk])
    form = leader_client.get(url)
    assert form.context["form"].initial["rater_group"] == "peer"
    refused = leader_client.post(url, _rater(email="sam.peer@example.nhs.uk"))
    assert "already been nominated" in refused.content.decode()
    assert Invitation.objects.filter(pk=peer.pk).exists()
    assert leader_client.post(url, _rater()).status_code == 302
    assert not Invitation.objects.filter(pk=peer.pk).exists()
    assert assessment.invitations.filter(email="nia@example.org", state="nominated").exists()


def test_with_approval_the_leader_sends_for_approval(
    leader_client, assessment, programme, nominated
):
    programme.nominations_need_approval = True
    programme.save()
    page = leader_client.get(reverse("leader:nominations", args=[assessment.pk]))
    assert "Send for approval" in page.content.decode()
    response = leader_client.post(reverse("leader:submit", args=[assessment.pk]), follow=True)
    assert "sent for approval" in response.content.decode()
    assert OutboxEmail.objects.filter(kind="nominations_for_approval").exists()
    assert "waiting for approval" in response.content.decode()


def test_a_closed_programme_shows_the_raters_but_no_changes(leader_client, assessment, nominated):
    programme = assessment.programme
    programme.closed_at = timezone.now()
    programme.save()
    page = leader_client.get(reverse("leader:nominations", args=[assessment.pk]))
    html = page.content.decode()
    assert "has closed" in html and "Priya Peer" in html and "Add a rater" not in html
    response = leader_client.post(reverse("leader:nominations", args=[assessment.pk]), _rater())
    assert response.status_code == 200 and "has closed" in response.content.decode()
    assert assessment.invitations.count() == 5


def _row_of(html: str, name: str) -> str:
    """The table row naming ``name``, with the name, email and ids taken out."""
    row = next(r for r in html.split("<tr") if name in r).replace(name, "")
    row = re.sub(r"[\w.]+@example\.nhs\.uk", "", row)
    return re.sub(r"/\d+/", "/N/", row)


def test_started_and_not_started_raters_look_the_same_to_the_leader(
    leader_client, assessment, nominated
):
    """Issue 11: per-name remove/replace showed only for raters who had not started.
    Once invitations are out no per-name action is offered, so every anonymous rater's row
    is the same markup whatever they have done; a withdrawn rater shows as withdrawn."""
    invitations_send(assessment=assessment, by=assessment.leader)
    Invitation.objects.filter(email="priya.peer@example.nhs.uk").update(
        state=Invitation.State.SUBMITTED
    )
    Invitation.objects.filter(email="sam.peer@example.nhs.uk").update(
        state=Invitation.State.STARTED
    )
    Invitation.objects.filter(email="dee.report@example.nhs.uk").update(
        state=Invitation.State.REVOKED
    )
    html = leader_client.get(reverse("leader:nominations", args=[assessment.pk])).content.decode()
    rows = {name: _row_of(html, name) for name in ("Priya Peer", "Sam Peer", "Kai Peer")}
    assert rows["Priya Peer"] == rows["Sam Peer"] == rows["Kai Peer"]
    assert "Invited" in rows["Kai Peer"]
    assert "Withdrawn" in _row_of(html, "Dee Report")
    for peer in assessment.invitations.filter(rater_group=RaterGroup.PEER):
        url = reverse("leader:rater_remove", args=[assessment.pk, peer.pk])
        assert url not in html
        assert leader_client.post(url).status_code == 404
