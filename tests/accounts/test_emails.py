"""accounts.emails and accounts.outbox: one builder, an outbox row per email, sent once."""

import logging
import re
from datetime import UTC, datetime, timedelta
from smtplib import SMTPException

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from accounts.emails import email_queue, email_render, uk_time
from accounts.models import OutboxEmail
from accounts.outbox import outbox_send, outbox_sweep
from accounts.tasks import sweep_outbox
from assessments.models import Invitation, RaterGroup
from assessments.services.nominations import invitation_nominate, invitations_send
from assessments.tokens import token_hash
from config.celery import app as celery_app
from tests import factories

LINK = re.compile(r"https://lpc360\.example\.nhs\.uk(/feedback/[A-Za-z0-9_-]+/)")


class FailingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise SMTPException("421 Service not available")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://lpc360.example.nhs.uk"


def _invite(assessment, capture, **extra):
    raters = [
        ("Morgan O'Manager", "morgan@example.nhs.uk", RaterGroup.LINE_MANAGER),
        ("Priya Peer", "priya@example.nhs.uk", RaterGroup.PEER),
        ("Sam Peer", "sam@example.nhs.uk", RaterGroup.PEER),
        ("Kai Peer", "kai@example.nhs.uk", RaterGroup.PEER),
        ("Dee Report", "dee@example.nhs.uk", RaterGroup.DIRECT_REPORT),
    ]
    for name, email, group in raters:
        invitation_nominate(
            assessment=assessment, name=name, email=email, rater_group=group, by=assessment.leader
        )
    with capture(execute=True):
        invitations_send(assessment=assessment, by=assessment.leader)
    return {m.to[0]: m for m in mail.outbox}


def _html(message):
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


# The outbox --------------------------------------------------------------------------


def test_an_email_is_written_in_the_action_transaction_and_sent_after_commit(
    leader, programme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = email_queue(
            kind="added_to_programme",
            to=leader.email,
            context={"user_id": leader.pk, "programme_id": programme.pk},
        )
        assert mail.outbox == []  # not before the action commits
    row.refresh_from_db()
    assert (row.state, row.attempts, row.sent_at is not None) == ("sent", 1, True)
    assert [m.to for m in mail.outbox] == [[leader.email]]


def test_a_rolled_back_action_leaves_no_email(
    leader, programme, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        email_queue(
            kind="added_to_programme",
            to=leader.email,
            context={"user_id": leader.pk, "programme_id": programme.pk},
        )
        raise RuntimeError("the action failed")
    assert not OutboxEmail.objects.exists()
    assert mail.outbox == []


def test_an_unknown_kind_is_a_programming_error(leader):
    with pytest.raises(ValueError, match="Unknown kind"):
        email_queue(kind="newsletter", to=leader.email, context={})


def test_a_row_is_never_sent_twice(leader, programme):
    row = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )
    assert outbox_send(outbox_id=row.pk) == "sent"
    assert outbox_send(outbox_id=row.pk) is None
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_and_retried_until_the_limit(leader, programme, settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_emails.FailingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    row = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )
    for attempt in (1, 2):
        with pytest.raises(SMTPException):
            outbox_send(outbox_id=row.pk)
        row.refresh_from_db()
        assert (row.state, row.attempts) == ("queued", attempt)
        assert "421 Service not available" in row.last_error
    assert outbox_send(outbox_id=row.pk) == "failed"  # the last attempt does not raise
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 3)
    assert outbox_send(outbox_id=row.pk) is None


def test_a_message_that_cannot_be_rendered_is_recorded_and_given_up_on(db, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    row = OutboxEmail.objects.create(kind="retired_kind", to="someone@example.org")
    with pytest.raises(KeyError):
        outbox_send(outbox_id=row.pk)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("queued", 1) and "retired_kind" in row.last_error
    assert outbox_send(outbox_id=row.pk) == "failed"
    assert mail.outbox == []


def test_a_failing_smtp_server_never_fails_the_users_action(
    assessment, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.accounts.test_emails.FailingBackend"
    _invite(assessment, django_capture_on_commit_callbacks)
    rows = OutboxEmail.objects.filter(kind="rater_invitation")
    assert rows.count() == 5
    # Tasks run in process here: each row has had one attempt and waits for the sweeper.
    assert set(rows.values_list("state", "attempts")) == {("queued", 1)}
    assert "421 Service not available" in rows.first().last_error
    assert assessment.invitations.filter(state="invited").count() == 5


def test_an_email_that_no_longer_makes_sense_is_not_sent(assessment):
    invitation = factories.InvitationFactory(assessment=assessment)
    row = email_queue(
        kind="rater_invitation", to=invitation.email, context={"invitation_id": invitation.pk}
    )
    invitation.delete()  # removed by the leader before the worker got to it
    assert outbox_send(outbox_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.last_error.startswith("Not sent:")
    assert mail.outbox == []


def test_a_broker_that_is_down_leaves_the_email_queued(
    leader, programme, caplog, django_capture_on_commit_callbacks
):
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = "redis://127.0.0.1:6390/0", False
    _reset_broker_connections()
    try:
        with (
            caplog.at_level(logging.WARNING, logger="accounts.outbox"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            row = email_queue(
                kind="added_to_programme",
                to=leader.email,
                context={"user_id": leader.pk, "programme_id": programme.pk},
            )
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _reset_broker_connections()
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("queued", 0)
    assert "broker is unreachable" in caplog.text


def test_the_sweeper_sends_what_was_left_queued(leader, programme):
    left = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )  # its on-commit hand-over never runs here: as if the broker had been down
    assert outbox_sweep() == 0  # too recent: its hand-over may still be on its way
    with time_machine.travel(timezone_now() + timedelta(minutes=2)):
        assert sweep_outbox() == 1
    left.refresh_from_db()
    assert left.state == "sent"


def _reset_broker_connections():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def timezone_now():
    return datetime.now(UTC)


# What each email says ------------------------------------------------------------------


def test_a_rater_invitation_says_who_why_when_how_long_and_gives_a_working_link(
    assessment, programme, client, django_capture_on_commit_callbacks
):
    by_email = _invite(assessment, django_capture_on_commit_callbacks)
    peer = by_email["priya@example.nhs.uk"]
    html = _html(peer)
    assert peer.subject == "Alex Leader has asked for your feedback"
    for part in (peer.body, html):
        assert "Alex Leader" in part
        assert uk_time(programme.closes_at) in part
        assert "about 15 minutes" in part
        assert f"at least {programme.anonymity_threshold} people in your group" in part
        assert "shown without your name" in part
    token_path = LINK.search(peer.body).group(1)
    assert token_path in html
    invitation = Invitation.objects.get(email="priya@example.nhs.uk")
    token = token_path.split("/")[2]
    assert token_hash(token) == invitation.token_hash
    assert client.get(token_path).status_code == 200


def test_the_line_manager_is_told_their_ratings_are_shown_as_theirs(
    assessment, django_capture_on_commit_callbacks
):
    by_email = _invite(assessment, django_capture_on_commit_callbacks)
    manager, peer = by_email["morgan@example.nhs.uk"], by_email["priya@example.nhs.uk"]
    assert "shown in their report as the line manager's ratings" in manager.body
    assert "anonymous" not in manager.body.split("How your answers are used")[1].split(".")[0]
    assert "line manager's ratings" not in peer.body
    assert "Your answers are anonymous" in peer.body
    # Plain text is not HTML-escaped; HTML is.
    assert "Dear Morgan O'Manager" in manager.body
    assert "Morgan O&#x27;Manager" in _html(manager)


def test_the_raw_token_is_stored_nowhere(assessment, django_capture_on_commit_callbacks):
    by_email = _invite(assessment, django_capture_on_commit_callbacks)
    tokens = [LINK.search(m.body).group(1).split("/")[2] for m in by_email.values()]
    assert len(set(tokens)) == 5
    stored = [repr(row) for row in OutboxEmail.objects.values_list()] + [
        repr(row) for row in Invitation.objects.values_list()
    ]
    for token in tokens:
        assert not any(token in text for text in stored)


def test_the_deadline_is_in_uk_time():
    summer = datetime(2026, 7, 3, 16, 0, tzinfo=UTC)  # 5pm in London (BST)
    winter = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)
    assert uk_time(summer) == "5pm on Friday 3 July 2026"
    assert uk_time(winter) == "midday on Friday 9 January 2026"
    assert uk_time(datetime(2026, 1, 9, 23, 59, tzinfo=UTC)) == "11:59pm on Friday 9 January 2026"


def test_a_reminder_gives_the_same_link_and_the_days_left(
    assessment, programme, django_capture_on_commit_callbacks
):
    by_email = _invite(assessment, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email="sam@example.nhs.uk")
    with time_machine.travel(programme.closes_at - timedelta(days=3)):
        reminder = email_render(kind="rater_reminder", context={"invitation_id": invitation.pk})
    assert "closes in 3 days" in reminder.subject
    assert LINK.search(reminder.text).group(1) == LINK.search(
        by_email["sam@example.nhs.uk"].body
    ).group(1)
    assert LINK.search(reminder.html)


def test_an_account_invitation_links_to_setting_a_password(leader, programme, client, settings):
    leader.set_unusable_password()
    leader.save()
    rendered = email_render(
        kind="account_invitation",
        context={"user_id": leader.pk, "programme_id": programme.pk, "added_by_id": None},
    )
    assert programme.name in rendered.subject
    assert "Pat Admin" in rendered.text  # who runs the programme
    assert "3 days" in rendered.text  # PASSWORD_RESET_TIMEOUT
    assert "nominate at least 5" in rendered.text.lower()
    path = re.search(
        r"https://lpc360\.example\.nhs\.uk(/accounts/set-password/\S+/)", rendered.text
    )
    assert path.group(0) in rendered.html
    page = client.get(path.group(1), follow=True)
    assert page.status_code == 200
    assert page.context["validlink"] is True


def test_an_account_invitation_names_who_added_the_leader(leader, programme, programme_admin):
    leader.set_unusable_password()
    leader.save()
    rendered = email_render(
        kind="account_invitation",
        context={
            "user_id": leader.pk,
            "programme_id": programme.pk,
            "added_by_id": programme_admin.pk,
        },
    )
    assert "Pat Admin has added you" in rendered.text


def test_an_existing_user_is_told_they_were_added(leader, programme):
    rendered = email_render(
        kind="added_to_programme", context={"user_id": leader.pk, "programme_id": programme.pk}
    )
    assert programme.name in rendered.subject
    assert "https://lpc360.example.nhs.uk/accounts/login/" in rendered.text


@pytest.fixture
def sso_only(settings):
    settings.OIDC_RP_CLIENT_ID = "lpc360"
    settings.OIDC_ISSUER = "http://127.0.0.1:9/o"
    settings.PASSWORD_SIGNIN_ENABLED = False


def test_with_sso_only_an_account_invitation_says_to_sign_in_with_the_organisation_account(
    leader, programme, client, sso_only
):
    leader.set_unusable_password()
    leader.save()
    rendered = email_render(
        kind="account_invitation",
        context={"user_id": leader.pk, "programme_id": programme.pk, "added_by_id": None},
    )
    for text in (rendered.subject, rendered.text, rendered.html):
        assert "password" not in text.lower().replace("separate password", "")
        assert "set-password" not in text
    assert "Sign in with your organisation account" in rendered.text
    assert "Sign in with your organisation account" in rendered.html
    assert "You do not need a separate password" in rendered.text
    assert "https://lpc360.example.nhs.uk/accounts/login/" in rendered.text
    assert 'href="https://lpc360.example.nhs.uk/accounts/login/"' in rendered.html
    assert programme.name in rendered.subject
    assert "Set up" not in rendered.subject
    # The link leads to the single sign-on button.
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with your organisation account" in page


def test_with_sso_only_the_notify_fields_carry_the_same_sign_in_wording(
    leader, programme, sso_only
):
    from accounts.notify import notify_personalisation

    leader.set_unusable_password()
    leader.save()
    fields = notify_personalisation(
        email_render(
            kind="account_invitation",
            context={"user_id": leader.pk, "programme_id": programme.pk, "added_by_id": None},
        )
    )
    assert "Sign in with your organisation account" in fields["body"]
    assert "set-password" not in fields["body"] + fields["link"]
    assert fields["link"] == "https://lpc360.example.nhs.uk/accounts/login/"
    assert "Set up" not in fields["subject"]


def test_with_passwords_on_an_account_invitation_still_sets_a_password(leader, programme):
    leader.set_unusable_password()
    leader.save()
    rendered = email_render(
        kind="account_invitation",
        context={"user_id": leader.pk, "programme_id": programme.pk, "added_by_id": None},
    )
    assert "Set a password for your account" in rendered.text
    assert "/accounts/set-password/" in rendered.html
    assert "organisation account" not in rendered.text + rendered.html


def test_with_sso_only_added_to_programme_says_to_sign_in_with_the_organisation_account(
    leader, programme, sso_only
):
    rendered = email_render(
        kind="added_to_programme", context={"user_id": leader.pk, "programme_id": programme.pk}
    )
    for text in (rendered.text, rendered.html):
        assert "password" not in text.lower()
        assert "Sign in with your organisation account" in text
        assert "https://lpc360.example.nhs.uk/accounts/login/" in text


def test_with_passwords_on_added_to_programme_mentions_the_password(leader, programme):
    rendered = email_render(
        kind="added_to_programme", context={"user_id": leader.pk, "programme_id": programme.pk}
    )
    for text in (rendered.text, rendered.html):
        assert "your password" in text
        assert "Forgotten your password?" in text
        assert "organisation account" not in text


def test_a_password_reset_goes_through_the_outbox_with_a_working_link(leader, client):
    row = email_queue(kind="password_reset", to=leader.email, context={"user_id": leader.pk})
    outbox_send(outbox_id=row.pk)
    (message,) = mail.outbox
    path = re.search(r"https://lpc360\.example\.nhs\.uk(/accounts/set-password/\S+/)", message.body)
    assert path, message.body
    assert client.get(path.group(1), follow=True).context["validlink"] is True
    assert message.alternatives


def test_every_kind_has_its_three_templates():
    from django.template.loader import get_template

    from accounts.emails import MESSAGES

    for kind in MESSAGES:
        for suffix in ("_subject.txt", ".txt", ".html"):
            get_template(f"emails/{kind}{suffix}")
