"""Signing in lands each role on its own start page, and a facilitator can open a programme
they support from "Your programmes" and see the leaders assigned to them there (only those).
"""

import pytest

from accounts.models import Role
from accounts.roles import role_grant
from tests import factories

from .browsing import PASSWORD, Journey, click_and_wait, new_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _person(email, name, role=None):
    person = factories.UserFactory(email=email, full_name=name, password=PASSWORD)
    if role:
        role_grant(user=person, role=role)
    return person


@pytest.fixture
def cohort(framework):
    admin = _person("pat.admin@example.nhs.uk", "Pat Admin", Role.PROGRAMME_ADMIN)
    facilitator = _person("fran.facilitator@example.nhs.uk", "Fran Facilitator", Role.FACILITATOR)
    programme = factories.ProgrammeFactory(framework=framework, name="North East leaders 2026")
    programme.admins.add(admin)
    programme.facilitators.add(facilitator)
    mine = _person("ali.leader@example.nhs.uk", "Ali Leader", Role.LEADER)
    factories.AssessmentFactory(programme=programme, leader=mine, facilitator=facilitator)
    other = _person("bo.leader@example.nhs.uk", "Bo Leader", Role.LEADER)
    factories.AssessmentFactory(programme=programme, leader=other)
    return programme


def test_each_role_lands_on_its_own_start_page(browser, cohort, live_server):
    journey = Journey("start-pages")
    page = new_page(browser, journey)

    sign_in(page, live_server.url, "pat.admin@example.nhs.uk")
    assert page.url == f"{live_server.url}/programmes/"
    assert page.get_by_role("heading", level=1).inner_text() == "Your programmes"
    journey.check(page, "admin start page", screenshot=False)
    click_and_wait(page, page.get_by_role("button", name="Sign out"))

    sign_in(page, live_server.url, "fran.facilitator@example.nhs.uk")
    assert page.url == f"{live_server.url}/reports/facilitator/"
    assert page.get_by_role("heading", level=1).inner_text() == "Your leaders"
    click_and_wait(page, page.get_by_role("button", name="Sign out"))

    sign_in(page, live_server.url, "ali.leader@example.nhs.uk")
    assert page.url == f"{live_server.url}/my/"
    click_and_wait(page, page.get_by_role("button", name="Sign out"))

    # A safe "next" wins over the start page; one pointing at another site does not.
    page.goto(f"{live_server.url}/framework/")
    page.goto(f"{live_server.url}/accounts/login/?next=/framework/")
    page.get_by_label("Email address").fill("pat.admin@example.nhs.uk")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="Sign in"))
    assert page.url == f"{live_server.url}/framework/"
    click_and_wait(page, page.get_by_role("button", name="Sign out"))
    page.goto(f"{live_server.url}/accounts/login/?next=https://evil.example.org/")
    page.get_by_label("Email address").fill("ali.leader@example.nhs.uk")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="Sign in"))
    assert page.url == f"{live_server.url}/my/"
    journey.assert_clean()


def test_a_facilitator_opens_a_programme_and_sees_only_their_leaders(browser, cohort, live_server):
    journey = Journey("facilitator-programme")
    page = new_page(browser, journey)
    sign_in(page, live_server.url, "fran.facilitator@example.nhs.uk")
    page.goto(f"{live_server.url}/programmes/")
    click_and_wait(page, page.get_by_role("link", name="North East leaders 2026"))
    assert page.get_by_role("heading", level=1).inner_text() == "North East leaders 2026"
    main = page.inner_text("main")
    assert "Ali Leader" in main
    assert "Bo Leader" not in main
    # What only the programme's admins may do is not offered.
    for action in ("Edit settings", "Add a leader", "Import leaders", "Close the programme now"):
        assert page.get_by_role("link", name=action).count() == 0, action
        assert page.get_by_role("button", name=action).count() == 0, action
    journey.check(page, "facilitator programme")
    click_and_wait(page, page.get_by_role("link", name="Ali Leader"))
    assert page.get_by_role("heading", level=1).inner_text() == "Reports for Ali Leader"
    journey.assert_clean()
