"""The single sign-on journey in Chromium: LPC 360 (the live server) and the test provider
(tests/oidc_provider/, its own process), each on its own loopback port."""

import pytest

from accounts import oidc
from accounts.models import Role
from accounts.roles import role_grant
from tests import factories
from tests.e2e.browsing import Journey, click_and_wait, new_page

from .conftest import CLIENT_ID, CLIENT_SECRET, DOMAINS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUTTON = "Sign in with your organisation account"


@pytest.fixture
def sso_live(settings, oidc_provider, live_server):
    oidc_provider.register(CLIENT_ID, CLIENT_SECRET, [f"{live_server.url}/accounts/oidc/callback/"])
    oidc._metadata.clear()
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = DOMAINS
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, oidc.BACKEND]
    yield live_server.url
    oidc._metadata.clear()


def _at_provider_sign_in(page, email):
    page.get_by_label("Email").fill(email)
    click_and_wait(page, page.get_by_role("button", name="Sign in to the test provider"))


def test_staff_sign_in_through_their_organisation_and_strangers_get_a_clear_page(
    browser, sso_live, settings
):
    admin = factories.UserFactory(email="pat.admin@nhs.net", full_name="Pat Admin")
    role_grant(user=admin, role=Role.PROGRAMME_ADMIN)
    journey = Journey("oidc")

    page = new_page(browser, journey)
    page.goto(f"{sso_live}/accounts/login/")
    journey.check(page, "sign in with both")
    click_and_wait(page, page.get_by_role("button", name=BUTTON))
    assert page.url.startswith(settings.OIDC_ISSUER.removesuffix("/o") + "/login/")
    _at_provider_sign_in(page, "pat.admin@nhs.net")
    page.wait_for_url(f"{sso_live}/programmes/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your programmes"
    click_and_wait(page, page.get_by_role("button", name="Sign out"))

    # Someone the provider knows and LPC 360 does not: a page, and still signed out.
    stranger = new_page(browser, journey)
    stranger.goto(f"{sso_live}/accounts/login/")
    click_and_wait(stranger, stranger.get_by_role("button", name=BUTTON))
    _at_provider_sign_in(stranger, "sam.stranger@nhs.net")
    stranger.wait_for_url(f"{sso_live}/accounts/oidc/callback/**")
    assert stranger.get_by_role("heading", level=1).inner_text() == "We could not sign you in"
    assert "No LPC 360 account uses the email address sam.stranger@nhs.net" in (stranger.content())
    journey.check(stranger, "could not sign you in")
    stranger.goto(f"{sso_live}/programmes/")
    assert "/accounts/login/" in stranger.url

    # Where password sign-in is off, the page offers single sign-on alone.
    settings.PASSWORD_SIGNIN_ENABLED = False
    stranger.goto(f"{sso_live}/accounts/login/")
    assert stranger.get_by_label("Password", exact=True).count() == 0
    journey.check(stranger, "sign in with sso only", screenshot=False)
    journey.assert_clean()
