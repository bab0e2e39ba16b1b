"""Creating a programme: each error names its field and says what to enter, dates use the
NHS.UK date input (day, month, year) plus a time, and nothing typed is lost."""

import pytest

from accounts.models import Role
from accounts.roles import role_grant
from assessments.models import Programme
from tests import factories

from .actions import fill_date_time
from .browsing import PASSWORD, Journey, click_and_wait, new_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_programme_with_clear_errors_that_keep_what_was_typed(
    browser, framework, live_server
):
    admin = factories.UserFactory(email="pat.admin@example.nhs.uk", password=PASSWORD)
    role_grant(user=admin, role=Role.PROGRAMME_ADMIN)
    journey = Journey("create-programme")
    page = new_page(browser, journey)
    sign_in(page, live_server.url, admin.email)
    page.goto(f"{live_server.url}/programmes/new/")

    opens = page.get_by_role("group", name="Opens")
    for part in ("Day", "Month", "Year", "Time"):
        assert opens.get_by_label(part, exact=True).count() == 1, part
    assert opens.locator("input[type=datetime-local]").count() == 0
    journey.check(page, "create a programme")

    # No name, an opening date without its month, no closing date at all.
    fill_date_time(page, "Opens", day="12", month="", year="2027", time="09:00")
    click_and_wait(page, page.get_by_role("button", name="Save programme"))
    assert page.title().startswith("Error: Create a programme")
    summary = page.locator(".nhsuk-error-summary__list").inner_text()
    assert "This field is required" not in summary
    assert "Enter a name for the programme" in summary
    assert "The date the programme opens must include a month" in summary
    assert "Enter the date and time the programme closes" in summary
    journey.check(page, "create a programme with errors")
    # What was typed is still there.
    assert opens.get_by_label("Day", exact=True).input_value() == "12"
    assert opens.get_by_label("Year", exact=True).input_value() == "2027"
    assert opens.get_by_label("Time", exact=True).input_value() == "09:00"
    # The summary's link goes to the first part of the date.
    page.get_by_role("link", name="The date the programme opens must include a month").click()
    assert page.evaluate("document.activeElement.id") == "id_opens_at_0"

    page.get_by_label("Programme name").fill("North East leaders 2027")
    fill_date_time(page, "Opens", day="12", month="1", year="2027", time="09:00")
    fill_date_time(page, "Closes", day="31", month="2", year="2027", time="17:00")
    click_and_wait(page, page.get_by_role("button", name="Save programme"))
    assert "The date the programme closes must be a real date" in page.inner_text(
        ".nhsuk-error-summary"
    )
    fill_date_time(page, "Closes", day="28", month="2", year="2027", time="5:30pm")
    click_and_wait(page, page.get_by_role("button", name="Save programme"))
    assert "North East leaders 2027 has been created" in page.content()
    journey.assert_clean()

    programme = Programme.objects.get(name="North East leaders 2027")
    assert programme.opens_at.isoformat() == "2027-01-12T09:00:00+00:00"
    assert programme.closes_at.isoformat() == "2027-02-28T17:30:00+00:00"
