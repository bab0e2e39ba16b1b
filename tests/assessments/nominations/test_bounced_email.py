"""A rater's address that GOV.UK Notify reports as bounced for good: the admin sees it beside
the rater, and reminders stop going to it (accounts.delivery, assessments.services.reminders).
Email goes through the local Notify (tests/notify_server.py, the ``notify`` fixture)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import OutboxEmail
from accounts.tasks import fetch_delivery_statuses
from assessments.services.nominations import invitations_send
from assessments.services.reminders import reminder_round_send, reminders_send_due

BOUNCED = "priya.peer@example.nhs.uk"


@pytest.fixture
def bounced(notify, assessment, nominated, django_capture_on_commit_callbacks):
    """Invitations sent through Notify; Notify then reports Priya's as a permanent failure
    and the others as delivered, and the periodic task has fetched that."""
    with django_capture_on_commit_callbacks(execute=True):
        invitations_send(assessment=assessment, by=assessment.leader)
    rows = OutboxEmail.objects.filter(kind="rater_invitation")
    assert rows.count() == 5 and not rows.exclude(state="sent").exists()
    for row in rows:
        status = "permanent-failure" if row.to == BOUNCED else "delivered"
        notify.set_status(row.notification_id, status)
    assert fetch_delivery_statuses() == 5
    return notify


def _reminded(since_pk=0):
    return set(
        OutboxEmail.objects.filter(kind="rater_reminder", pk__gt=since_pk).values_list(
            "to", flat=True
        )
    )


def test_the_admin_sees_which_address_bounced(bounced, assessment, programme_admin_client):
    page = programme_admin_client.get(
        reverse("invitations:raters", args=[assessment.programme_id, assessment.pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Email bounced — check the address") == 1
    assert html.count("Email delivered") == 4
    rows = html.split('<tr class="nhsuk-table__row" role="row">')
    (priya_row,) = [row for row in rows if BOUNCED in row]
    assert "Email bounced — check the address" in priya_row


def test_nothing_is_shown_before_notify_has_said_anything(
    notify, assessment, nominated, programme_admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitations_send(assessment=assessment, by=assessment.leader)
    page = programme_admin_client.get(
        reverse("invitations:raters", args=[assessment.programme_id, assessment.pk])
    )
    assert "Email bounced" not in page.content.decode()
    assert "Email delivered" not in page.content.decode()


def test_a_manual_round_does_not_remind_a_bounced_address(bounced, assessment, programme_admin):
    later = timezone.now() + timedelta(hours=13)
    reminder_round_send(programme=assessment.programme, by=programme_admin, now=later)
    reminded = _reminded()
    assert len(reminded) == 4 and BOUNCED not in reminded


def test_a_scheduled_round_does_not_remind_a_bounced_address(bounced, assessment):
    programme = assessment.programme
    due = programme.closes_at - timedelta(days=min(programme.reminder_days)) + timedelta(minutes=5)
    assert reminders_send_due(now=due) == 4
    reminded = _reminded()
    assert len(reminded) == 4 and BOUNCED not in reminded


def test_a_later_delivered_email_to_the_address_lifts_the_stop(
    bounced, assessment, programme_admin, django_capture_on_commit_callbacks
):
    """The admin resends after the rater's mailbox is fixed; Notify delivers it."""
    from assessments.services.invitations import invitation_resend

    priya = assessment.invitations.get(email=BOUNCED)
    last = OutboxEmail.objects.order_by("-pk").first().pk
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(invitation=priya, by=programme_admin)
    resent = OutboxEmail.objects.get(pk__gt=last, to=BOUNCED)
    bounced.set_status(resent.notification_id, "delivered")
    fetch_delivery_statuses()
    programme = assessment.programme
    due = programme.closes_at - timedelta(days=min(programme.reminder_days)) + timedelta(minutes=5)
    assert reminders_send_due(now=due) == 5
    assert BOUNCED in _reminded()


def test_with_smtp_nothing_is_held_back(assessment, nominated, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitations_send(assessment=assessment, by=assessment.leader)
    programme = assessment.programme
    due = programme.closes_at - timedelta(days=min(programme.reminder_days)) + timedelta(minutes=5)
    assert reminders_send_due(now=due) == 5


def test_a_leader_whose_address_bounced_is_not_reminded(
    notify, assessment, programme_admin, django_capture_on_commit_callbacks
):
    """The leader has work left (no raters, no self-assessment); their last email bounced."""
    from accounts.emails import email_queue
    from accounts.outbox import outbox_send

    leader = assessment.leader
    row = email_queue(
        kind="added_to_programme",
        to=leader.email.upper(),  # addresses are compared without case
        context={"user_id": leader.pk, "programme_id": assessment.programme_id},
    )
    outbox_send(outbox_id=row.pk)
    row.refresh_from_db()
    notify.set_status(row.notification_id, "permanent-failure")
    fetch_delivery_statuses()
    programme = assessment.programme
    first = (
        programme.closes_at - timedelta(days=max(programme.reminder_days)) + timedelta(minutes=5)
    )
    reminders_send_due(now=first)
    assert not OutboxEmail.objects.filter(kind="leader_reminder").exists()
    # The address is fixed and an email to it is delivered: reminders go again.
    again = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": assessment.programme_id},
    )
    outbox_send(outbox_id=again.pk)
    again.refresh_from_db()
    notify.set_status(again.notification_id, "delivered")
    fetch_delivery_statuses()
    later = (
        programme.closes_at - timedelta(days=min(programme.reminder_days)) + timedelta(minutes=5)
    )
    reminders_send_due(now=later)
    assert OutboxEmail.objects.filter(kind="leader_reminder", to=leader.email).exists()
