"""Trying many accounts from one address: slowed per address, before any password is hashed.

The per-account lockout (test_login_lockout.py) stops guessing one person's password; this
stops one address spraying passwords over many accounts. A refused attempt costs no hash,
so a burst of them cannot hold the web workers (and other people's pages) up.
"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.utils import timezone

from tests import factories

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


def sign_in(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


@pytest.fixture
def hashes(monkeypatch):
    """How many times a password was hashed or checked (the work a refusal must not do)."""
    calls = []
    for name in ("encode", "verify"):
        original = getattr(MD5PasswordHasher, name)

        def spy(self, *args, _original=original, **kwargs):
            calls.append(1)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(MD5PasswordHasher, name, spy)
    return calls


def test_thirty_failures_over_many_accounts_slow_that_address_for_fifteen_minutes(db, hashes):
    person = factories.UserFactory(email="robin.leader@example.nhs.uk")
    sprayer = Client(REMOTE_ADDR="203.0.113.7")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(30):
            assert sign_in(sprayer, f"person{n}@example.nhs.uk", "Winter2026!").status_code == 200
        hashed = len(hashes)
        refused = [sign_in(sprayer, f"other{n}@example.nhs.uk", "Winter2026!") for n in range(10)]
        assert {r.status_code for r in refused} == {429}
        assert refused[0]["Retry-After"] == "900"
        assert "Too many attempts" in refused[0].content.decode()
        assert len(hashes) == hashed  # refused before any password was hashed
        # Even the right password waits at that address; elsewhere it works.
        assert sign_in(sprayer, person.email, PASSWORD).status_code == 429
        assert (
            sign_in(Client(REMOTE_ADDR="198.51.100.20"), person.email, PASSWORD).status_code == 302
        )
        clock.shift(timedelta(minutes=16))
        assert sign_in(sprayer, person.email, PASSWORD).status_code == 302


def test_a_locked_account_is_refused_without_hashing(db, hashes):
    person = factories.UserFactory(email="robin.leader@example.nhs.uk")
    client = Client()
    for _ in range(5):
        sign_in(client, person.email, "wrong")
    hashed = len(hashes)
    assert sign_in(client, person.email, PASSWORD).status_code == 429
    assert len(hashes) == hashed


def test_successful_sign_ins_from_a_shared_address_are_not_counted(db):
    people = [factories.UserFactory(email=f"p{n}@example.nhs.uk") for n in range(35)]
    trust = "203.0.113.50"
    for person in people:
        assert sign_in(Client(REMOTE_ADDR=trust), person.email, PASSWORD).status_code == 302
