"""The test provider's own pages: who signs in (any email address, verified or not, as the
test says) and registering LPC 360 as a client. Test-only: no passwords, no CSRF."""

import json

from django.contrib.auth import login
from django.contrib.auth.models import User
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import Application
from oauth2_provider.oauth2_validators import OAuth2Validator

UNVERIFIED = "unverified"


class Validator(OAuth2Validator):
    """Puts the email address, and whether the provider vouches for it, in the id token."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "email_verified": "email"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.last_name != UNVERIFIED,
            "name": user.first_name,
        }


@csrf_exempt
def login_view(request):
    """Signs in whoever the form names, creating them; "verified" says whether the provider
    vouches for the email address."""
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if request.method == "POST":
        email = request.POST["email"]
        user, _ = User.objects.get_or_create(username=email)
        user.email = email
        user.first_name = request.POST.get("name", "")
        user.last_name = "" if request.POST.get("verified", "yes") == "yes" else UNVERIFIED
        user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = "/"
        return redirect(next_url)
    return HttpResponse(
        format_html(
            '<!doctype html><html lang="en"><head><title>Test provider</title>'
            '<link rel="icon" href="data:,"></head><body>'
            '<main><h1>Test provider</h1><form method="post">'
            '<input type="hidden" name="next" value="{}">'
            '<label for="email">Email</label> <input id="email" name="email">'
            '<label for="verified">Verified</label> '
            '<select id="verified" name="verified"><option>yes</option><option>no</option>'
            "</select>"
            '<button type="submit">Sign in to the test provider</button></form></main>'
            "</body></html>",
            next_url,
        )
    )


@csrf_exempt
def register(request):
    """Registers (or re-registers) a confidential client that skips the consent page."""
    data = json.loads(request.body)
    Application.objects.filter(client_id=data["client_id"]).delete()
    Application.objects.create(
        client_id=data["client_id"],
        client_secret=data["client_secret"],
        name=data["client_id"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(data["redirect_uris"]),
        skip_authorization=True,
        algorithm=Application.RS256_ALGORITHM,
    )
    return JsonResponse({"registered": data["client_id"]})
