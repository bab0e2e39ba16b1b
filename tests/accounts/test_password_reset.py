"""Password reset goes through the outbox and its link sets a new password."""

import re

from django.core import mail
from django.test import Client

from accounts.models import OutboxEmail
from tests.factories import UserFactory


def test_password_reset_is_queued_and_its_link_works(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://lpc360.example.nhs.uk"
    user = UserFactory(email="jo@example.nhs.uk")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": "JO@example.nhs.uk"})
    assert response.status_code == 302
    row = OutboxEmail.objects.get(kind="password_reset")
    assert row.to == "jo@example.nhs.uk"
    assert row.state == OutboxEmail.State.SENT  # tasks run in process in tests
    message = mail.outbox[-1]
    link = re.search(r"https://lpc360\.example\.nhs\.uk(/accounts/set-password/\S+/)", message.body)
    assert link, message.body
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"new_password1": "a-much-longer-passphrase", "new_password2": "a-much-longer-passphrase"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-much-longer-passphrase")


RESET = "/accounts/password-reset/"


def _answer(response) -> tuple:
    return (response.status_code, response.get("Location"), response.content)


def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_work(
    db, django_capture_on_commit_callbacks
):
    """Both write an outbox row (the work that took a known address 3x longer); only the
    known one is ever sent: the unknown row ends failed, "Not sent"."""
    UserFactory(email="jo@example.nhs.uk")
    with django_capture_on_commit_callbacks(execute=True):
        known = Client().post(RESET, {"email": "jo@example.nhs.uk"})
        unknown = Client().post(RESET, {"email": "nobody@example.nhs.uk"})
    assert _answer(known) == _answer(unknown)
    rows = {row.to: row for row in OutboxEmail.objects.filter(kind="password_reset")}
    assert set(rows) == {"jo@example.nhs.uk", "nobody@example.nhs.uk"}
    assert rows["jo@example.nhs.uk"].state == OutboxEmail.State.SENT
    assert rows["nobody@example.nhs.uk"].state == OutboxEmail.State.FAILED
    assert rows["nobody@example.nhs.uk"].last_error.startswith("Not sent")
    assert [message.to for message in mail.outbox] == [["jo@example.nhs.uk"]]


def test_resets_for_one_account_are_limited_without_saying_so(
    db, django_capture_on_commit_callbacks
):
    UserFactory(email="jo@example.nhs.uk")
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            Client(REMOTE_ADDR=f"198.51.100.{n}").post(RESET, {"email": "Jo@example.nhs.uk"})
            for n in range(6)
        ]
    assert len({_answer(response) for response in answers}) == 1
    assert len(mail.outbox) == 3
    # An unknown address is limited the same way, so the limit tells nothing either.
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(6):
            Client(REMOTE_ADDR=f"198.51.100.{n}").post(RESET, {"email": "no@example.nhs.uk"})
    assert OutboxEmail.objects.filter(to="no@example.nhs.uk").count() == 3


def test_resets_from_one_address_are_limited(db):
    asker = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(20):
        assert asker.post(RESET, {"email": f"p{n}@example.nhs.uk"}).status_code == 302
    refused = asker.post(RESET, {"email": "p99@example.nhs.uk"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert not OutboxEmail.objects.filter(to="p99@example.nhs.uk").exists()
    other = Client(REMOTE_ADDR="198.51.100.1").post(RESET, {"email": "p99@example.nhs.uk"})
    assert other.status_code == 302
