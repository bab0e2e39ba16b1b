"""The whole cycle of issue 14 in Chromium ("Done when"): a programme closes, the facilitator
debriefs and releases, the leader reads the summary and writes a plan with 3 goals, the
review reminder is emailed; a follow-up programme is created on the admin page and runs
(its ratings made here), the leader sees the change on the summary and a theme page, and the
admin downloads the programme impact CSV. axe and 375 px reflow on every page visited."""

import csv
import io
import random
from datetime import timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import OutboxEmail
from assessments.models import Programme, RaterGroup
from development.models import Goal
from development.services import plan_review_reminders_send
from framework.models import Quality, Statement
from reports.aggregation import theme_report
from reports.change import theme_change
from tests.audit.conftest import programme_closed, reports_ready
from tests.factories import AssessmentFactory, UserFactory
from tests.followup.helpers import rate, release
from tests.followup.test_impact import _raters

from .actions import debrief_and_release, fill_goal
from .browsing import Journey, click_and_wait, new_page, sign_in, sign_out

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fake_pdf"),
]

UK = ZoneInfo("Europe/London")
FOLLOW_UP = "North West Leadership Cohort 2026"
# Alex's raters, as in the first cycle (tests.reports.test_pdf_report): the same number of
# raters each time, so the change can be shown (reports.change: the cross-cycle rule).
ALEX_RATERS = [
    RaterGroup.SELF,
    RaterGroup.LINE_MANAGER,
    *[RaterGroup.PEER] * 4,
    *[RaterGroup.DIRECT_REPORT] * 2,
    *[RaterGroup.OTHER] * 3,
]


def _fill_moment(group, moment) -> None:
    local = timezone.localtime(moment, UK)
    for part, value in (
        ("Day", local.day),
        ("Month", local.month),
        ("Year", local.year),
        ("Time", local.strftime("%H:%M")),
    ):
        group.get_by_label(part, exact=True).fill(str(value))


def test_close_debrief_summary_plan_reminder_follow_up_change_and_impact(
    browser, closed, framework, live_server, mailoutbox
):
    journey = Journey("full-cycle")
    base = live_server.url
    page = new_page(browser, journey)
    earlier = closed.programme
    alex = closed.leader
    statements = list(Statement.objects.filter(quality__theme__framework=framework))
    rng = random.Random(14)
    # Two more leaders in the first cycle, already released (k = 3 leaders for the impact).
    for _ in range(2):
        other = AssessmentFactory(programme=earlier, leader=UserFactory())
        rate(other, _raters(statements, rng, 0))
        release(other)

    # The facilitator debriefs Alex and releases the reports in the same step.
    sign_in(page, base, "fran.facilitator@example.nhs.uk")
    click_and_wait(page, page.get_by_role("link", name="Debrief and release"))
    journey.check(page, "facilitator debrief", screenshot=False)
    debrief_and_release(
        page, leader_name="Alex Leader", day=timezone.localdate(), notes="Focus on listening."
    )
    sign_out(page)

    # Alex reads the summary, then writes a plan with 3 goals.
    sign_in(page, base, "alex.leader@example.nhs.uk")
    page.goto(f"{base}/reports/")
    journey.check(page, "my reports", screenshot=False)
    click_and_wait(page, page.get_by_role("link", name="Read your summary"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Summary")
    assert "Change since" not in page.inner_text("main")  # nothing earlier to compare
    journey.check(page, "summary")
    page.goto(f"{base}/reports/")
    click_and_wait(page, page.get_by_role("link", name="Your development plan"))
    qualities = list(Quality.objects.filter(theme__framework=framework).order_by("pk")[:3])
    review_on = timezone.localdate() + timedelta(days=30)
    for number, quality in enumerate(qualities, start=1):
        fill_goal(page, number, quality, review_on, f"Goal number {number}")
    click_and_wait(page, page.get_by_role("button", name="Submit your plan"))
    assert "Your plan has been submitted" in page.inner_text("body")
    assert Goal.objects.filter(plan__assessment=closed).count() == 3
    journey.check(page, "plan submitted", screenshot=False)
    sign_out(page)

    # A week before the review date: the reminder, through the outbox, emailed to Alex.
    mail.outbox.clear()
    assert plan_review_reminders_send(now=timezone.now() + timedelta(days=25)) == 3
    reminders = OutboxEmail.objects.filter(kind="plan_review_reminder")
    assert set(reminders.values_list("to", flat=True)) == {alex.email}
    assert all(row.sent_at for row in reminders)
    emailed = [m for m in mailoutbox if m.to == [alex.email]]
    assert len(emailed) == 3
    assert f"/development/{closed.pk}/plan/" in emailed[0].body

    # The admin creates the follow-up on the admin page. (The first cycle closed 2 days ago.)
    two_days_ago = timezone.now() - timedelta(days=2)
    Programme.objects.filter(pk=earlier.pk).update(
        opens_at=two_days_ago - timedelta(days=30), closes_at=two_days_ago, closed_at=two_days_ago
    )
    sign_in(page, base, "pat.admin@example.nhs.uk")
    page.goto(f"{base}/programmes/{earlier.pk}/follow-up/")
    assert page.get_by_role("heading", name="Create a follow-up programme").is_visible()
    journey.check(page, "follow-up form", screenshot=False)
    page.get_by_label("Name of the follow-up programme").fill(FOLLOW_UP)
    _fill_moment(page.get_by_role("group", name="Opens"), timezone.now() - timedelta(hours=1))
    _fill_moment(page.get_by_role("group", name="Closes"), timezone.now() + timedelta(days=14))
    click_and_wait(page, page.get_by_role("button", name="Create the follow-up"))
    follow_up = Programme.objects.get(follows=earlier)
    assert follow_up.name == FOLLOW_UP
    journey.check(page, "follow-up created", screenshot=False)
    sign_out(page)

    # It runs: the same 3 leaders, rated again (Alex by as many raters as the first time,
    # a point higher); then it closes and the reports are ready.
    assessments = {a.leader_id: a for a in follow_up.assessments.all()}
    assert len(assessments) == 3
    alex_now = assessments.pop(alex.pk)
    rate(
        alex_now,
        [(g, {s: min(5, rng.choice([3, 4, 4, 5])) for s in statements}) for g in ALEX_RATERS],
    )
    for assessment in assessments.values():
        rate(assessment, _raters(statements, rng, 1))
    programme_closed(follow_up, release_mode=follow_up.release_mode)
    for assessment in assessments.values():
        reports_ready(assessment)
        release(assessment)
    reports_ready(alex_now)

    # The facilitator debriefs Alex again and releases.
    sign_in(page, base, "fran.facilitator@example.nhs.uk")
    page.goto(f"{base}/development/facilitator/{alex_now.pk}/debrief/")
    debrief_and_release(
        page, leader_name="Alex Leader", day=timezone.localdate(), notes="Second cycle."
    )
    sign_out(page)

    # Alex sees the change: on the summary and on a theme page.
    sign_in(page, base, "alex.leader@example.nhs.uk")
    page.goto(f"{base}/reports/")
    click_and_wait(page, page.get_by_role("link", name=f"Read your summary for {FOLLOW_UP}"))
    change_heading = page.get_by_role("heading", name=f"Change since {earlier.name}")
    assert change_heading.is_visible()
    table = page.locator("table.summary-scores--change").inner_text()
    assert any(word in table for word in ("higher", "lower", "within noise"))
    journey.check(page, "summary with change")
    theme = framework.themes.order_by("order").first()
    page.goto(f"{base}/reports/{alex_now.pk}/{theme.slug}/")
    assert change_heading.is_visible()
    assert "beyond measurement noise" in page.inner_text("main")
    journey.check(page, "theme report with change")
    sign_out(page)

    # The admin downloads the programme impact and a cell is right: the theme's mean change
    # over the leaders whose change is shown, worked out here from each leader's change.
    sign_in(page, base, "pat.admin@example.nhs.uk")
    page.goto(f"{base}/reports/staff/programmes/{follow_up.pk}/impact/")
    assert page.get_by_role("heading", name="Programme impact").is_visible()
    journey.check(page, "programme impact", screenshot=False)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV file").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    theme_row = next(r for r in rows[1:] if r[0] == "theme" and r[2] == theme.name)
    differences = []
    for assessment in follow_up.assessments.all():
        change = theme_change(
            assessment=assessment,
            theme=theme,
            result=theme_report(assessment=assessment, theme=theme),
        )
        if change.rows[0].shown:
            differences.append(change.rows[0].noise.difference)
    assert int(theme_row[3]) == len(differences) == 3
    assert float(theme_row[4]) == pytest.approx(fmean(differences), abs=0.005)
    journey.assert_clean()
