"""The accessibility statement, privacy notice and cookies page (config.pages): public,
linked from every page's footer, and stating what the settings and the code's constants
say, so they change when those do."""

import pytest
from django.urls import reverse

from assessments.models import Programme
from tests import factories

PAGES = {
    "accessibility": "Accessibility statement for LPC 360",
    "privacy": "Privacy notice",
    "cookies": "Cookies on LPC 360",
}


def _text(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_public(client, db, name):
    assert f"<h1>{PAGES[name]}</h1>" in _text(client, name)


@pytest.mark.parametrize("name", ["home", "accounts:login", "framework:current", "privacy"])
def test_every_page_links_to_the_three_in_its_footer(client, framework, name):
    html = _text(client, name)
    footer = html[html.index('<footer class="nhsuk-footer"') :]
    for page, label in [
        ("accessibility", "Accessibility statement"),
        ("privacy", "Privacy notice"),
        ("cookies", "Cookies"),
    ]:
        assert f'href="{reverse(page)}">{label}</a>' in footer


def test_a_signed_in_page_has_the_footer_links_too(leader_client):
    html = _text(leader_client, "leader:overview")
    assert f'href="{reverse("privacy")}"' in html[html.index("<footer") :]


# Retention and anonymity, from the settings and constants -------------------------------


def test_the_retention_period_is_the_programmes_default(client, db, monkeypatch):
    assert "deleted 365 days after a programme" in _text(client, "privacy")
    monkeypatch.setattr(Programme._meta.get_field("retention_days"), "default", 180)
    assert "deleted 180 days after a programme" in _text(client, "privacy")


def test_programmes_with_their_own_retention_period_are_named_by_period(client, framework):
    factories.ProgrammeFactory(framework=framework, retention_days=90)
    factories.ProgrammeFactory(framework=framework, retention_days=730)
    factories.ProgrammeFactory(framework=framework)  # the default
    assert "for a different period: 90, 730 days after release" in _text(client, "privacy")


def test_export_and_link_lifetimes_follow_the_settings(client, db, settings):
    html = _text(client, "privacy")
    assert "deleted from LPC 360 3 days after they are made" in html
    assert "stop working after 3 days" in html
    settings.EXPORT_RETENTION_HOURS = 12
    settings.PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
    html = _text(client, "privacy")
    assert "deleted from LPC 360 12 hours after they are made" in html
    assert "stop working after 1 day" in html


def test_the_anonymity_statements_follow_k(client, db, monkeypatch):
    html = _text(client, "privacy")
    assert "only when at least 3 people in it have responded" in html
    assert "never lower it below 3" in html
    assert "The line manager's ratings and comments are shown as theirs" in html
    assert "peer, direct report, other" in html.lower()
    monkeypatch.setattr(Programme._meta.get_field("anonymity_threshold"), "default", 4)
    monkeypatch.setattr("assessments.models.MINIMUM_ANONYMITY_THRESHOLD", 4)
    html = _text(client, "privacy")
    assert "only when at least 4 people in it have responded" in html
    assert "never lower it below 4" in html
    assert "batches of at least 4 responses" in html


def test_the_email_service_named_is_the_one_in_use(client, db, settings):
    assert "GOV.UK Notify" not in _text(client, "privacy")
    settings.EMAIL_DELIVERY = "notify"
    assert "sent through GOV.UK Notify" in _text(client, "privacy")


def test_the_contact_comes_from_the_settings(client, db, settings):
    settings.SERVICE_OWNER = "Example NHS Trust"
    settings.SUPPORT_EMAIL = ""
    assert "Contact Example NHS Trust" in _text(client, "accessibility")
    settings.SUPPORT_EMAIL = "lpc360@example.nhs.uk"
    for name in PAGES:
        assert 'href="mailto:lpc360@example.nhs.uk"' in _text(client, name)


# Cookies ---------------------------------------------------------------------------------


def test_the_cookies_listed_are_named_by_the_settings(client, db, settings):
    html = _text(client, "cookies")
    assert "<code>sessionid</code>" in html and "<code>csrftoken</code>" in html
    assert "do not show a cookie banner" in html
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    html = _text(client, "cookies")
    assert "<code>__Host-sessionid</code>" in html and "<code>__Host-csrftoken</code>" in html
    assert "After 2 weeks, or when you sign out" in html
    settings.CSRF_USE_SESSIONS = True
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    html = _text(client, "cookies")
    assert "csrftoken" not in html and "<code>messages</code>" not in html


def test_every_cookie_the_service_sets_is_listed(client, leader, programme, assessment):
    """Sign in, use a form that leaves a message, sign out: each cookie set on the way is on
    the cookies page (and so on the privacy notice)."""
    from config.pages import cookies_set

    listed = {cookie.name for cookie in cookies_set()}
    leader.set_password("Tangerine-Kestrel-42")
    leader.save()
    seen = set()
    client.get(reverse("accounts:login"))
    seen |= set(client.cookies)
    client.post(
        reverse("accounts:login"),
        {"username": leader.email, "password": "Tangerine-Kestrel-42"},
    )
    seen |= set(client.cookies)
    client.post(
        reverse("leader:nominations", args=[assessment.pk]),
        {"name": "Priya Peer", "email": "priya@example.nhs.uk", "rater_group": "peer"},
    )
    seen |= set(client.cookies)
    assert {"sessionid", "csrftoken", "messages"} <= seen
    assert seen <= listed, seen - listed
