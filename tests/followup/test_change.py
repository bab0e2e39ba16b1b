"""Change between cycles (reports.change): figures against an independent computation, the
cross-cycle rule, and where the change is shown."""

import math
import random
import statistics

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from assessments.models import RaterGroup
from reports.aggregation import theme_report
from reports.change import TOO_DIFFERENT, theme_change
from reports.report_context import theme_report_content

from .helpers import GROUPS_OF_NINE, pair, theme_statements


def _t_quantile_975(df: int) -> float:
    """The 97.5% quantile of Student's t, the plain way: Simpson's rule on the density from
    0, then bisection (independent of the table in reports.change)."""

    def density(x):
        c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
        return c * (1 + x * x / df) ** (-(df + 1) / 2)

    def cdf(x, steps=4000):
        h = x / steps
        total = density(0) + density(x)
        total += sum((4 if i % 2 else 2) * density(i * h) for i in range(1, steps))
        return 0.5 + total * h / 3

    low, high = 0.0, 20.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if cdf(middle) < 0.975 else (low, middle)
    return (low + high) / 2


def _raters(statements, seed, shift=0):
    rng = random.Random(seed)
    people = [(RaterGroup.SELF, {s: min(5, 3 + shift) for s in statements})]
    for group in GROUPS_OF_NINE:
        values = {}
        for s in statements:
            if rng.random() < 0.1:
                values[s] = None  # Not observed
            else:
                values[s] = max(1, min(5, rng.choice([2, 3, 3, 4, 4, 5]) + shift))
        people.append((group, values))
    return people


def _plain(raters, statements):
    """Mean, SD and n of everyone but self over ``statements``, from the raw ratings."""
    ratings, n = [], 0
    for group, values in raters:
        if group == RaterGroup.SELF:
            continue
        mine = [values[s] for s in statements if values.get(s) is not None]
        ratings += mine
        n += bool(mine)
    return statistics.fmean(ratings), statistics.stdev(ratings), n


@pytest.fixture
def two_cycles(framework, leader):
    theme = framework.themes.get(slug="being")
    statements = theme_statements(theme)
    earlier_raters = _raters(statements, seed=1)
    current_raters = _raters(statements, seed=2, shift=1)
    _, now = pair(
        framework=framework,
        leader=leader,
        earlier_raters=earlier_raters,
        current_raters=current_raters,
    )
    return {
        "theme": theme,
        "assessment": now,
        "earlier": earlier_raters,
        "current": current_raters,
        "statements": statements,
    }


def test_change_figures_equal_an_independent_computation(two_cycles):
    theme, now = two_cycles["theme"], two_cycles["assessment"]
    change = theme_change(
        assessment=now, theme=theme, result=theme_report(assessment=now, theme=theme)
    )
    assert change.earlier_programme == "Cohort 2025"
    scopes = {("theme", theme.pk): two_cycles["statements"]}
    for quality in theme.qualities.all():
        scopes[("quality", quality.pk)] = [
            s for s in two_cycles["statements"] if s.quality_id == quality.pk
        ]
    assert {(r.level, r.scope_id) for r in change.rows} == set(scopes)
    for row in change.rows:
        statements = scopes[(row.level, row.scope_id)]
        m1, s1, n1 = _plain(two_cycles["earlier"], statements)
        m2, s2, n2 = _plain(two_cycles["current"], statements)
        assert row.shown, row.reason
        assert (row.earlier.n, row.current.n) == (n1, n2)
        assert float(row.earlier.mean) == pytest.approx(m1, abs=1e-9)
        assert float(row.current.mean) == pytest.approx(m2, abs=1e-9)
        assert float(row.earlier.sd) == pytest.approx(s1, abs=1e-9)
        assert float(row.current.sd) == pytest.approx(s2, abs=1e-9)
        # Welch: the interval from the two sets' n and spread.
        v1, v2 = s1**2 / n1, s2**2 / n2
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        half = _t_quantile_975(math.floor(df)) * math.sqrt(v1 + v2)
        assert row.noise.low == pytest.approx(m2 - m1 - half, abs=2e-3)
        assert row.noise.high == pytest.approx(m2 - m1 + half, abs=2e-3)
        expected = "higher" if m2 - m1 - half > 0 else "lower" if m2 - m1 + half < 0 else None
        assert row.verdict == (expected or "within_noise")
        # Self: 3 then 4 on every statement.
        assert (row.earlier_self, row.current_self) == (3, 4)
        assert row.self_change_text == "+1.0"


def test_the_change_is_in_the_report_body_and_the_staff_page(
    two_cycles, programme_admin_client, programme_admin
):
    theme, now = two_cycles["theme"], two_cycles["assessment"]
    content = theme_report_content(assessment=now, theme=theme)
    html = render_to_string("reports/_theme_body.html", content.context)
    assert "Change since Cohort 2025" in html
    assert "beyond measurement noise" in html
    now.programme.admins.add(programme_admin)
    page = programme_admin_client.get(reverse("reports:admin_theme", args=[now.pk, theme.slug]))
    assert page.status_code == 200
    assert "Change since Cohort 2025" in page.content.decode()


def test_no_change_without_an_earlier_programme(rated_assessment, framework):
    theme = framework.themes.get(slug="being")
    content = theme_report_content(assessment=rated_assessment, theme=theme)
    assert content.context["change"] is None
    assert "Change since" not in render_to_string("reports/_theme_body.html", content.context)


@pytest.mark.parametrize(("extra", "shown"), [(0, True), (1, False), (2, False), (3, True)])
def test_raters_present_in_one_cycle_only_are_never_isolable(framework, leader, extra, shown):
    theme = framework.themes.get(slug="being")
    statements = theme_statements(theme)
    earlier_raters = _raters(statements, seed=3)
    # The same raters, answering the same again, and ``extra`` newcomers.
    newcomers = [(RaterGroup.PEER, dict.fromkeys(statements, 5)) for _ in range(extra)]
    _, now = pair(
        framework=framework,
        leader=leader,
        earlier_raters=earlier_raters,
        current_raters=earlier_raters + newcomers,
    )
    change = theme_change(
        assessment=now, theme=theme, result=theme_report(assessment=now, theme=theme)
    )
    assert all(r.shown == shown for r in change.rows)
    if not shown:
        assert {r.reason for r in change.rows} == {TOO_DIFFERENT}
        assert all(r.change_text == "" for r in change.rows)


def test_the_earlier_figures_are_the_last_released_versions(two_cycles):
    """A late response admitted to the earlier assessment but not released does not move
    the earlier figures."""
    from reports.versions import versions_latest

    theme, now = two_cycles["theme"], two_cycles["assessment"]
    before = now.programme.follows.assessments.get(leader=now.leader)
    result = theme_report(assessment=now, theme=theme)
    first = theme_change(assessment=now, theme=theme, result=result)
    from tests.factories import ResponseFactory

    ResponseFactory(
        assessment=before,
        rater_group=RaterGroup.PEER,
        values=dict.fromkeys(two_cycles["statements"], 1),
    )
    assert versions_latest(assessment=before).number == 1
    assert theme_change(assessment=now, theme=theme, result=result) == first


def test_no_change_once_the_earlier_raw_ratings_are_deleted(two_cycles):
    from assessments.models import Rating

    theme, now = two_cycles["theme"], two_cycles["assessment"]
    result = theme_report(assessment=now, theme=theme)
    assert theme_change(assessment=now, theme=theme, result=result) is not None
    Rating.objects.filter(response__assessment__programme=now.programme.follows).delete()
    assert theme_change(assessment=now, theme=theme, result=result) is None


def test_the_leaders_facilitator_sees_the_change_too(two_cycles, client):
    from accounts.models import Role
    from accounts.roles import role_grant
    from assessments.models import Assessment
    from tests.factories import UserFactory

    theme, now = two_cycles["theme"], two_cycles["assessment"]
    facilitator = UserFactory()
    role_grant(user=facilitator, role=Role.FACILITATOR)
    Assessment.objects.filter(pk=now.pk).update(facilitator=facilitator)
    now.programme.facilitators.add(facilitator)
    client.force_login(facilitator)
    page = client.get(reverse("reports:facilitator_theme", args=[now.pk, theme.slug]))
    assert page.status_code == 200
    assert "Change since Cohort 2025" in page.content.decode()
