"""The demo mailbox exists only in the quick start (DEBUG on, email not really sent)."""

import pytest
from django.core import mail

from accounts.emails import email_queue
from accounts.models import OutboxEmail
from tests import factories

URL = "/accounts/demo-mailbox/"


@pytest.fixture
def sent(db, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    person = factories.UserFactory(full_name="Ali Leader", email="ali@example.nhs.uk")
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(kind="password_reset", to=person.email, context={"user_id": person.pk})
    assert OutboxEmail.objects.get().state == OutboxEmail.State.SENT
    return mail.outbox[0]


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    ],
)
def test_with_debug_on_and_no_real_email_it_lists_what_was_sent(client, settings, sent, backend):
    settings.DEBUG, settings.EMAIL_BACKEND = True, backend
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "ali@example.nhs.uk" in html
    assert sent.subject in html
    link = next(word for word in sent.body.split() if word.startswith("http://127.0.0.1:8000/"))
    assert f'href="{link.split("/set-password/")[0]}/set-password/' in html
    assert response["Cache-Control"] == "no-store"
    assert 'href="/accounts/demo-mailbox/"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("debug", "backend"),
    [
        (False, "django.core.mail.backends.console.EmailBackend"),
        (True, "django.core.mail.backends.smtp.EmailBackend"),
        (False, "django.core.mail.backends.smtp.EmailBackend"),
    ],
)
def test_anywhere_else_it_does_not_exist(client, settings, sent, debug, backend):
    settings.DEBUG, settings.EMAIL_BACKEND = debug, backend
    assert client.get(URL).status_code == 404
    assert "demo-mailbox" not in client.get("/").content.decode()


def test_with_debug_on_a_missing_page_is_the_nhs_page_not_djangos(client, settings, db):
    settings.DEBUG = True
    for url in ("/no/such/page/", "/programmes/999999/"):
        client.force_login(factories.UserFactory())
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 404, url
        assert "<h1>Page not found</h1>" in html, url
        assert "URLconf" not in html and "Raised by" not in html, url
