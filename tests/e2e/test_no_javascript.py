"""With JavaScript off in the browser: a rater answers the whole form from their emailed
link, and a leader signs in and sees how their feedback is going. Everything is a plain
link or form post, so nothing depends on scripts.

axe itself needs scripts, so it checks these pages in the journeys with JavaScript on; here
the pages are screenshotted as they look without it."""

import pytest

from assessments.models import Invitation, Response

from .actions import (
    answer_page,
    assert_statements_are_fieldsets,
    form_pages,
    next_page,
    submit_review,
)
from .browsing import Journey, click_and_wait, new_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rater_and_a_leader_without_javascript(browser, invited, framework, live_server):
    journey = Journey("no-javascript")
    pages = form_pages(framework)
    rater = new_page(browser, journey, java_script_enabled=False)

    rater.goto(invited.links["morgan.manager@example.nhs.uk"])
    assert rater.locator("body.js-enabled").count() == 0  # lpc360.js did not run
    journey.screenshot(rater, "rater landing")
    click_and_wait(rater, rater.get_by_role("button", name="Start now"))
    for number, (form_page, statements) in enumerate(pages, start=1):
        assert rater.get_by_role("heading", level=1).inner_text().endswith(form_page.name)
        assert f"Quality {number} of 13." in rater.inner_text("main")
        assert_statements_are_fieldsets(rater, statements)
        if number == 1:
            journey.screenshot(rater, "rating page")
        # The last page is left one answer short: the review sends the rater back to it.
        answer_page(rater, seed=number, leave=1 if number == len(pages) else 0)
        next_page(rater)
    submit_review(rater)
    summary = rater.locator(".nhsuk-error-summary__list a")
    assert summary.count() == 1
    journey.screenshot(rater, "review with a missing answer")
    click_and_wait(rater, summary)
    assert rater.url.split("#")[0].endswith(f"/feedback/form/{pages[-1][0].path}")
    answer_page(rater, seed=4)
    next_page(rater)
    journey.screenshot(rater, "review")
    submit_review(rater)
    assert "Feedback submitted" in rater.content()
    journey.screenshot(rater, "submitted")

    leader = new_page(browser, journey, java_script_enabled=False)
    sign_in(leader, live_server.url, invited.assessment.leader.email)
    click_and_wait(leader, leader.get_by_role("link", name="My 360"))
    journey.screenshot(leader, "leader overview")
    programme = invited.assessment.programme.name
    click_and_wait(leader, leader.get_by_role("link", name=programme, exact=True))
    main = " ".join(leader.inner_text("main").split())
    assert "Morgan Manager (line manager): Submitted" in main
    assert "5 nominated: the programme's rules are met" in main
    journey.screenshot(leader, "leader assessment")
    journey.assert_clean()

    assert Invitation.objects.get(email="morgan.manager@example.nhs.uk").state == "submitted"
    assert Response.objects.get(assessment=invited.assessment).ratings.count() == 39
