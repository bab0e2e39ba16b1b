"""Single sign-on with OpenID Connect (mozilla-django-oidc), for staff and leaders.

Off unless OIDC_RP_CLIENT_ID is set (config/settings/base.py): then the sign-in page offers
"Sign in with your organisation account" and the two views below answer; otherwise they are
404. The provider is found from OIDC_ISSUER (its discovery document, fetched when first
needed, not at start-up); OIDC_OP_*_ENDPOINT override what it says.

Who is signed in: the person whose verified email address (the id token's
OIDC_EMAIL_VERIFIED_CLAIM is true, the domain is in OIDC_ALLOWED_EMAIL_DOMAINS) is the email
address of an active account, the one their invitation created. Never by name, and no account
is ever created here. Claims are read from the id token alone, after its signature (RS256,
the provider's JWKS), expiry, nonce, issuer and audience have been checked; mozilla-django-oidc
checks neither issuer nor audience itself.

Anything else (a state or nonce that does not match, a code used twice or too late, a token
for another client, a provider that does not answer, an unknown or unverified address) ends
on one page saying what happened, signed out, with no session.
"""

import logging
import threading

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from .roles import start_page_url

logger = logging.getLogger("lpc360.oidc")

BACKEND = "accounts.oidc.SignInBackend"

# mozilla-django-oidc setting → the provider's discovery document key that supplies it.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_metadata: dict[str, dict] = {}
_metadata_lock = threading.Lock()


def oidc_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def password_signin_enabled() -> bool:
    return settings.PASSWORD_SIGNIN_ENABLED


def provider_metadata(issuer: str) -> dict:
    """The provider's discovery document, fetched once per process and issuer. It must name
    the issuer it was fetched for (OpenID Connect Discovery 1.0, section 4.3)."""
    with _metadata_lock:
        if issuer in _metadata:
            return _metadata[issuer]
    response = requests.get(
        f"{issuer}/.well-known/openid-configuration",
        timeout=settings.OIDC_TIMEOUT,
    )
    response.raise_for_status()
    document = response.json()
    if document.get("issuer") != issuer:
        raise ImproperlyConfigured(
            f"The discovery document at {issuer} names the issuer {document.get('issuer')!r}"
        )
    with _metadata_lock:
        _metadata[issuer] = document
    return document


def oidc_setting(attr, *default):
    """A mozilla-django-oidc setting: the endpoints from the settings when given there,
    otherwise from the issuer's discovery document."""
    if attr in _DISCOVERED and not getattr(settings, attr, ""):
        return provider_metadata(settings.OIDC_ISSUER)[_DISCOVERED[attr]]
    if attr == "OIDC_OP_USER_ENDPOINT":
        return ""  # claims come from the id token (SignInBackend.get_userinfo)
    return import_from_settings(attr, *default)


class Refused(Exception):
    """Why a sign-in ends on the failure page: a key of REASONS."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class SignInBackend(OIDCAuthenticationBackend):
    """Matches a verified email address to an existing account; creates none."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # Django makes one of these for every signed-in request (to load the user) and for
        # every password sign-in: nothing here may reach the provider. The library's
        # __init__ reads the endpoints; here they are read when a callback needs them.
        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = ""
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_IDP_SIGN_KEY = None

    def verify_token(self, token, **kwargs):
        """The library checks signature, expiry and nonce; this adds issuer and audience."""
        payload = super().verify_token(token, **kwargs)
        client_id = settings.OIDC_RP_CLIENT_ID
        if payload.get("iss") != settings.OIDC_ISSUER:
            raise SuspiciousOperation(f"id token from another issuer: {payload.get('iss')!r}")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if client_id not in audiences:
            raise SuspiciousOperation(f"id token for another audience: {audiences!r}")
        if len(audiences) > 1 and payload.get("azp") != client_id:
            raise SuspiciousOperation("id token authorised for another party")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The verified id token's claims; no userinfo request (Entra ID's is on Graph)."""
        return payload

    def verify_claims(self, claims):
        email = (claims.get("email") or "").strip()
        self.request.oidc_email = email
        if not email:
            raise Refused("no_email")
        verified = claims.get(settings.OIDC_EMAIL_VERIFIED_CLAIM)
        if verified is not True and str(verified).lower() != "true":
            raise Refused("unverified", email)
        domain = email.rpartition("@")[2].lower()
        allowed = [d.strip().lower().lstrip("@") for d in settings.OIDC_ALLOWED_EMAIL_DOMAINS]
        if domain not in allowed:
            raise Refused("domain", email)
        return True

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(email__iexact=claims["email"].strip(), is_active=True)

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            raise Refused("no_account", self.request.oidc_email)
        return user

    def create_user(self, claims):
        raise Refused("no_account", claims.get("email", ""))

    def get_user(self, user_id):
        """As for a password sign-in: an account made inactive is signed out at once (the
        library's own get_user does not look at is_active)."""
        return ModelBackend.get_user(self, user_id)

    def authenticate(self, request, **kwargs):
        # Only ever called by CallbackView, never by django.contrib.auth.authenticate()
        # for a password (which would pass a username).
        if request is None or "username" in kwargs or "password" in kwargs:
            return None
        return super().authenticate(request, **kwargs)


# What the person is told, by reason. "{email}" is the address the provider gave.
REASONS = {
    "no_account": (
        403,
        "No LPC 360 account uses the email address {email}. You get an account when a "
        "programme you take part in, or run, invites you. Ask the person who runs your "
        "programme to check which email address they invited.",
    ),
    "no_email": (
        403,
        "Your organisation did not tell LPC 360 your email address, so it cannot find your "
        "account. Contact your IT service desk.",
    ),
    "unverified": (
        403,
        "Your organisation has not confirmed that {email} is your email address, so LPC 360 "
        "cannot match it to an account. Contact your IT service desk.",
    ),
    "domain": (
        403,
        "Email addresses like {email} cannot be used to sign in to LPC 360 here. Sign in with "
        "your work account at an organisation taking part in the programme.",
    ),
    "failed": (
        400,
        "The sign-in could not be completed. This happens if you went back in your browser, "
        "used an old sign-in page, or took a long time. Start again.",
    ),
    "unreachable": (
        503,
        "Your organisation's sign-in service did not answer. Try again in a few minutes.",
    ),
}


def refusal_page(request, reason: str):
    """The failure page; whoever was signed in on this browser is signed out."""
    email = getattr(request, "oidc_email", "")
    status, message = REASONS[reason]
    auth.logout(request)
    response = render(
        request,
        "accounts/oidc_failed.html",
        {
            "message": message.format(email=email),
            "reason": reason,
            "password_signin": password_signin_enabled(),
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs):
        # The library reads the provider's endpoints here; that is deferred to get(), where
        # a provider that does not answer gets the failure page rather than a 500.
        View.__init__(self, **kwargs)

    def get(self, request):
        if not oidc_enabled():
            raise Http404("Single sign-on is not set up here")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, ImproperlyConfigured) as error:
            logger.warning("OIDC provider discovery failed: %s", error)
            return refusal_page(request, "unreachable")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(View):
    """Where the provider sends the browser back: checks everything, then signs in."""

    http_method_names = ["get"]

    def get(self, request):
        if not oidc_enabled():
            raise Http404("Single sign-on is not set up here")
        try:
            user = self._user(request)
        except Refused as refusal:
            logger.warning("OIDC sign-in refused: %s", refusal)
            return refusal_page(request, refusal.reason)
        except (requests.ConnectionError, requests.Timeout) as error:
            logger.warning("OIDC provider unreachable: %s", error)
            return refusal_page(request, "unreachable")
        except (
            SuspiciousOperation,
            jwt.PyJWTError,
            requests.RequestException,
            ValueError,
            KeyError,
            ImproperlyConfigured,
        ) as error:
            logger.warning("OIDC sign-in failed: %s: %s", type(error).__name__, error)
            return refusal_page(request, "failed")
        next_url = request.session.get("oidc_login_next")
        auth.login(request, user, backend=BACKEND)
        return HttpResponseRedirect(next_url or start_page_url(user))

    @staticmethod
    def _user(request):
        if request.GET.get("error"):
            raise Refused("failed", f"the provider answered {request.GET['error']!r}")
        state, code = request.GET.get("state"), request.GET.get("code")
        flows = request.session.get("oidc_states")
        if not code or not isinstance(flows, dict) or state not in flows:
            raise Refused("failed", "no sign-in was started with this state")
        # Each state is used once, whatever happens next.
        flow = flows.pop(state)
        request.session["oidc_states"] = flows
        request.session.save()
        user = SignInBackend().authenticate(
            request, nonce=flow.get("nonce"), code_verifier=flow.get("code_verifier")
        )
        if user is None:  # the library turned a refusal into None
            raise Refused("failed", "no user")
        return user
