"""GOV.UK Notify delivery (accounts.notify) through a local Notify (tests/notify_server.py),
with the official client pointed at it by its base URL."""

import time
from datetime import timedelta

import jwt
import pytest
from django.core import mail
from django.utils import timezone

from accounts.emails import MESSAGES, email_queue, email_render
from accounts.models import OutboxEmail
from accounts.notify import NotifyUnavailable, notify_statuses_fetch
from accounts.outbox import outbox_send, outbox_sweep
from accounts.tasks import fetch_delivery_statuses
from assessments.models import Invitation, RaterGroup
from assessments.services.nominations import invitation_nominate, invitations_send
from development.models import DevelopmentPlan, Goal
from tests.notify_server import SERVICE_ID, FakeNotify


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://lpc360.example.nhs.uk"


RATERS = [
    ("Morgan Manager", "morgan@example.nhs.uk", RaterGroup.LINE_MANAGER),
    ("Priya Peer", "priya@example.nhs.uk", RaterGroup.PEER),
    ("Sam Peer", "sam@example.nhs.uk", RaterGroup.PEER),
    ("Kai Peer", "kai@example.nhs.uk", RaterGroup.PEER),
    ("Dee Report", "dee@example.nhs.uk", RaterGroup.DIRECT_REPORT),
]


def queue_one_of_each_kind(*, assessment, programme_admin, capture=None) -> list[OutboxEmail]:
    """One outbox row of every kind of email, each one that would really be sent."""
    leader, programme = assessment.leader, assessment.programme
    for name, email, group in RATERS:
        invitation_nominate(
            assessment=assessment, name=name, email=email, rater_group=group, by=leader
        )
    invitations_send(assessment=assessment, by=leader)  # queues the rater_invitations
    invitation = Invitation.objects.get(email="priya@example.nhs.uk")
    newcomer = type(leader).objects.create_user(
        email="new.leader@example.nhs.uk", full_name="Nia Newcomer", password=None
    )
    email_queue(
        kind="account_invitation",
        to=newcomer.email,
        context={"user_id": newcomer.pk, "programme_id": programme.pk, "added_by_id": None},
    )
    ids = {"user_id": leader.pk, "programme_id": programme.pk}
    email_queue(kind="added_to_programme", to=leader.email, context=ids)
    email_queue(kind="password_reset", to=leader.email, context={"user_id": leader.pk})
    email_queue(
        kind="rater_reminder", to=invitation.email, context={"invitation_id": invitation.pk}
    )
    email_queue(kind="leader_reminder", to=leader.email, context={"assessment_id": assessment.pk})
    email_queue(
        kind="nominations_for_approval",
        to=programme_admin.email,
        context={"assessment_id": assessment.pk},
    )
    plan = DevelopmentPlan.objects.create(assessment=assessment)
    review_on = timezone.localdate() + timedelta(days=5)
    goal = Goal.objects.create(plan=plan, position=1, goal="Listen first", review_on=review_on)
    email_queue(
        kind="plan_review_reminder",
        to=leader.email,
        context={"goal_id": goal.pk, "review_on": review_on.isoformat()},
    )
    rows = list(OutboxEmail.objects.order_by("pk"))
    assert {row.kind for row in rows} == set(MESSAGES), "a kind of email has no case here"
    return rows


def test_every_kind_of_email_goes_through_notify_with_the_smtp_content(
    notify, assessment, programme_admin
):
    rows = queue_one_of_each_kind(assessment=assessment, programme_admin=programme_admin)
    for row in rows:
        row.refresh_from_db()
        if row.state == "queued":  # not yet handed over in this test's transaction
            assert outbox_send(outbox_id=row.pk) == "sent"
    assert mail.outbox == []  # nothing went by SMTP
    assert len(notify.sent) == len(rows)
    by_reference = {body["reference"]: body for body in notify.sent}
    for row in OutboxEmail.objects.order_by("pk"):
        assert row.state == "sent" and row.notification_id, row
        body = by_reference[f"lpc360-outbox-{row.pk}"]
        assert body["email_address"] == row.to
        assert body["template_id"] == notify.template_ids[row.kind]
        assert row.notification_id in notify.notifications
        # The same content as the SMTP email: its subject and text, and its first link.
        personalisation = body["personalisation"]
        assert set(personalisation) == {"subject", "body", "link"}
        assert personalisation["subject"]
        assert personalisation["link"].startswith("https://lpc360.example.nhs.uk/")
        assert personalisation["link"] in personalisation["body"]


def test_the_personalisation_is_the_rendered_email(notify, leader, programme):
    row = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )
    outbox_send(outbox_id=row.pk)
    rendered = email_render(kind=row.kind, context=row.context)
    (sent,) = notify.sent
    assert sent["personalisation"]["subject"] == rendered.subject
    assert sent["personalisation"]["body"].split() == rendered.text.split()
    assert "https://lpc360.example.nhs.uk/accounts/login/" in sent["personalisation"]["body"]


@pytest.mark.parametrize("server_knows", ["another secret", "another service"])
def test_the_server_checks_the_clients_signature(notify, leader, programme, server_knows):
    """The fake checks the token as Notify does: signed with the key's secret, issued by the
    key's service. A key Notify does not accept is a 403: failed, not retried."""
    if server_knows == "another secret":
        notify.secret = "a1b2c3d4-0000-4000-8000-000000000000"
    else:
        notify.service_id = "a1b2c3d4-0000-4000-8000-000000000000"
    row = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )
    assert outbox_send(outbox_id=row.pk) == "failed"
    row.refresh_from_db()
    assert "403" in row.last_error and "Invalid token" in row.last_error
    assert notify.sent == [] and notify.refused[0][0] == 403


def test_a_token_from_the_client_is_recent_hs256_for_the_service(notify):
    from notifications_python_client.authentication import create_jwt_token

    from tests.notify_server import SECRET

    token = create_jwt_token(SECRET, SERVICE_ID)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID and abs(claims["iat"] - time.time()) < 5


@pytest.mark.parametrize("status", [400, 403])
def test_a_refusal_for_good_fails_the_email_at_once(notify, leader, programme, status):
    notify.fail_next(status)
    row = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )
    assert outbox_send(outbox_id=row.pk) == "failed"  # no exception: nothing to retry
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 1)
    assert row.last_error.startswith("Refused:") and str(status) in row.last_error
    assert notify.sent == []


@pytest.mark.parametrize("status", [429, 500])
def test_a_busy_or_broken_notify_is_retried_then_sent(notify, leader, programme, status):
    notify.fail_next(status)
    row = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )
    with pytest.raises(NotifyUnavailable):  # a ConnectionError: the task retries it
        outbox_send(outbox_id=row.pk)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("queued", 1) and str(status) in row.last_error
    # The sweeper hands it over again later (tasks run in process here).
    assert outbox_sweep(now=timezone.now() + timedelta(minutes=2)) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2) and row.notification_id
    assert len(notify.sent) == 1


def test_retries_are_bounded(notify, leader, programme, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    notify.fail_next(500, times=10)
    row = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )
    for _ in range(2):
        with pytest.raises(NotifyUnavailable):
            outbox_send(outbox_id=row.pk)
    assert outbox_send(outbox_id=row.pk) == "failed"
    assert outbox_send(outbox_id=row.pk) is None
    assert notify.sent == []


def test_notify_that_does_not_answer_is_retried(settings, leader, programme):
    fake = FakeNotify()
    settings.EMAIL_DELIVERY = "notify"
    settings.NOTIFY_API_KEY = "x-" + SERVICE_ID + "-" + "3d844edf-8d35-48ac-975b-e847b4f122b0"
    settings.NOTIFY_BASE_URL = fake.start()
    settings.NOTIFY_TEMPLATE_IDS = {"added_to_programme": "x"}
    fake.stop()  # nothing listens there now
    row = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )
    with pytest.raises(NotifyUnavailable):
        outbox_send(outbox_id=row.pk)
    row.refresh_from_db()
    assert row.state == "queued"


def test_a_kind_without_a_template_id_is_not_sent_and_says_why(notify, leader, programme):
    del notify.template_ids["added_to_programme"]
    row = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )
    from django.conf import settings

    settings.NOTIFY_TEMPLATE_IDS = notify.template_ids
    with pytest.raises(Exception, match="NOTIFY_TEMPLATE_IDS"):
        outbox_send(outbox_id=row.pk)
    row.refresh_from_db()
    assert "added_to_programme" in row.last_error and notify.sent == []


# Delivery status ----------------------------------------------------------------------


def _sent(notify, leader, programme):
    row = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )
    outbox_send(outbox_id=row.pk)
    row.refresh_from_db()
    return row


@pytest.mark.parametrize(
    "status", ["delivered", "permanent-failure", "temporary-failure", "technical-failure"]
)
def test_the_periodic_task_stores_what_notify_reports(notify, leader, programme, status):
    row = _sent(notify, leader, programme)
    assert fetch_delivery_statuses() == 1  # "sending": not final, asked again next time
    row.refresh_from_db()
    assert row.delivery_status == "sending" and row.status_checked_at
    notify.set_status(row.notification_id, status)
    assert fetch_delivery_statuses() == 1
    row.refresh_from_db()
    assert row.delivery_status == status
    assert fetch_delivery_statuses() == 0  # final: not asked again


def test_old_emails_and_smtp_emails_are_not_asked_about(notify, leader, programme):
    row = _sent(notify, leader, programme)
    assert notify_statuses_fetch(now=timezone.now() + timedelta(days=8)) == 0
    OutboxEmail.objects.filter(pk=row.pk).update(notification_id="")
    assert notify_statuses_fetch() == 0


def test_statuses_are_not_fetched_when_email_goes_by_smtp(notify, leader, programme, settings):
    row = _sent(notify, leader, programme)
    settings.EMAIL_DELIVERY = "smtp"
    assert fetch_delivery_statuses() == 0
    row.refresh_from_db()
    assert row.delivery_status == ""


def test_a_status_notify_cannot_give_now_is_asked_for_next_time(notify, leader, programme):
    row = _sent(notify, leader, programme)
    notify.fail_next(500)
    assert notify_statuses_fetch() == 0
    row.refresh_from_db()
    assert row.delivery_status == ""
    assert notify_statuses_fetch() == 1


def test_start_up_checks_name_the_kinds_without_a_template(notify, settings):
    from django.core import checks

    assert [m for m in checks.run_checks() if m.id == "accounts.E001"] == []
    settings.NOTIFY_TEMPLATE_IDS = {"rater_invitation": "an-id"}
    (error,) = [m for m in checks.run_checks() if m.id == "accounts.E001"]
    assert "password_reset" in error.msg and "rater_invitation" not in error.msg
    settings.EMAIL_DELIVERY = "smtp"
    assert [m for m in checks.run_checks() if m.id == "accounts.E001"] == []
