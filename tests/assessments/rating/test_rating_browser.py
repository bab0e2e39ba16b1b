"""The rating forms in a real browser: keyboard only, and axe (WCAG 2.2 AA) on every page."""

import pytest
from django.conf import settings
from django.test import Client

from assessments.models import Invitation, Response
from assessments.services.sealing import envelopes_seal

from .builders import invite

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def answer_page_with_keyboard(page, *, comment: str) -> None:
    """Tab from radio group to radio group choosing with Space, type a comment, press Enter."""
    statements = page.locator("fieldset.nhsuk-fieldset").count()
    page.locator("fieldset.nhsuk-fieldset input[type=radio]").first.focus()
    for _ in range(statements):
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
    if page.locator("#comment").count():  # a theme's last page asks for its comment
        assert page.evaluate("document.activeElement.id") == "comment"
        page.keyboard.type(comment)
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "next"
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_rater_journey_by_keyboard_passes_axe(live_server, browser_context, assessment, outline):
    invitation, token = invite(assessment, name="Kim Keyboard")
    page = browser_context.new_page()
    problems = {}

    page.goto(f"{live_server.url}/feedback/{token}/")
    problems["landing"] = axe_violations(page)
    page.get_by_role("button", name="Start now").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Submitting too early lists what is missing, with links that lead to the statements.
    page.goto(f"{live_server.url}/feedback/form/review/")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit").click()
    problems["review with errors"] = axe_violations(page)
    first_link = page.locator(".nhsuk-error-summary__list a").first
    with page.expect_navigation():
        first_link.click()
    assert page.evaluate("location.hash").startswith("#s-")
    assert page.locator(page.evaluate("location.hash")).count() == 1

    for theme, part, _quality in outline.pages:
        path = f"{theme.slug}/" + (f"{part}/" if part > 1 else "")
        assert page.url.split("#")[0].endswith(f"/feedback/form/{path}"), page.url
        problems[path] = axe_violations(page)
        answer_page_with_keyboard(page, comment=f"About {theme.name}")

    assert page.url.endswith("/feedback/form/review/")
    problems["review"] = axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Submit").click()
    assert page.url.endswith("/feedback/done/")
    problems["done"] = axe_violations(page)

    page.goto(f"{live_server.url}/feedback/{token}/")
    problems["gone"] = axe_violations(page)

    assert {name: found for name, found in problems.items() if found} == {}
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.SUBMITTED
    # The answers wait, encrypted, to be sealed with k of their group (or all at close).
    envelopes_seal(programme_id=invitation.assessment.programme_id, final=True)
    assert Response.objects.get().ratings.count() == 39


def test_self_assessment_pages_pass_axe(live_server, browser_context, assessment, outline, leader):
    client = Client()
    client.force_login(leader)
    browser_context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = browser_context.new_page()
    problems = {}
    page.goto(f"{live_server.url}/my/{assessment.pk}/self/")
    for theme, part, _quality in outline.pages:
        problems[f"{theme.slug}/{part}"] = axe_violations(page)
        answer_page_with_keyboard(page, comment="")
    problems["review"] = axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Submit").click()
    assert page.url.endswith(f"/my/{assessment.pk}/self/done/")
    problems["done"] = axe_violations(page)
    assert {name: found for name, found in problems.items() if found} == {}
