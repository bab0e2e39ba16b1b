"""The content security policy in a real browser: no page, the Django admin's included, has
anything refused by it, and the admin's scripted widgets still work under it."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from assessments.models import Invitation
from tests import factories
from tests.assessments.rating.builders import invite

PASSWORD = "correct horse battery staple"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


class PolicyWatch:
    """Every console error a page logs; Chromium reports each CSP refusal there."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))

    def _console(self, message):
        if message.type == "error":
            self.errors.append(message.text)

    def refusals(self) -> list[str]:
        return [e for e in self.errors if "Content Security Policy" in e or "script error" in e]


def sign_in(page, base_url, path, email):
    page.goto(f"{base_url}{path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("input[type=submit], button[type=submit]").last.click()


def test_site_pages_break_no_rule_of_the_policy(
    live_server,
    browser_context,
    framework,
    programme,
    leader,
):
    assessment = factories.AssessmentFactory(programme=programme, leader=leader)
    _, token = invite(assessment, state=Invitation.State.INVITED)
    page = browser_context.new_page()
    watch = PolicyWatch(page)
    base = live_server.url
    visited = {}
    for path in ["/", "/framework/", "/accounts/login/", "/accounts/password-reset/", "/nope/"]:
        visited[path] = page.goto(base + path).status
    page.goto(f"{base}/feedback/{token}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start now").click()
    visited["rater form"] = page.url
    sign_in(page, base, "/accounts/login/", leader.email)
    for path in ["/my/", f"/my/{assessment.pk}/", f"/my/{assessment.pk}/self/"]:
        visited[path] = page.goto(base + path).status
    assert visited["/nope/"] == 404
    assert "/feedback/form/" in visited["rater form"]
    assert watch.refusals() == [], visited


def test_admin_pages_work_under_the_policy_without_relaxing_it(
    live_server,
    browser_context,
    framework,
):
    User.objects.create_superuser(email="root@example.nhs.uk", password=PASSWORD, full_name="Ro")
    leader = factories.UserFactory(full_name="Lee Leader")
    Group.objects.get_or_create(name="Facilitator")
    statement = framework.themes.first().qualities.first().statements.first()
    page = browser_context.new_page()
    watch = PolicyWatch(page)
    base = live_server.url
    sign_in(page, base, "/admin/login/?next=/admin/", "root@example.nhs.uk")
    assert page.url == f"{base}/admin/"
    paths = [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{leader.pk}/change/",
        "/admin/auth/group/add/",
        "/admin/framework/framework/",
        f"/admin/framework/framework/{framework.pk}/change/",
        f"/admin/framework/statement/{statement.pk}/change/",
        "/admin/reports/themereport/",
        "/admin/axes/accessattempt/",
        "/admin/password_change/",
    ]
    statuses = {path: page.goto(base + path).status for path in paths}
    assert set(statuses.values()) == {200}, statuses

    # The scripted widgets run: the group form's two-list permission picker is drawn by
    # SelectFilter2.js, and the user list's "select all" checkbox by actions.js.
    page.goto(f"{base}/admin/auth/group/add/")
    assert page.locator("#id_permissions_add_all").count() == 1
    page.goto(f"{base}/admin/accounts/user/")
    page.locator("#action-toggle").check()
    assert page.locator("tr.selected").count() >= 2
    assert watch.refusals() == [], watch.errors
