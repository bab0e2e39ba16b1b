"""Signing in lands each role on its own start page; a safe ``next`` wins."""

import pytest

from accounts.models import Role, User
from accounts.roles import role_grant
from tests import factories

PASSWORD = "correct horse battery staple"


def _person(*roles: Role) -> User:
    person = factories.UserFactory()
    for role in roles:
        role_grant(user=person, role=role)
    return person


def _sign_in(client, person, next_url=None):
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": person.email, "password": PASSWORD})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("roles", "lands_on"),
    [
        ((Role.PROGRAMME_ADMIN,), "/programmes/"),
        ((Role.FACILITATOR,), "/reports/facilitator/"),
        ((Role.LEADER,), "/my/"),
        ((), "/my/"),
        ((Role.LEADER, Role.PROGRAMME_ADMIN), "/programmes/"),
        ((Role.LEADER, Role.FACILITATOR), "/reports/facilitator/"),
    ],
)
def test_each_role_lands_on_its_start_page(client, roles, lands_on):
    response = _sign_in(client, _person(*roles))
    assert response.status_code == 302
    assert response["Location"] == lands_on


@pytest.mark.django_db
def test_a_superuser_lands_on_the_programmes(client):
    person = User.objects.create_superuser(
        email="root@example.nhs.uk", password=PASSWORD, full_name="Root"
    )
    assert _sign_in(client, person)["Location"] == "/programmes/"


@pytest.mark.django_db
def test_a_safe_next_wins_and_another_site_does_not(client):
    person = _person(Role.PROGRAMME_ADMIN)
    assert _sign_in(client, person, "/framework/")["Location"] == "/framework/"
    client.logout()
    assert _sign_in(client, person, "https://evil.example.org/")["Location"] == "/programmes/"
    client.logout()
    assert _sign_in(client, person, "//evil.example.org/")["Location"] == "/programmes/"


@pytest.mark.django_db
def test_a_signed_in_person_asking_for_the_sign_in_page_goes_to_their_start_page(client):
    client.force_login(_person(Role.FACILITATOR))
    assert client.get("/accounts/login/")["Location"] == "/reports/facilitator/"
