"""Guessing passwords: django-axes locks an account from one address after five failures."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from tests import factories

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


@pytest.fixture
def person(db):
    return factories.UserFactory(full_name="Robin Leader", email="robin.leader@example.nhs.uk")


def sign_in(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def lock_out(client, email):
    """Four wrong passwords get the form again; the fifth the lockout page."""
    for _ in range(4):
        wrong = sign_in(client, email, "not the password")
        assert wrong.status_code == 200
        assert "Enter a correct email address and password" in wrong.content.decode()
    return sign_in(client, email, "still not the password")


def test_five_wrong_passwords_lock_the_account_from_that_address_for_an_hour(client, person):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        locked = lock_out(client, person.email)
        assert locked.status_code == 429
        assert locked["Retry-After"] == "3600"
        html = locked.content.decode()
        assert 'class="nhsuk-header' in html
        assert "Too many attempts to sign in" in html
        assert "you cannot sign in for 1 hour" in html
        assert 'href="/accounts/password-reset/"' in html
        assert person.email not in html and "Traceback" not in html

        # Even the right password is refused while locked.
        refused = sign_in(client, person.email, PASSWORD)
        assert refused.status_code == 429 and not signed_in(client)
        clock.shift(timedelta(minutes=59))
        assert sign_in(client, person.email, PASSWORD).status_code == 429

        clock.shift(timedelta(minutes=2))
        assert sign_in(client, person.email, PASSWORD).status_code == 302
        assert signed_in(client)


def test_changing_the_case_of_the_email_buys_no_extra_attempts(client, person):
    for variant in ["Robin.Leader@example.nhs.uk", "ROBIN.LEADER@EXAMPLE.NHS.UK"] * 2:
        assert sign_in(client, variant, "wrong").status_code == 200
    assert sign_in(client, " robin.leader@Example.nhs.uk", "wrong").status_code == 429
    assert sign_in(client, person.email, PASSWORD).status_code == 429


def test_the_lock_holds_one_account_at_one_address_only(client, person):
    assert lock_out(client, person.email).status_code == 429
    # The same person from another address (a colleague across the trust's network)...
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert sign_in(elsewhere, person.email, PASSWORD).status_code == 302
    # ...and another account from the locked address, are not locked out.
    colleague = factories.UserFactory(email="sam.colleague@example.nhs.uk")
    assert sign_in(Client(), colleague.email, PASSWORD).status_code == 302


def test_a_successful_sign_in_starts_the_count_again(client, person):
    for _ in range(4):
        sign_in(client, person.email, "wrong")
    assert sign_in(client, person.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, person.email, "wrong").status_code == 200
    assert sign_in(client, person.email, PASSWORD).status_code == 302


def test_setting_a_new_password_from_the_emailed_link_lifts_the_lock(
    client, person, django_capture_on_commit_callbacks
):
    assert lock_out(client, person.email).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/accounts/password-reset/", {"email": person.email})
    assert sent.status_code == 302
    path = re.search(r"/accounts/set-password/[^/\s]+/[^/\s]+/", mail.outbox[-1].body)[0]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    new = "a brand new passphrase 42"
    saved = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert saved.status_code == 302
    assert sign_in(client, person.email, new).status_code == 302
    assert signed_in(client)


def test_the_admin_sign_in_is_locked_the_same_way(client, db):
    User.objects.create_superuser(email="root@example.nhs.uk", password=PASSWORD, full_name="R")
    for _ in range(4):
        failed = client.post("/admin/login/", {"username": "root@example.nhs.uk", "password": "x"})
        assert failed.status_code == 200
    locked = client.post("/admin/login/", {"username": "root@example.nhs.uk", "password": "x"})
    assert locked.status_code == 429
    right = client.post("/admin/login/", {"username": "root@example.nhs.uk", "password": PASSWORD})
    assert right.status_code == 429


def test_the_test_clients_sign_in_helpers_still_work(client, person):
    assert client.login(username=person.email, password=PASSWORD)
    assert client.get("/my/").status_code == 200
    other = Client()
    other.force_login(person)
    assert other.get("/my/").status_code == 200


def test_the_site_itself_uses_django_axes_own_backend_first():
    from config.settings import base

    assert base.AUTHENTICATION_BACKENDS[0] == "accounts.backends.AddressThrottleBackend"
    assert base.AUTHENTICATION_BACKENDS[1] == "axes.backends.AxesStandaloneBackend"
    assert base.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert base.AXES_FAILURE_LIMIT == 5
    assert base.AXES_COOLOFF_TIME.total_seconds() == 60 * 60
    # The tests swap in a subclass only so that Client.login() works (client_login.py).
    assert settings.AUTHENTICATION_BACKENDS[1].endswith("AxesBackendForTestClient")


PROXY = "172.18.0.5"


def behind_proxy(forwarded_for: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_appended(person, settings):
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]
    # What the client sends before the proxy's own entry changes nothing.
    for n in range(5):
        sign_in(behind_proxy(f"10.9.9.{n}, 203.0.113.7"), person.email, "wrong")
    locked = behind_proxy("1.2.3.4, 203.0.113.7")
    assert sign_in(locked, person.email, PASSWORD).status_code == 429
    colleague = behind_proxy("198.51.100.20")
    assert sign_in(colleague, person.email, PASSWORD).status_code == 302


def test_without_trusted_proxies_the_header_is_ignored(person, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(5):
        sign_in(behind_proxy(f"10.9.9.{n}"), person.email, "wrong")
    # Everyone behind the untrusted proxy is one address: the lock holds for all of them...
    assert sign_in(behind_proxy("198.51.100.20"), person.email, PASSWORD).status_code == 429
    # ...and only for them.
    assert sign_in(Client(REMOTE_ADDR="10.1.2.3"), person.email, PASSWORD).status_code == 302


def test_a_missing_or_malformed_address_is_no_error(person, settings):
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]
    for header in ["", "not-an-address", "203.0.113.7, <script>"]:
        response = sign_in(behind_proxy(header), person.email, "wrong")
        assert response.status_code == 200, header
    assert sign_in(Client(), person.email, PASSWORD).status_code == 302
