"""The programme impact page and a theme report with change, in a real browser: axe (WCAG
2.2 A/AA) and no sideways scroll at 375 px."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.roles import role_grant
from assessments.services.follow_ups import programme_follow_up_create
from tests.factories import AssessmentFactory, InvitationFactory, UserFactory
from tests.reports.test_pipeline_browser import PHONE, SIDEWAYS, _axe_violations, _signed_in

from .helpers import earlier_and_follow_up, rate, release, theme_statements
from .test_impact import _raters

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fake_pdf"),
]


def test_impact_page_and_change_in_a_theme_report_pass_axe_and_fit_a_phone(
    live_server, browser_context, framework
):
    earlier, follow_up = earlier_and_follow_up(framework=framework, k=3)
    statements = [s for t in framework.themes.all() for s in theme_statements(t)]
    rng = random.Random(11)
    for shift in (1, 0, 1):
        leader = UserFactory()
        before = AssessmentFactory(programme=earlier, leader=leader)
        rate(before, _raters(statements, rng, 0))
        release(before)
        now = AssessmentFactory(programme=follow_up, leader=leader)
        rate(now, _raters(statements, rng, shift))
    admin = UserFactory()
    role_grant(user=admin, role=Role.PROGRAMME_ADMIN)
    follow_up.admins.add(admin)
    earlier.admins.add(admin)
    # A second follow-up, open now: the leader's nominations page offers last time's raters.
    again = programme_follow_up_create(
        earlier=earlier,
        by=admin,
        name="Cohort 2026 bis",
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=20),
    )
    leader_assessment = again.assessments.get(leader=now.leader)
    InvitationFactory(assessment=before, name="Robin Peer")
    _signed_in(browser_context, live_server, admin)
    page = browser_context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    theme = framework.themes.order_by("order").first()
    pages = {
        "impact": f"/reports/staff/programmes/{follow_up.pk}/impact/",
        "theme": f"/reports/staff/assessments/{now.pk}/{theme.slug}/",
    }
    pages["follow-up form"] = f"/programmes/{earlier.pk}/follow-up/"
    found = {}
    for size in ({"width": 1280, "height": 800}, PHONE):
        page.set_viewport_size(size)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            if name == "follow-up form":
                assert page.get_by_role("heading", name="Create a follow-up programme").is_visible()
            elif name == "impact":
                assert page.get_by_role("heading", name="Programme impact").is_visible()
                assert page.get_by_role("link", name="CSV file").is_visible()
            else:
                heading = page.get_by_role("heading", name=f"Change since {earlier.name}")
                assert heading.is_visible()
            found[(name, size["width"], "axe")] = _axe_violations(page)
            if size == PHONE:
                measured = page.evaluate(SIDEWAYS)
                assert measured["page"] <= PHONE["width"], (name, measured)
                found[(name, 375, "sideways")] = measured["found"]
    leader_context = browser_context.browser.new_context()
    _signed_in(leader_context, live_server, now.leader)
    leader_page = leader_context.new_page()
    for size in ({"width": 1280, "height": 800}, PHONE):
        leader_page.set_viewport_size(size)
        leader_page.goto(f"{live_server.url}/my/{leader_assessment.pk}/raters/")
        button = leader_page.get_by_role("button", name=f"Add my raters from {earlier.name}")
        assert button.is_visible()
        found[("nominations", size["width"], "axe")] = _axe_violations(leader_page)
        if size == PHONE:
            measured = leader_page.evaluate(SIDEWAYS)
            assert measured["page"] <= PHONE["width"], measured
    button.click()
    leader_page.wait_for_load_state()
    assert leader_page.get_by_text("1 rater from last time added").is_visible()
    found[("nominations after copy", 375, "axe")] = _axe_violations(leader_page)
    leader_context.close()
    assert all(v == [] for v in found.values()), found
    assert errors == []
