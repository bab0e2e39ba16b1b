"""Password reset goes through the outbox and its link sets a new password."""

import re

from django.core import mail

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


def test_unknown_address_gets_the_same_answer_and_no_email(client, db):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.nhs.uk"})
    assert response.status_code == 302
    assert not OutboxEmail.objects.exists()
