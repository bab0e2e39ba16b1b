"""Single sign-on against a real provider (django-oauth-toolkit, conftest.py), driven with
Django's test client for LPC 360 and requests for the provider: who gets in, and every way
it can go wrong ending on a clear page with no session."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from accounts import oidc
from accounts.models import Role, User
from accounts.roles import role_grant
from tests import factories

from .conftest import CLIENT_ID, free_port, pkce_pair

pytestmark = pytest.mark.django_db

START = "/accounts/oidc/start/"
CALLBACK = "/accounts/oidc/callback/"


def _person(email, *roles, **fields):
    person = factories.UserFactory(email=email, **fields)
    for role in roles:
        role_grant(user=person, role=role)
    return person


def _start(client, next_url=None):
    """Starts a sign-in at LPC 360; returns the provider URL it sends the browser to, and
    what it asked for."""
    response = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    location = response["Location"]
    asked = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    return location, asked


def _callback(client, query):
    return client.get(CALLBACK + "?" + urlencode(query))


def _journey(client, provider, email, *, verified=True, next_url=None):
    authorize_url, _ = _start(client, next_url)
    query = provider.authorize(provider.signed_in(email, verified=verified), authorize_url)
    return _callback(client, query)


def _signed_out(client, response, reason):
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "We could not sign you in" in page
    assert f'data-reason="{reason}"' in page
    return page


@pytest.mark.parametrize(
    ("roles", "lands_on"),
    [((Role.PROGRAMME_ADMIN,), "/programmes/"), ((Role.LEADER,), "/my/")],
)
def test_an_invited_person_signs_in_with_their_verified_address(client, sso, roles, lands_on):
    person = _person("pat.admin@nhs.net", *roles)
    accounts_before = User.objects.count()
    # Case does not matter; the address is the account's, however the provider spells it.
    response = _journey(client, sso, "Pat.Admin@NHS.net")
    assert response.status_code == 302
    assert response["Location"] == lands_on
    assert client.session["_auth_user_id"] == str(person.pk)
    assert client.session["_auth_user_backend"] == "accounts.oidc.SignInBackend"
    assert client.get(lands_on).status_code == 200
    assert User.objects.count() == accounts_before


def test_pages_need_no_provider_once_signed_in(client, sso, settings):
    """Django loads the signed-in user through the backend on every request: that must
    not reach the provider."""
    _person("pat.admin@nhs.net", Role.PROGRAMME_ADMIN)
    assert _journey(client, sso, "pat.admin@nhs.net").status_code == 302
    oidc._metadata.clear()
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}/o"
    assert client.get("/programmes/").status_code == 200


def test_a_safe_next_is_kept_through_the_provider(client, sso):
    _person("pat.admin@nhs.net", Role.PROGRAMME_ADMIN)
    response = _journey(client, sso, "pat.admin@nhs.net", next_url="/framework/")
    assert response["Location"] == "/framework/"
    client.logout()
    response = _journey(client, sso, "pat.admin@nhs.net", next_url="https://evil.example.org/")
    assert response["Location"] == "/programmes/"


def test_an_unknown_address_gets_a_page_and_no_account(client, sso):
    accounts_before = User.objects.count()
    response = _journey(client, sso, "stranger@nhs.net")
    assert response.status_code == 403
    page = _signed_out(client, response, "no_account")
    assert "No LPC 360 account uses the email address stranger@nhs.net" in page
    assert User.objects.count() == accounts_before


def test_deactivating_an_account_ends_its_single_sign_on_session(client, sso):
    person = _person("pat.admin@nhs.net", Role.PROGRAMME_ADMIN)
    assert _journey(client, sso, "pat.admin@nhs.net").status_code == 302
    assert client.get("/programmes/").status_code == 200
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert client.get("/programmes/")["Location"].startswith("/accounts/login/")


def test_an_inactive_account_is_as_unknown(client, sso):
    _person("gone@nhs.net", Role.LEADER, is_active=False)
    _signed_out(client, _journey(client, sso, "gone@nhs.net"), "no_account")


def test_an_unverified_address_is_refused_even_when_an_account_has_it(client, sso):
    _person("pat.admin@nhs.net", Role.PROGRAMME_ADMIN)
    response = _journey(client, sso, "pat.admin@nhs.net", verified=False)
    assert response.status_code == 403
    page = _signed_out(client, response, "unverified")
    assert "has not confirmed that pat.admin@nhs.net is your email address" in page


def test_an_address_outside_the_allowed_domains_is_refused(client, sso):
    _person("pat@gmail.com", Role.PROGRAMME_ADMIN)
    response = _journey(client, sso, "pat@gmail.com")
    assert response.status_code == 403
    _signed_out(client, response, "domain")


def test_a_tampered_state_is_refused(client, sso):
    _person("pat.admin@nhs.net", Role.PROGRAMME_ADMIN)
    authorize_url, _ = _start(client)
    query = sso.authorize(sso.signed_in("pat.admin@nhs.net"), authorize_url)
    query["state"] = query["state"][:-1] + ("A" if query["state"][-1] != "A" else "B")
    response = _callback(client, query)
    assert response.status_code == 400
    _signed_out(client, response, "failed")


def test_a_wrong_nonce_is_refused(client, sso, caplog):
    _person("pat.admin@nhs.net", Role.PROGRAMME_ADMIN)
    authorize_url, asked = _start(client)
    # The id token carries the nonce the provider was sent; LPC 360 expects another.
    session = client.session
    session["oidc_states"][asked["state"]]["nonce"] = "not-the-nonce-that-was-sent"
    session.save()
    query = sso.authorize(sso.signed_in("pat.admin@nhs.net"), authorize_url)
    response = _callback(client, query)
    assert response.status_code == 400
    _signed_out(client, response, "failed")
    assert "Nonce verification failed" in caplog.text


def test_a_code_used_twice_is_refused(client, sso):
    _person("pat.admin@nhs.net", Role.PROGRAMME_ADMIN)
    authorize_url, _ = _start(client)
    used = sso.authorize(sso.signed_in("pat.admin@nhs.net"), authorize_url)
    assert _callback(client, used).status_code == 302
    client.logout()
    # A new sign-in, answered with the old (spent) code: the provider refuses the exchange.
    _, asked = _start(client)
    response = _callback(client, {"code": used["code"], "state": asked["state"]})
    assert response.status_code == 400
    _signed_out(client, response, "failed")


def test_an_expired_code_is_refused(client, sso):
    _person("pat.admin@nhs.net", Role.PROGRAMME_ADMIN)
    authorize_url, _ = _start(client)
    query = sso.authorize(sso.signed_in("pat.admin@nhs.net"), authorize_url)
    sso.expire_code(query["code"])
    response = _callback(client, query)
    assert response.status_code == 400
    _signed_out(client, response, "failed")


def test_a_failed_sign_in_signs_out_whoever_was_signed_in(client, sso):
    client.force_login(_person("pat.admin@nhs.net", Role.PROGRAMME_ADMIN))
    _signed_out(client, _journey(client, sso, "stranger@nhs.net"), "no_account")


def test_the_provider_saying_no_is_refused(client, sso):
    _, asked = _start(client)
    response = _callback(client, {"error": "access_denied", "state": asked["state"]})
    assert response.status_code == 400
    _signed_out(client, response, "failed")


class _TokenEndpoint(BaseHTTPRequestHandler):
    """A token endpoint that answers every code with the tokens it was given."""

    tokens: dict = {}

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps(self.tokens).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_an_id_token_for_another_audience_is_refused(client, sso, settings, caplog):
    """The provider's own signature, the right nonce, a live token: issued to another client.
    mozilla-django-oidc does not check the audience; accounts/oidc.py does."""
    _person("pat.admin@nhs.net", Role.PROGRAMME_ADMIN)
    other_redirect = "http://other.example/callback"
    sso.register("other-service", "other-secret-" + "y" * 20, [other_redirect])
    _, asked = _start(client)
    verifier, challenge = pkce_pair()
    other_authorize = f"{sso.issuer}/authorize/?" + urlencode(
        {
            "response_type": "code",
            "client_id": "other-service",
            "redirect_uri": other_redirect,
            "scope": "openid email",
            "state": "other",
            "nonce": asked["nonce"],
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    code = sso.authorize(sso.signed_in("pat.admin@nhs.net"), other_authorize)["code"]
    tokens = requests.post(
        f"{sso.issuer}/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": other_redirect,
            "client_id": "other-service",
            "client_secret": "other-secret-" + "y" * 20,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    _TokenEndpoint.tokens = tokens.json()
    server = HTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{server.server_port}/token/"
        response = _callback(client, {"code": "any", "state": asked["state"]})
    finally:
        server.shutdown()
        server.server_close()
    assert response.status_code == 400
    _signed_out(client, response, "failed")
    assert "id token for another audience: ['other-service']" in caplog.text


def test_a_provider_that_is_down_gets_a_page_at_the_start(client, sso, settings):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}/o"
    response = client.get(START)
    assert response.status_code == 503
    page = _signed_out(client, response, "unreachable")
    assert "sign-in service did not answer" in page


def test_a_provider_that_goes_down_before_the_callback_gets_a_page(client, sso, settings):
    _person("pat.admin@nhs.net", Role.PROGRAMME_ADMIN)
    authorize_url, _ = _start(client)
    query = sso.authorize(sso.signed_in("pat.admin@nhs.net"), authorize_url)
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{free_port()}/o/token/"
    response = _callback(client, query)
    assert response.status_code == 503
    _signed_out(client, response, "unreachable")


def test_the_client_id_is_sent_and_the_pkce_challenge_too(client, sso):
    _, asked = _start(client)
    assert asked["client_id"] == CLIENT_ID
    assert asked["code_challenge_method"] == "S256"
    assert asked["redirect_uri"] == "http://testserver/accounts/oidc/callback/"
