"""A leader assessing themselves is not offered "Not observed": they always observe
themselves. Raters still are (see test_no_javascript.py and the journeys)."""

import pytest

from .actions import assert_statements_are_fieldsets, form_pages
from .browsing import Journey, click_and_wait, new_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_self_assessment_offers_no_not_observed(browser, invited, framework, live_server):
    journey = Journey("self-assessment-scale")
    leader = new_page(browser, journey)
    sign_in(leader, live_server.url, invited.assessment.leader.email)
    leader.goto(f"{live_server.url}/my/{invited.assessment.pk}/self/")
    form_page, statements = form_pages(framework)[0]
    assert leader.get_by_role("heading", level=1).inner_text().endswith(form_page.name)
    assert_statements_are_fieldsets(leader, statements, not_observed=False)
    assert "Not observed" not in leader.inner_text("main")
    journey.check(leader, "self-assessment page")

    rater = new_page(browser, journey)
    rater.goto(invited.links["morgan.manager@example.nhs.uk"])
    click_and_wait(rater, rater.get_by_role("button", name="Start now"))
    assert_statements_are_fieldsets(rater, statements, not_observed=True)
    journey.assert_clean()
