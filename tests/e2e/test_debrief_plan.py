"""After the close: the facilitator records the debrief and releases the reports in one
step, the leader reads a report, writes a plan with 3 goals (after one refused submit),
the facilitator comments, the admin sees only whether there is a plan, and the review
reminder goes out. axe on every new page; none scrolls sideways at 375 px."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import OutboxEmail
from development.models import Goal
from development.services import plan_review_reminders_send
from framework.models import Quality

from .actions import debrief_and_release, fill_goal
from .browsing import Journey, click_and_wait, new_page, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "Hold a weekly listening hour with my team"


def test_debrief_release_read_plan_and_reminder(browser, closed, framework, live_server):
    journey = Journey("debrief-and-plan")
    base = live_server.url
    page = new_page(browser, journey)
    qualities = list(Quality.objects.filter(theme__framework=framework).order_by("pk")[:3])
    review_on = timezone.localdate() + timedelta(days=30)

    # The facilitator: debrief and release in one step.
    sign_in(page, base, "fran.facilitator@example.nhs.uk")
    click_and_wait(page, page.get_by_role("link", name="Debrief and release"))
    assert page.get_by_role("heading", level=1).inner_text() == "Debrief with Alex Leader"
    journey.check(page, "facilitator debrief")
    click_and_wait(page, page.get_by_role("button", name="Record the debrief"))
    assert "Enter the date of the debrief" in page.inner_text(".nhsuk-error-summary")
    journey.check(page, "facilitator debrief, error", screenshot=False)
    debrief_and_release(
        page,
        leader_name="Alex Leader",
        day=timezone.localdate(),
        notes="Agreed to focus on listening.",
    )
    journey.check(page, "facilitator after the debrief", screenshot=False)
    sign_out(page)

    # The leader reads a report, then writes the plan.
    sign_in(page, base, "alex.leader@example.nhs.uk")
    page.goto(f"{base}/reports/")
    theme = framework.themes.order_by("order").first()
    click_and_wait(page, page.get_by_role("link", name=theme.name).first)
    assert page.url.startswith(f"{base}/reports/{closed.pk}/")
    page.goto(f"{base}/reports/")
    click_and_wait(page, page.get_by_role("link", name="Your debrief"))
    assert "Agreed to focus on listening." in page.inner_text("body")
    journey.check(page, "leader debrief", screenshot=False)
    click_and_wait(page, page.get_by_role("link", name="Your development plan"))
    journey.check(page, "plan empty")
    fill_goal(page, 1, qualities[0], review_on, SECRET)
    click_and_wait(page, page.get_by_role("button", name="Submit your plan"))
    assert "Enter at least 2 goals" in page.inner_text(".nhsuk-error-summary")
    typed = page.locator("#goal1").get_by_label("What do you want to develop?").input_value()
    assert typed == SECRET
    journey.check(page, "plan refused", screenshot=False)
    for number in (2, 3):
        fill_goal(page, number, qualities[number - 1], review_on, f"Goal number {number}")
    click_and_wait(page, page.get_by_role("button", name="Submit your plan"))
    assert "Your plan has been submitted" in page.inner_text("body")
    assert Goal.objects.filter(plan__assessment=closed).count() == 3
    journey.check(page, "plan submitted")
    sign_out(page)

    # The facilitator comments on a goal.
    sign_in(page, base, "fran.facilitator@example.nhs.uk")
    page.goto(f"{base}/development/facilitator/{closed.pk}/plan/")
    page.get_by_label("Your comment on goal 1 (optional)").fill("A listening log would help.")
    click_and_wait(page, page.get_by_role("button", name="Save your comments"))
    journey.check(page, "facilitator plan")
    sign_out(page)

    # The admin: whether there is a plan, not what it says.
    sign_in(page, base, "pat.admin@example.nhs.uk")
    page.goto(f"{base}/development/staff/programmes/{closed.programme_id}/plans/")
    body = page.inner_text("body")
    assert "Submitted, 3 goals" in body and SECRET not in body
    journey.check(page, "admin plans overview")
    sign_out(page)

    # A week before the review date, the reminder goes out through the outbox.
    assert plan_review_reminders_send(now=timezone.now() + timedelta(days=25)) == 3
    reminders = OutboxEmail.objects.filter(kind="plan_review_reminder")
    assert set(reminders.values_list("to", flat=True)) == {"alex.leader@example.nhs.uk"}
    journey.assert_clean()
