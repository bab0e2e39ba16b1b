"""The leader's and the admin's rater pages in a real browser, with axe (WCAG 2.2 AA)."""

import pytest
from django.conf import settings
from django.test import Client

from assessments.models import Invitation
from tests import factories

from .conftest import MINIMUM_RATERS, nominate

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def signed_in_page(browser, live_server, user, **context_options):
    client = Client()
    client.force_login(user)
    context = browser.new_context(**context_options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def test_a_leader_nominates_and_invites_on_a_phone(live_server, browser, assessment):
    nominate(assessment, MINIMUM_RATERS[:4])
    page = signed_in_page(
        browser, live_server, assessment.leader, viewport={"width": 375, "height": 740}
    )
    problems = {}

    page.goto(f"{live_server.url}/my/")
    problems["overview"] = axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("link", name=assessment.programme.name).click()
    problems["assessment"] = axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Change your raters").click()
    assert "Add at least 1 more rater from any group" in page.content()

    # Their own email: an error summary that links to the field, and nothing typed lost.
    page.get_by_label("Full name").fill("Alex Myself")
    page.get_by_label("Email address").fill(assessment.leader.email)
    page.get_by_label("Peer").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Add rater").click()
    assert page.title().startswith("Error:")
    summary = page.locator(".nhsuk-error-summary")
    assert "cannot be their own rater" in summary.inner_text()
    problems["nominations with an error"] = axe_violations(page)
    assert page.get_by_label("Full name").input_value() == "Alex Myself"
    assert page.get_by_label("Peer").is_checked()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_email"

    page.get_by_label("Email address").fill("ola.other@example.org")
    page.get_by_label("Other (partner").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Add rater").click()
    assert "Alex Myself has been added" in page.content()
    problems["nominations"] = axe_violations(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Replace Alex Myself").click()
    problems["replace"] = axe_violations(page)
    assert page.get_by_label("Other (partner").is_checked()  # the group they replace
    page.get_by_label("Full name").fill("Ola Other")
    page.get_by_label("Email address").fill("ola.other@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Replace rater").click()
    assert "Alex Myself has been replaced by Ola Other" in page.content()

    with page.expect_navigation():
        page.get_by_role("link", name="Remove Sam Peer").click()
    problems["remove"] = axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Cancel").click()

    with page.expect_navigation():
        page.get_by_role("button", name="Send 5 invitations").click()
    assert "5 invitations sent" in page.content()
    assert Invitation.objects.filter(assessment=assessment, state="invited").count() == 5
    assert {k: v for k, v in problems.items() if v} == {}


def test_an_admin_manages_a_leaders_raters(live_server, browser, assessment, programme_admin):
    nominate(assessment)
    programme = assessment.programme
    programme.nominations_need_approval = True
    programme.save()
    page = signed_in_page(browser, live_server, programme_admin)
    problems = {}

    page.goto(f"{live_server.url}/programmes/{programme.pk}/leaders/{assessment.pk}/raters/")
    problems["raters"] = axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Review and approve nominations").click()
    problems["approve"] = axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Approve and send invitations").click()
    assert "5 invitations sent" in page.content()

    page.goto(f"{live_server.url}/programmes/{programme.pk}/leaders/{assessment.pk}/raters/")
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke Priya Peer's invitation").click()
    assert "invitation has been revoked" in page.content()
    problems["raters after revoking"] = axe_violations(page)
    assert Invitation.objects.get(email="priya.peer@example.nhs.uk").state == "revoked"
    assert {k: v for k, v in problems.items() if v} == {}


def test_a_facilitator_approves_without_seeing_rater_states(live_server, browser, assessment):
    nominate(assessment)
    programme = assessment.programme
    programme.nominations_need_approval = True
    programme.save()
    facilitator = factories.UserFactory(full_name="Fran Facilitator")
    programme.facilitators.add(facilitator)
    assessment.facilitator = facilitator  # only the leader's own facilitator approves
    assessment.save()
    page = signed_in_page(browser, live_server, facilitator)

    admin_page = f"{live_server.url}/programmes/{programme.pk}/leaders/{assessment.pk}/raters/"
    assert page.goto(admin_page).status == 404  # rater states are for programme admins
    page.goto(
        f"{live_server.url}/programmes/{programme.pk}/leaders/{assessment.pk}/raters/approve/"
    )
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Approve and send invitations").click()
    assert "are approved" in page.content()
