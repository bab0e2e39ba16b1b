"""Importing leaders and assigning staff in a real browser, with axe (WCAG 2.2 AA)."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import OutboxEmail
from assessments.models import Assessment
from tests import factories

from .conftest import GOOD_ROWS, csv_text

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


def csv_file(rows, name="leaders.csv"):
    return {"name": name, "mimeType": "text/csv", "buffer": csv_text(rows).encode()}


def test_an_admin_imports_leaders_from_a_file(
    live_server, browser, programme, programme_admin, facilitator
):
    page = signed_in_page(browser, live_server, programme_admin)
    problems = {}
    page.goto(f"{live_server.url}/programmes/{programme.pk}/import/")
    problems["upload"] = axe_violations(page)

    # A file with a bad row: every problem listed, the summary links to the file input.
    page.locator("input[type=file][name=file]").set_input_files(
        csv_file([*GOOD_ROWS, ["", "not-an-email", "", "", ""]])
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and check").click()
    assert page.title().startswith("Error:")
    assert "2 problems in 1 row" in page.locator(".nhsuk-error-summary").inner_text()
    assert "Enter the leader's full name" in page.locator("#problems ~ table").inner_text()
    problems["upload with problems"] = axe_violations(page)
    page.locator(".nhsuk-error-summary").get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_file"
    assert not Assessment.objects.exists()

    page.locator("input[type=file][name=file]").set_input_files(csv_file(GOOD_ROWS))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and check").click()
    assert "3 to be added" in page.content()
    problems["check"] = axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Import 3 leaders").click()
    assert "Import complete: 3 new leaders added" in page.content()
    assert programme.assessments.count() == 3
    assert OutboxEmail.objects.filter(kind="account_invitation").count() == 3
    assert {k: v for k, v in problems.items() if v} == {}


def test_an_admin_assigns_staff_and_removes_a_leader(
    live_server, browser, programme, programme_admin
):
    factories.AssessmentFactory(
        programme=programme, leader=factories.UserFactory(full_name="Ada Lovelace")
    )
    page = signed_in_page(
        browser, live_server, programme_admin, viewport={"width": 375, "height": 740}
    )
    problems = {}
    page.goto(f"{live_server.url}/programmes/{programme.pk}/staff/")
    problems["staff"] = axe_violations(page)

    # A new person without a name: the error says why, and what was typed stays.
    page.get_by_label("Facilitator").check()
    page.get_by_label("Email address").fill("fran.new@example.nhs.uk")
    with page.expect_navigation():
        page.get_by_role("button", name="Add to the programme").click()
    assert page.title().startswith("Error:")
    problems["staff with an error"] = axe_violations(page)
    assert page.get_by_label("Email address").input_value() == "fran.new@example.nhs.uk"
    assert page.get_by_label("Facilitator").is_checked()
    page.get_by_label("Full name").fill("Fran New")
    with page.expect_navigation():
        page.get_by_role("button", name="Add to the programme").click()
    assert "Fran New is now a facilitator" in page.content()

    with page.expect_navigation():
        page.get_by_role("link", name="Change facilitator for Ada Lovelace").click()
    problems["leader facilitator"] = axe_violations(page)
    page.get_by_label("Facilitator").select_option(label="Fran New")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "facilitator is now Fran New" in page.content()

    with page.expect_navigation():
        page.get_by_role("link", name="Remove Fran New as facilitator").click()
    problems["remove staff"] = axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Cancel").click()

    with page.expect_navigation():
        page.get_by_role("link", name="Remove Ada Lovelace from the programme").click()
    problems["remove leader"] = axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Remove Ada Lovelace").click()
    assert "Ada Lovelace has been removed" in page.content()
    assert not programme.assessments.exists()
    assert {k: v for k, v in problems.items() if v} == {}


def test_a_big_import_is_followed_on_its_own_page(
    live_server, browser, programme, programme_admin, facilitator, settings
):
    from assessments.models import LeaderImport

    settings.IMPORT_IN_REQUEST_MAX_ROWS = 2  # so that three rows count as a big file
    page = signed_in_page(
        browser, live_server, programme_admin, viewport={"width": 375, "height": 740}
    )
    problems = {}
    page.goto(f"{live_server.url}/programmes/{programme.pk}/import/")
    page.locator("input[type=file][name=file]").set_input_files(csv_file(GOOD_ROWS))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and check").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Import 3 leaders").click()
    # Tasks run in process in the tests, so the worker's part is done by the time it shows.
    assert "/import/" in page.url and page.url.rstrip("/").split("/")[-1].isdigit()
    assert "Importing 3 leaders" in page.content()
    assert "Import complete: 3 new leaders added" in page.locator("#import-result").inner_text()
    problems["import done"] = axe_violations(page)
    assert programme.assessments.count() == 3

    waiting = LeaderImport.objects.create(
        programme=programme,
        created_by=programme_admin,
        leader_file={"filename": "big.csv", "headings": {}, "rows": []},
        fingerprint="x",
        rows=5000,
    )
    page.goto(f"{live_server.url}/programmes/{programme.pk}/import/{waiting.pk}/")
    assert page.locator("#import-status").inner_text() == "Waiting to start"
    assert page.get_by_role("link", name="Check again").is_visible()
    problems["import waiting"] = axe_violations(page)
    assert {k: v for k, v in problems.items() if v} == {}
