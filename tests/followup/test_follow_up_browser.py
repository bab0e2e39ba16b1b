"""The programme impact page and a theme report with change, in a real browser: axe (WCAG
2.2 A/AA) and no sideways scroll at 375 px."""

import random

import pytest

from accounts.models import Role
from accounts.roles import role_grant
from tests.factories import AssessmentFactory, UserFactory
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
    _signed_in(browser_context, live_server, admin)
    page = browser_context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    theme = framework.themes.order_by("order").first()
    pages = {
        "impact": f"/reports/staff/programmes/{follow_up.pk}/impact/",
        "theme": f"/reports/staff/assessments/{now.pk}/{theme.slug}/",
    }
    found = {}
    for size in ({"width": 1280, "height": 800}, PHONE):
        page.set_viewport_size(size)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            if name == "impact":
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
    assert all(v == [] for v in found.values()), found
    assert errors == []
