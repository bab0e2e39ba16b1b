"""Leaders are reminded of what only they can do: their self-assessment, nominating their
raters, sending the invitations. On the schedule, and when an admin presses "remind"."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import OutboxEmail, Role
from accounts.roles import role_grant
from assessments.models import Invitation, RaterGroup
from assessments.services.reminders import leader_outstanding, reminder_round_send
from assessments.tasks import send_due_reminders
from tests import factories

OPENS = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLOSES = datetime(2026, 3, 30, 16, 0, tzinfo=UTC)


@pytest.fixture
def programme(framework, programme_admin):
    programme = factories.ProgrammeFactory(framework=framework, opens_at=OPENS, closes_at=CLOSES)
    programme.admins.add(programme_admin)
    role_grant(user=programme_admin, role=Role.PROGRAMME_ADMIN)
    return programme


def _leader(programme, name, *, self_done=False, raters=0, state=Invitation.State.INVITED):
    email = name.lower().replace(" ", ".") + "@example.nhs.uk"
    leader = factories.UserFactory(full_name=name, email=email)
    assessment = factories.AssessmentFactory(programme=programme, leader=leader)
    if self_done:
        factories.ResponseFactory(assessment=assessment, rater_group=RaterGroup.SELF)
    groups = [RaterGroup.LINE_MANAGER] + [RaterGroup.PEER] * 3 + [RaterGroup.DIRECT_REPORT] * 3
    for n, group in enumerate(groups[:raters]):
        factories.InvitationFactory(
            assessment=assessment, rater_group=group, state=state, email=f"r{n}.{email}"
        )
    return assessment


def _leader_emails():
    return sorted(m.to[0] for m in mail.outbox if "your 360" in m.subject.lower())


def test_what_a_leader_has_left_to_do(programme):
    nothing_done = _leader(programme, "Ada Nothing")
    assert [item.split(":")[0] for item in leader_outstanding(assessment=nothing_done)] == [
        "Complete your self-assessment",
        "Nominate your raters",
    ]
    not_sent = _leader(programme, "Bo Notsent", self_done=True, raters=7, state="nominated")
    assert leader_outstanding(assessment=not_sent) == [
        "Send the invitations to the 7 raters you have nominated"
    ]
    done = _leader(programme, "Cy Done", self_done=True, raters=7)
    assert leader_outstanding(assessment=done) == []


def test_the_scheduled_round_reminds_leaders_with_work_left_once(
    programme, django_capture_on_commit_callbacks
):
    _leader(programme, "Ada Nothing")
    _leader(programme, "Bo Notsent", self_done=True, raters=7, state="nominated")
    _leader(programme, "Cy Done", self_done=True, raters=7)
    with (
        time_machine.travel(CLOSES - timedelta(days=7) + timedelta(minutes=30)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_due_reminders()
        send_due_reminders()  # the next hourly run sends nothing more
    assert _leader_emails() == ["ada.nothing@example.nhs.uk", "bo.notsent@example.nhs.uk"]
    ada = next(m for m in mail.outbox if m.to == ["ada.nothing@example.nhs.uk"])
    assert "Complete your self-assessment" in ada.body
    assert "Nominate your raters" in ada.body
    assert "https://" in ada.body or "http://" in ada.body
    bo = next(m for m in mail.outbox if m.to == ["bo.notsent@example.nhs.uk"])
    assert "Send the invitations to the 7 raters you have nominated" in bo.body
    assert "self-assessment" not in bo.body


def test_a_leader_who_finishes_before_the_email_goes_is_not_sent_it(programme):
    assessment = _leader(programme, "Ada Nothing", self_done=False, raters=7)
    with time_machine.travel(OPENS + timedelta(days=3)):
        reminder_round_send(programme=programme, by=None)
    factories.ResponseFactory(assessment=assessment, rater_group=RaterGroup.SELF)
    from accounts.outbox import outbox_send

    row = OutboxEmail.objects.get(kind="leader_reminder")
    assert outbox_send(outbox_id=row.pk) == OutboxEmail.State.FAILED
    assert mail.outbox == []


def test_the_admins_remind_button_reminds_the_leader_too(
    client, programme, programme_admin, django_capture_on_commit_callbacks
):
    assessment = _leader(programme, "Ada Nothing")
    client.force_login(programme_admin)
    url = reverse("invitations:remind", args=[programme.pk, assessment.pk])
    with time_machine.travel(OPENS + timedelta(days=3)):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, follow=True)
        assert response.status_code == 200
        assert "Ada Nothing" in response.content.decode()
        assert _leader_emails() == ["ada.nothing@example.nhs.uk"]
        # Pressed again: no second email within 12 hours.
        with pytest.raises(ValidationError, match="no one to remind"):
            reminder_round_send(programme=programme, assessment=assessment, by=programme_admin)
