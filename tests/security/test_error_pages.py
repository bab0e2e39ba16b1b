"""Error pages: NHS.UK pages with the right status, no stack trace, no token; a 500 shows a
reference that is also in the log line, so support can find what happened."""

import logging
import secrets

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404
from django.shortcuts import render
from django.test import Client
from django.urls import path

from config.urls import handler500  # noqa: F401 (the site's 500 page for these URLs too)
from config.urls import urlpatterns as site_urlpatterns
from tests import factories
from tests.assessments.rating.builders import invite

# A token-shaped secret that must show on no error page and in no log line.
SECRET = secrets.token_urlsafe(32)


def _raise(error):
    def view(request):
        raise error

    return view


def _render(template, status):
    return lambda request: render(request, template, status=status)


urlpatterns = [
    path("raise/400/", _raise(SuspiciousOperation(f"bad input {SECRET}"))),
    path("raise/403/", _raise(PermissionDenied(f"not yours {SECRET}"))),
    path("raise/404/", _raise(Http404(f"no such thing {SECRET}"))),
    path("raise/410/", _render("410.html", 410)),
    path("raise/429/", _render("429.html", 429)),
    path("raise/500/", _raise(RuntimeError(f"boom {SECRET}"))),
    path("raise/503/", _raise(OperationalError(f"server closed the connection {SECRET}"))),
    path("feedback/<str:token>/explode/", _raise(RuntimeError("boom"))),
    *site_urlpatterns,
]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]

PAGES = {
    400: "Sorry, there is a problem",
    403: "You cannot see this page",
    404: "Page not found",
    410: "This page is no longer available",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is busy",
}


def assert_nhs_error_page(response, status, heading):
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert 'class="nhsuk-header' in html and 'class="nhsuk-footer' in html
    assert f"<h1>{heading}</h1>" in html or f'<h1 class="nhsuk-heading-l">{heading}</h1>' in html
    for leak in ("Traceback", "File &quot;", 'File "', "Error:", SECRET):
        assert leak not in html, leak


@pytest.mark.parametrize("status", sorted(PAGES))
def test_each_error_page_is_an_nhs_page_with_its_status_and_nothing_leaked(status):
    client = Client(raise_request_exception=False)
    assert_nhs_error_page(client.get(f"/raise/{status}/"), status, PAGES[status])


def test_the_errors_the_site_meets_for_real_use_the_same_pages(client, leader):
    # A forged Host header, a page for the wrong role, an address that does not exist.
    assert_nhs_error_page(client.get("/", HTTP_HOST="evil.example"), 400, PAGES[400])
    assert_nhs_error_page(client.get(f"/nowhere/{SECRET}/"), 404, PAGES[404])
    client.force_login(leader)
    assert_nhs_error_page(client.get("/programmes/new/"), 403, PAGES[403])


def test_a_form_posted_without_its_csrf_token_gets_a_page_saying_what_to_do(leader):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": leader.email, "password": "x"})
    assert_nhs_error_page(response, 403, "Sorry, we could not send your form")


def test_a_500_shows_a_reference_that_the_log_line_also_has(caplog, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO), django_assert_num_queries(0):
        response = client.get("/raise/500/")
    assert_nhs_error_page(response, 500, PAGES[500])
    html = response.content.decode()
    reference = html.split("quote error reference <strong>")[1].split("</strong>")[0]
    assert len(reference) == 6 and reference.isalnum() and reference.isupper()

    errors = [r for r in caplog.records if r.name == "lpc360.errors"]
    assert len(errors) == 1 and errors[0].levelname == "ERROR"
    assert reference in errors[0].getMessage()
    assert "GET /raise/500/" in errors[0].getMessage()
    assert "RuntimeError" in caplog.text  # the exception is logged with the reference…
    assert SECRET not in caplog.text  # …without the secret its message carried
    assert response["Cache-Control"] == "no-store"


def test_a_500_on_a_rater_link_logs_the_path_without_the_token(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.get(f"/feedback/{SECRET}/explode/")
    assert_nhs_error_page(response, 500, PAGES[500])
    assert response["Referrer-Policy"] == "no-referrer"
    assert "GET /feedback/[redacted]/explode/" in caplog.text
    assert SECRET not in caplog.text


def test_each_500_gets_its_own_reference():
    client = Client(raise_request_exception=False)
    pages = [client.get("/raise/500/").content.decode() for _ in range(5)]
    references = {page.split("<strong>")[1].split("</strong>")[0] for page in pages}
    assert len(references) == 5


def test_a_lost_database_connection_is_a_503_asking_to_try_again(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="lpc360.errors"):
        response = client.get("/raise/503/")
    assert_nhs_error_page(response, 503, PAGES[503])
    assert response["Retry-After"] == "60"
    assert "Wait a minute, then go back and try again" in response.content.decode()
    assert "Database unavailable" in caplog.text and SECRET not in caplog.text


def test_the_error_pages_of_the_rater_area_leak_no_token(client, programme, leader):
    assessment = factories.AssessmentFactory(programme=programme, leader=leader)
    _, token = invite(assessment)
    for url in [f"/feedback/{token}/nope/", f"/feedback/{token[:-1]}/", "/feedback/form/"]:
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert token not in response.content.decode()
        assert token[:-1] not in response.content.decode()
