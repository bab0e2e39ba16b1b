"""Single sign-on is off unless configured; password sign-in can be turned off, and then no
password is checked anywhere. These need no provider: nothing here reaches one."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.oidc import BACKEND
from accounts.roles import role_grant
from tests import factories

from .conftest import ROOT

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
BUTTON = "Sign in with your organisation account"


@pytest.fixture
def sso_only(settings):
    settings.OIDC_RP_CLIENT_ID = "lpc360"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_ISSUER = "http://127.0.0.1:9/o"
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["nhs.net"]
    settings.PASSWORD_SIGNIN_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = [BACKEND]


def _admin():
    person = factories.UserFactory(email="pat.admin@nhs.net", password=PASSWORD)
    role_grant(user=person, role=Role.PROGRAMME_ADMIN)
    return person


def test_off_by_default_the_sso_pages_are_not_there_and_sign_in_is_as_before(client):
    assert client.get("/accounts/oidc/start/").status_code == 404
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404
    page = client.get("/accounts/login/").content.decode()
    assert BUTTON not in page
    assert 'name="password"' in page
    _admin()
    response = client.post(
        "/accounts/login/", {"username": "pat.admin@nhs.net", "password": PASSWORD}
    )
    assert response["Location"] == "/programmes/"


def test_with_sso_on_the_sign_in_page_offers_both_and_keeps_next(client, settings):
    settings.OIDC_RP_CLIENT_ID = "lpc360"
    page = client.get("/accounts/login/?next=/framework/").content.decode()
    assert BUTTON in page
    assert 'href="/accounts/oidc/start/?next=/framework/"' in page
    assert 'name="password"' in page
    assert "Forgotten your password?" in page


def test_with_password_sign_in_off_there_is_no_form_and_a_post_is_refused(client, sso_only):
    _admin()
    page = client.get("/accounts/login/").content.decode()
    assert BUTTON in page
    assert 'name="password"' not in page
    assert "Forgotten your password?" not in page
    response = client.post(
        "/accounts/login/", {"username": "pat.admin@nhs.net", "password": PASSWORD}
    )
    assert response.status_code == 405
    assert "_auth_user_id" not in client.session


def test_with_password_sign_in_off_password_links_are_off_too(client, sso_only):
    person = _admin()
    assert client.get("/accounts/password-reset/").status_code == 404
    assert client.post("/accounts/password-reset/", {"email": person.email}).status_code == 404
    assert client.get("/accounts/password-reset/sent/").status_code == 404
    # A set-password link already emailed (an invitation's) leads to single sign-on.
    link = reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "x-y"})
    assert client.get(link)["Location"] == "/accounts/login/"
    assert client.get("/accounts/set-password/done/")["Location"] == "/accounts/login/"


def test_with_password_sign_in_off_the_admin_site_checks_no_password(client, sso_only):
    factories.UserFactory(email="root@nhs.net", password=PASSWORD, is_staff=True, is_superuser=True)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root@nhs.net", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    assert "_auth_user_id" not in client.session


def test_with_password_sign_in_off_the_admin_sign_in_is_the_sites(client, sso_only):
    # Straight to the admin: its sign-in page sends on to the site's, which keeps the way back.
    response = client.get("/admin/auth/group/", follow=True)
    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/auth/group/", 302),
        ("/accounts/login/?next=/admin/auth/group/", 302),
    ]
    page = response.content.decode()
    assert BUTTON in page
    assert 'href="/accounts/oidc/start/?next=/admin/auth/group/"' in page
    assert 'name="password"' not in page
    assert client.get("/admin/login/")["Location"] == "/accounts/login/?next=/admin/"


def test_with_password_sign_in_on_the_admin_keeps_its_own_sign_in(client):
    factories.UserFactory(email="root@nhs.net", password=PASSWORD, is_staff=True, is_superuser=True)
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root@nhs.net", "password": PASSWORD}
    )
    assert response["Location"] == "/admin/"
    assert "_auth_user_id" in client.session


def _settings_error(**env) -> str:
    """Loads the settings in a fresh process with this environment; returns what it said."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OIDC_", "PASSWORD_SIGNIN"))
    }
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.base"],
        env={**environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stderr


def test_settings_refuse_password_sign_in_off_without_sso():
    error = _settings_error(PASSWORD_SIGNIN_ENABLED="false")
    assert "PASSWORD_SIGNIN_ENABLED=false needs single sign-on set up" in error


def test_settings_refuse_half_configured_sso():
    error = _settings_error(OIDC_RP_CLIENT_ID="lpc360")
    assert (
        "OIDC_RP_CLIENT_ID is set: set OIDC_RP_CLIENT_SECRET, OIDC_ISSUER, "
        "OIDC_ALLOWED_EMAIL_DOMAINS too" in error
    )
    assert (
        _settings_error(
            OIDC_RP_CLIENT_ID="lpc360",
            OIDC_RP_CLIENT_SECRET="s",
            OIDC_ISSUER="https://login.microsoftonline.com/tenant/v2.0",
            OIDC_ALLOWED_EMAIL_DOMAINS="nhs.net",
            PASSWORD_SIGNIN_ENABLED="false",
        )
        == ""
    )


def test_with_sso_on_passwords_still_sign_in_and_still_lock_out(client, settings):
    settings.OIDC_RP_CLIENT_ID = "lpc360"
    settings.OIDC_ISSUER = "http://127.0.0.1:9/o"  # never reached by a password sign-in
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    person = _admin()
    signed = client.post("/accounts/login/", {"username": person.email, "password": PASSWORD})
    assert signed["Location"] == "/programmes/"
    client.logout()
    for _ in range(5):
        client.post("/accounts/login/", {"username": person.email, "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": person.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
