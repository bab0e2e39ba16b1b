"""assessments.services.nominations: the rules, and sending invitations."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import OutboxEmail
from assessments.models import Invitation, NominationRule, RaterGroup
from assessments.services.nominations import (
    invitation_nominate,
    invitation_remove,
    invitation_replace,
    invitations_send,
    nominations_approve,
    nominations_status,
    nominations_submit,
)
from assessments.tokens import token_from_nonce, token_hash
from tests import factories

from .conftest import MINIMUM_RATERS, nominate


def _add(assessment, name="Ola Other", email="ola@example.org", group=RaterGroup.OTHER):
    return invitation_nominate(
        assessment=assessment, name=name, email=email, rater_group=group, by=assessment.leader
    )


def test_status_says_what_is_missing(assessment):
    status = nominations_status(assessment=assessment)
    assert not status.complete
    assert status.missing == [
        "Add at least 1 more line manager",
        "Add at least 3 more peers",
        "Add at least 1 more rater from any group",
    ]
    nominate(assessment, MINIMUM_RATERS[:3])  # a line manager and 2 peers
    status = nominations_status(assessment=assessment)
    assert status.missing == [
        "Add at least 1 more peer",
        "Add at least 1 more rater from any group",
    ]
    assert status.total == 3 and status.not_yet_invited == 3


def test_status_is_complete_with_the_minimum(assessment, nominated):
    status = nominations_status(assessment=assessment)
    assert status.complete and status.missing == []
    assert {g.group: g.count for g in status.groups}[RaterGroup.PEER] == 3


def test_declined_and_revoked_raters_do_not_count(assessment, nominated):
    Invitation.objects.filter(pk=nominated[1].pk).update(state=Invitation.State.DECLINED)
    Invitation.objects.filter(pk=nominated[2].pk).update(state=Invitation.State.REVOKED)
    assert nominations_status(assessment=assessment).missing == ["Add at least 2 more peers"]


def test_a_leader_cannot_nominate_themselves(assessment, leader):
    with pytest.raises(ValidationError) as refused:
        _add(assessment, email=leader.email.upper())
    assert "own rater" in refused.value.message_dict["email"][0]
    assert not assessment.invitations.exists()


def test_the_same_email_cannot_be_nominated_twice_whatever_its_case(assessment):
    _add(assessment, email="ola@example.org")
    with pytest.raises(ValidationError) as refused:
        _add(assessment, name="Ola again", email="  OLA@Example.org ", group=RaterGroup.PEER)
    assert "already been nominated" in refused.value.message_dict["email"][0]
    assert assessment.invitations.count() == 1


def test_the_database_refuses_a_duplicate_too(assessment):
    _add(assessment, email="ola@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            assessment=assessment, name="x", email="Ola@Example.org", rater_group="peer"
        )


def test_a_revoked_rater_can_be_nominated_again(assessment):
    first = _add(assessment)
    Invitation.objects.filter(pk=first.pk).update(state=Invitation.State.REVOKED)
    assert _add(assessment).pk != first.pk


def test_a_group_maximum_cannot_be_exceeded(assessment):
    _add(assessment, "Morgan", "m1@example.org", RaterGroup.LINE_MANAGER)
    _add(assessment, "Mo", "m2@example.org", RaterGroup.LINE_MANAGER)
    with pytest.raises(ValidationError) as refused:
        _add(assessment, "Max", "m3@example.org", RaterGroup.LINE_MANAGER)
    assert "most line managers allowed (2)" in refused.value.message_dict["rater_group"][0]


def test_a_group_the_programme_does_not_ask_for_is_refused(assessment, programme):
    NominationRule.objects.filter(programme=programme, rater_group="other").update(
        minimum=0, maximum=0
    )
    with pytest.raises(ValidationError) as refused:
        _add(assessment)
    assert "does not ask for feedback from other raters" in str(refused.value)


def test_self_is_not_a_group_anyone_can_nominate(assessment):
    with pytest.raises(ValidationError) as refused:
        _add(assessment, group="self")
    assert "rater_group" in refused.value.message_dict


def test_nothing_changes_once_the_programme_has_closed(assessment, programme, nominated):
    programme.closed_at = timezone.now()
    programme.save()
    with pytest.raises(ValidationError, match="closed"):
        _add(assessment)
    with pytest.raises(ValidationError, match="closed"):
        invitation_remove(invitation=nominated[0], by=assessment.leader)
    with pytest.raises(ValidationError, match="closed"):
        invitations_send(assessment=assessment, by=assessment.leader)


def test_invitations_are_refused_until_the_rules_are_met(assessment):
    nominate(assessment, MINIMUM_RATERS[:4])
    with pytest.raises(ValidationError) as refused:
        invitations_send(assessment=assessment, by=assessment.leader)
    assert "Add at least 1 more rater from any group" in refused.value.messages[0]
    assert not OutboxEmail.objects.exists()
    assert set(assessment.invitations.values_list("state", flat=True)) == {"nominated"}


def test_invitations_are_refused_before_the_programme_opens(assessment, programme, nominated):
    programme.opens_at = timezone.now() + timedelta(days=2)
    programme.save()
    with pytest.raises(ValidationError, match="once the programme opens"):
        invitations_send(assessment=assessment, by=assessment.leader)


def test_sending_gives_each_rater_a_link_and_an_email(
    assessment, nominated, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = invitations_send(assessment=assessment, by=assessment.leader)
    assert sent == 5
    hashes = set()
    for invitation in assessment.invitations.all():
        assert invitation.state == Invitation.State.INVITED and invitation.invited_at
        assert invitation.token_hash == token_hash(token_from_nonce(invitation.token_nonce))
        hashes.add(invitation.token_hash)
    assert len(hashes) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r[1] for r in MINIMUM_RATERS)
    assert OutboxEmail.objects.filter(kind="rater_invitation", state="sent").count() == 5


def test_sending_twice_invites_only_the_newcomers(assessment, nominated):
    invitations_send(assessment=assessment, by=assessment.leader)
    first_hashes = set(assessment.invitations.values_list("token_hash", flat=True))
    with pytest.raises(ValidationError, match="already been invited"):
        invitations_send(assessment=assessment, by=assessment.leader)
    _add(assessment)
    assert invitations_send(assessment=assessment, by=assessment.leader) == 1
    assert first_hashes < set(assessment.invitations.values_list("token_hash", flat=True))
    assert OutboxEmail.objects.filter(kind="rater_invitation").count() == 6


def test_a_rater_who_has_not_started_can_be_removed_and_their_link_dies(
    assessment, nominated, programme_admin
):
    invitations_send(assessment=assessment, by=assessment.leader)
    peer = assessment.invitations.get(email="priya.peer@example.nhs.uk")
    old_hash = peer.token_hash
    invitation_remove(invitation=peer, by=programme_admin)
    assert not Invitation.objects.filter(token_hash=old_hash).exists()


def test_once_invited_the_leader_removes_no_one_by_name(assessment, nominated):
    """Removable only before invitations go: otherwise what the leader may do per name
    would tell them who has started (issue 11)."""
    invitations_send(assessment=assessment, by=assessment.leader)
    peer = assessment.invitations.get(email="priya.peer@example.nhs.uk")
    with pytest.raises(ValidationError, match="ask your programme admin"):
        invitation_remove(invitation=peer, by=assessment.leader)
    assert Invitation.objects.filter(pk=peer.pk).exists()


def test_a_rater_who_has_started_cannot_be_removed(assessment, nominated):
    Invitation.objects.filter(pk=nominated[1].pk).update(state=Invitation.State.STARTED)
    with pytest.raises(ValidationError, match="can no longer be removed"):
        invitation_remove(invitation=nominated[1], by=assessment.leader)
    assert Invitation.objects.filter(pk=nominated[1].pk).exists()


def test_replacing_swaps_the_rater_or_keeps_the_original_if_refused(assessment, leader, nominated):
    peer = nominated[1]
    newcomer = invitation_replace(
        invitation=peer, name="Nia New", email="nia@example.org", rater_group="peer", by=leader
    )
    assert newcomer.state == Invitation.State.NOMINATED
    assert not Invitation.objects.filter(pk=peer.pk).exists()
    with pytest.raises(ValidationError):
        invitation_replace(
            invitation=newcomer, name="Me", email=leader.email, rater_group="peer", by=leader
        )
    assert Invitation.objects.filter(pk=newcomer.pk).exists()


def test_a_replacement_can_reuse_the_email_it_replaces(assessment, leader, nominated):
    peer = nominated[1]
    again = invitation_replace(
        invitation=peer, name="Priya P.", email=peer.email, rater_group="direct_report", by=leader
    )
    assert again.rater_group == "direct_report"


# Programmes where a facilitator approves nominations ------------------------------------


@pytest.fixture
def approval_programme(programme):
    programme.nominations_need_approval = True
    programme.save()
    return programme


def test_with_approval_invitations_wait_for_it(
    approval_programme, assessment, nominated, django_capture_on_commit_callbacks
):
    facilitator = factories.UserFactory(email="fran.facilitator@example.nhs.uk")
    approval_programme.facilitators.add(facilitator)
    assessment.facilitator = facilitator
    assessment.save()
    with pytest.raises(ValidationError, match="approved"):
        invitations_send(assessment=assessment, by=assessment.leader)

    with django_capture_on_commit_callbacks(execute=True):
        assert nominations_submit(assessment=assessment, by=assessment.leader) == 1
    assert [m.to for m in mail.outbox] == [[facilitator.email]]
    assert "/raters/approve/" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="already waiting"):
        nominations_submit(assessment=assessment, by=assessment.leader)

    assert nominations_approve(assessment=assessment, by=facilitator) == 5
    assessment.refresh_from_db()
    assert assessment.nominations_approved_at
    assert assessment.invitations.filter(state="invited").count() == 5


def test_approval_goes_to_the_leaders_own_facilitator_else_the_admins(
    approval_programme, assessment, nominated, programme_admin
):
    assert nominations_submit(assessment=assessment, by=assessment.leader) == 1
    assert OutboxEmail.objects.get(kind="nominations_for_approval").to == programme_admin.email


def test_adding_after_approval_needs_approving_again(approval_programme, assessment, nominated):
    nominations_approve(assessment=assessment, by=assessment.leader)
    _add(assessment)
    assessment.refresh_from_db()
    assert assessment.nominations_approved_at is None
    with pytest.raises(ValidationError, match="approved"):
        invitations_send(assessment=assessment, by=assessment.leader)


def test_submitting_needs_the_rules_met(approval_programme, assessment):
    nominate(assessment, MINIMUM_RATERS[:2])
    with pytest.raises(ValidationError, match="rules"):
        nominations_submit(assessment=assessment, by=assessment.leader)
    assert not OutboxEmail.objects.exists()
