"""Programme admins' pages for one leader's raters, and approving nominations."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import OutboxEmail
from assessments.models import Draft, Invitation, Reminder, ReminderRound
from assessments.services.nominations import invitations_send
from assessments.tokens import token_from_nonce
from tests import factories


def _url(name, assessment, *args):
    return reverse(name, args=[assessment.programme_id, assessment.pk, *args])


def _action(assessment, invitation, action):
    return reverse(
        "invitations:rater_action",
        args=[assessment.programme_id, assessment.pk, invitation.pk, action],
    )


def _link(invitation):
    return f"/feedback/{token_from_nonce(invitation.token_nonce)}/"


@pytest.fixture
def invited(assessment, nominated):
    invitations_send(assessment=assessment, by=assessment.leader)
    return {i.email: i for i in assessment.invitations.all()}


@pytest.fixture
def other_assessment(framework):
    """A leader in a programme Pat Admin does not run."""
    return factories.AssessmentFactory(programme=factories.ProgrammeFactory(framework=framework))


def test_the_page_shows_every_rater_with_their_state(programme_admin_client, assessment, invited):
    Invitation.objects.filter(email="sam.peer@example.nhs.uk").update(state="submitted")
    page = programme_admin_client.get(_url("invitations:raters", assessment))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Alex Leader" in html and "Sam Peer" in html and "Submitted" in html
    assert page.context["self_state"] == "Not started"
    assert page.context["nominations"].complete
    assert _action(assessment, invited["priya.peer@example.nhs.uk"], "reissue") in html
    assert _action(assessment, invited["sam.peer@example.nhs.uk"], "reissue") not in html


def test_admins_cannot_reach_leaders_of_programmes_they_do_not_run(
    programme_admin_client, assessment, other_assessment
):
    outsider = factories.InvitationFactory(assessment=other_assessment)
    urls = [
        _url("invitations:raters", other_assessment),
        # Their own programme's id with someone else's leader: still not found.
        reverse("invitations:raters", args=[assessment.programme_id, other_assessment.pk]),
        reverse("invitations:raters", args=[other_assessment.programme_id, assessment.pk]),
    ]
    for url in urls:
        assert programme_admin_client.get(url).status_code == 404
    for action in ("resend", "reissue", "revoke", "remove"):
        assert (
            programme_admin_client.post(_action(other_assessment, outsider, action)).status_code
            == 404
        )
        # A rater of another leader, through a leader the admin does run.
        assert programme_admin_client.post(_action(assessment, outsider, action)).status_code == 404
    for name in ("invitations:send", "invitations:remind", "invitations:approve"):
        assert programme_admin_client.post(_url(name, other_assessment)).status_code == 404
    remind_all = reverse("invitations:programme_remind", args=[other_assessment.programme_id])
    assert programme_admin_client.post(remind_all).status_code == 404
    outsider.refresh_from_db()
    assert outsider.state == "nominated"


def test_a_leader_cannot_use_the_admin_pages(leader_client, assessment, invited):
    assert leader_client.get(_url("invitations:raters", assessment)).status_code == 404
    peer = invited["priya.peer@example.nhs.uk"]
    assert leader_client.post(_action(assessment, peer, "revoke")).status_code == 404


def test_actions_are_post_only(programme_admin_client, assessment, invited):
    peer = invited["priya.peer@example.nhs.uk"]
    assert programme_admin_client.get(_action(assessment, peer, "revoke")).status_code == 405
    unknown = _action(assessment, peer, "revoke").replace("revoke", "explode")
    assert programme_admin_client.post(unknown).status_code == 404
    peer.refresh_from_db()
    assert peer.state == "invited"


def test_resend_sends_the_same_link_again(
    programme_admin_client, assessment, invited, client, django_capture_on_commit_callbacks
):
    peer = invited["priya.peer@example.nhs.uk"]
    with django_capture_on_commit_callbacks(execute=True):
        programme_admin_client.post(_action(assessment, peer, "resend"))
    (message,) = mail.outbox
    assert _link(peer) in message.body
    peer.refresh_from_db()
    assert peer.token_hash == invited["priya.peer@example.nhs.uk"].token_hash


def test_reissue_kills_the_old_link_and_sends_a_new_one(
    programme_admin_client, assessment, invited, django_capture_on_commit_callbacks
):
    peer = invited["priya.peer@example.nhs.uk"]
    draft = Draft.objects.create(assessment=assessment, invitation=peer, answers={"1": 3})
    old_link, old_hash = _link(peer), peer.token_hash
    with django_capture_on_commit_callbacks(execute=True):
        response = programme_admin_client.post(_action(assessment, peer, "reissue"), follow=True)
    assert "old link no longer works" in response.content.decode()
    peer.refresh_from_db()
    assert peer.token_hash != old_hash
    assert not Invitation.objects.filter(token_hash=old_hash).exists()
    (message,) = mail.outbox
    assert _link(peer) in message.body and old_link not in message.body
    assert Draft.objects.filter(pk=draft.pk).exists()  # their answers so far are kept
    programme_admin_client.logout()
    assert programme_admin_client.get(old_link).status_code == 404
    assert programme_admin_client.get(_link(peer)).status_code == 200


def test_revoke_kills_the_link_and_deletes_the_draft(programme_admin_client, assessment, invited):
    peer = invited["priya.peer@example.nhs.uk"]
    Draft.objects.create(assessment=assessment, invitation=peer, answers={"1": 3})
    old_link, old_hash = _link(peer), peer.token_hash
    programme_admin_client.post(_action(assessment, peer, "revoke"))
    peer.refresh_from_db()
    assert peer.state == "revoked" and peer.revoked_at and not peer.token_nonce
    assert peer.token_hash == old_hash  # kept only so the old link can say it was withdrawn
    assert not Draft.objects.filter(invitation=peer).exists()
    programme_admin_client.logout()
    gone = programme_admin_client.get(old_link)
    assert gone.status_code == 410
    assert "This link has been withdrawn" in gone.content.decode()


def test_a_submitted_invitation_cannot_be_revoked_or_reissued(
    programme_admin_client, assessment, invited
):
    peer = invited["priya.peer@example.nhs.uk"]
    Invitation.objects.filter(pk=peer.pk).update(state="submitted")
    for action in ("revoke", "reissue", "resend"):
        response = programme_admin_client.post(_action(assessment, peer, action), follow=True)
        assert response.status_code == 200
        assert "submitted" in response.content.decode().lower()
    peer.refresh_from_db()
    assert peer.state == "submitted" and peer.token_hash
    assert not OutboxEmail.objects.exclude(kind="rater_invitation").exists()
    assert OutboxEmail.objects.count() == 5  # only the first invitations


def test_admins_add_and_remove_raters_for_a_leader(programme_admin_client, assessment):
    url = _url("invitations:raters", assessment)
    bad = programme_admin_client.post(
        url, {"name": "Me", "email": "alex.leader@example.nhs.uk", "rater_group": "peer"}
    )
    assert bad.status_code == 200 and "own rater" in bad.content.decode()
    assert "How do they work with Alex Leader?" in bad.content.decode()
    programme_admin_client.post(
        url, {"name": "Nia New", "email": "nia@example.org", "rater_group": "peer"}
    )
    nia = assessment.invitations.get()
    programme_admin_client.post(_action(assessment, nia, "remove"))
    assert not assessment.invitations.exists()


def test_admins_send_invitations_and_remind(programme_admin_client, assessment, nominated):
    programme_admin_client.post(_url("invitations:send", assessment))
    assert assessment.invitations.filter(state="invited").count() == 5
    # Just invited: a reminder now would be a second email within minutes. The leader, who
    # has not done their self-assessment, is reminded of that.
    programme_admin_client.post(_url("invitations:remind", assessment), follow=True)
    assert not Reminder.objects.exists()
    reminded = OutboxEmail.objects.filter(kind="leader_reminder").values_list("to", flat=True)
    assert list(reminded) == [assessment.leader.email]
    response = programme_admin_client.post(_url("invitations:remind", assessment), follow=True)
    assert "no one to remind" in response.content.decode()


def test_approval_by_the_leaders_own_facilitator_only(client, assessment, programme, nominated):
    """A facilitator of the programme who is not this leader's sees no names (issue 11)."""
    programme.nominations_need_approval = True
    programme.save()
    facilitator = factories.UserFactory(full_name="Fran Facilitator")
    unassigned = factories.UserFactory(full_name="Uma Unassigned")
    programme.facilitators.add(facilitator, unassigned)
    assessment.facilitator = facilitator
    assessment.save()
    stranger = factories.UserFactory()
    url = _url("invitations:approve", assessment)

    for someone in (stranger, unassigned):
        client.force_login(someone)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    client.force_login(assessment.leader)
    assert client.post(url).status_code == 404

    client.force_login(facilitator)
    page = client.get(url)
    assert page.status_code == 200 and "Priya Peer" in page.content.decode()
    response = client.post(url, follow=True)
    assert "5 invitations sent" in response.content.decode()
    assert assessment.invitations.filter(state="invited").count() == 5


def test_the_whole_programme_can_be_reminded(
    programme_admin_client, assessment, invited, programme
):
    Invitation.objects.update(invited_at=programme.opens_at)  # invited a while ago
    url = reverse("invitations:programme_remind", args=[programme.pk])
    response = programme_admin_client.post(url)
    assert response.status_code == 302
    round_ = ReminderRound.objects.get()
    assert round_.assessment is None and round_.reminders.count() == 5
