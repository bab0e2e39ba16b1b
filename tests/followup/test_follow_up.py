"""Creating a follow-up programme, and re-nominating raters from the earlier one."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.models import Invitation, Programme
from assessments.services.follow_ups import (
    earlier_assessment,
    nominations_copy_earlier,
    programme_follow_up_create,
)
from tests.factories import AssessmentFactory, InvitationFactory, UserFactory


def _closed(programme, days_ago=0):
    closed = timezone.now() - timedelta(days=days_ago)
    Programme.objects.filter(pk=programme.pk).update(closed_at=closed)
    programme.refresh_from_db()
    return programme


def _window(days=30):
    opens = timezone.now() + timedelta(days=days)
    return {"opens_at": opens, "closes_at": opens + timedelta(days=28)}


def test_a_follow_up_carries_over_framework_settings_leaders_and_facilitators(
    programme, programme_admin, leader
):
    facilitator = UserFactory()
    programme.anonymity_threshold = 4
    programme.save()
    first = AssessmentFactory(programme=programme, leader=leader, facilitator=facilitator)
    second = AssessmentFactory(programme=programme)
    _closed(programme)

    follow_up = programme_follow_up_create(
        earlier=programme, by=programme_admin, name="Cohort, one year on", **_window()
    )

    assert follow_up.follows == programme
    assert follow_up.framework_id == programme.framework_id
    assert follow_up.anonymity_threshold == 4
    assert follow_up.threshold_fixed_at is None
    assert list(follow_up.admins.all()) == [programme_admin]
    leaders = {a.leader_id: a.facilitator_id for a in follow_up.assessments.all()}
    assert leaders == {first.leader_id: facilitator.pk, second.leader_id: None}
    new = follow_up.assessments.get(leader=leader)
    assert earlier_assessment(assessment=new) == first
    assert not new.invitations.exists()  # raters are nominated again


def test_a_follow_up_is_refused_before_the_earlier_programme_closes(programme, programme_admin):
    with pytest.raises(ValidationError, match="has not closed yet"):
        programme_follow_up_create(earlier=programme, by=programme_admin, name="x", **_window())
    _closed(programme)
    with pytest.raises(ValidationError, match="must open after"):
        programme_follow_up_create(earlier=programme, by=programme_admin, name="x", **_window(-5))
    assert not Programme.objects.filter(follows=programme).exists()


def test_the_leader_copies_last_times_raters_except_withdrawn_ones(
    programme, programme_admin, leader, leader_client
):
    earlier = AssessmentFactory(programme=programme, leader=leader)
    kept = InvitationFactory(assessment=earlier, state=Invitation.State.SUBMITTED)
    InvitationFactory(assessment=earlier, state=Invitation.State.REVOKED)
    _closed(programme, days_ago=1)
    follow_up = programme_follow_up_create(
        earlier=programme, by=programme_admin, name="Again", **_window(-0.5)
    )
    assessment = follow_up.assessments.get(leader=leader)

    page = leader_client.get(reverse("leader:nominations", args=[assessment.pk]))
    assert "Add my raters from" in page.content.decode()
    response = leader_client.post(reverse("leader:copy_earlier", args=[assessment.pk]))

    assert response.status_code == 302
    copied = list(assessment.invitations.values_list("email", "rater_group", "state"))
    assert copied == [(kept.email, kept.rater_group, Invitation.State.NOMINATED)]
    # Copying again adds nobody twice.
    assert nominations_copy_earlier(assessment=assessment, by=leader) == (0, [])


def test_the_admin_creates_a_follow_up_from_the_programme_page(
    programme, programme_admin_client, leader
):
    AssessmentFactory(programme=programme, leader=leader)
    _closed(programme)
    detail = programme_admin_client.get(reverse("programmes:detail", args=[programme.pk]))
    assert "Create follow-up" in detail.content.decode()
    url = reverse("programmes:follow_up", args=[programme.pk])
    opens = timezone.localtime() + timedelta(days=40)
    data = {"name": "Cohort again"}
    for field, when in (("opens_at", opens), ("closes_at", opens - timedelta(days=1))):
        data.update(
            {
                f"{field}_0": when.day,
                f"{field}_1": when.month,
                f"{field}_2": when.year,
                f"{field}_3": when.strftime("%H:%M"),
            }
        )
    refused = programme_admin_client.post(url, data)
    assert refused.status_code == 200
    assert "The close date must be after the open date" in refused.content.decode()
    assert 'value="Cohort again"' in refused.content.decode()

    later = opens + timedelta(days=20)
    data.update({"closes_at_0": later.day, "closes_at_1": later.month, "closes_at_2": later.year})
    created = programme_admin_client.post(url, data)
    follow_up = Programme.objects.get(follows=programme)
    assert created.url == reverse("programmes:detail", args=[follow_up.pk])
    assert follow_up.assessments.get().leader == leader
    earlier_page = programme_admin_client.get(reverse("programmes:detail", args=[programme.pk]))
    assert "Followed up by" in earlier_page.content.decode()
