"""Programme impact: the export cell by cell against an independent computation, the k-leader
rule, and the page and downloads."""

import csv
import io
import math
import random
import statistics

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import RaterGroup
from reports.exports.impact import IMPACT_HEADER, impact_csv, programme_impact
from tests.factories import AssessmentFactory, UserFactory

from .helpers import GROUPS_OF_NINE, earlier_and_follow_up, rate, release, theme_statements
from .test_change import _t_quantile_975


def _raters(statements, rng, shift):
    people = [(RaterGroup.SELF, dict.fromkeys(statements, 3))]
    for group in GROUPS_OF_NINE:
        values = {}
        for s in statements:
            values[s] = (
                None
                if rng.random() < 0.1
                else max(1, min(5, rng.choice([2, 3, 3, 4, 4, 5]) + shift))
            )
        people.append((group, values))
    return people


def _plain(raters, statements):
    ratings, n = [], 0
    for group, values in raters:
        if group == RaterGroup.SELF:
            continue
        mine = [values[s] for s in statements if values.get(s) is not None]
        ratings += mine
        n += bool(mine)
    return statistics.fmean(ratings), statistics.stdev(ratings), n


def _welch_verdict(before, after):
    (m1, s1, n1), (m2, s2, n2) = before, after
    v1, v2 = s1**2 / n1, s2**2 / n2
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    half = _t_quantile_975(math.floor(df)) * math.sqrt(v1 + v2)
    if m2 - m1 - half > 0:
        return "higher"
    if m2 - m1 + half < 0:
        return "lower"
    return "within"


@pytest.fixture
def cohort_pair(framework):
    earlier, follow_up = earlier_and_follow_up(framework=framework, k=3)
    statements = [s for t in framework.themes.all() for s in theme_statements(t)]
    rng = random.Random(7)
    data = []
    for shift in [1, 0, -1, 1]:
        leader = UserFactory()
        before = AssessmentFactory(programme=earlier, leader=leader)
        first = _raters(statements, rng, 0)
        rate(before, first)
        release(before)
        now = AssessmentFactory(programme=follow_up, leader=leader)
        second = _raters(statements, rng, shift)
        rate(now, second)
        data.append((first, second))
    # A leader only in the follow-up does not count.
    rate(AssessmentFactory(programme=follow_up), _raters(statements, rng, 2))
    return {"programme": follow_up, "data": data, "framework": framework}


def _expected_rows(framework, data):
    rows = []
    for theme in framework.themes.order_by("order"):
        statements = theme_statements(theme)
        scopes = [("theme", str(theme.order), theme.name, statements)]
        for place, quality in enumerate(theme.qualities.order_by("order"), start=1):
            scopes.append(
                (
                    "quality",
                    f"{theme.order}.{place}",
                    quality.name,
                    [s for s in statements if s.quality_id == quality.pk],
                )
            )
        for level, number, label, scope in scopes:
            changes, verdicts = [], []
            for first, second in data:
                before, after = _plain(first, scope), _plain(second, scope)
                changes.append(after[0] - before[0])
                verdicts.append(_welch_verdict(before, after))
            mean, sd, n = statistics.fmean(changes), statistics.stdev(changes), len(changes)
            half = _t_quantile_975(n - 1) * sd / math.sqrt(n)
            rows.append(
                {
                    "level": level,
                    "number": number,
                    "theme or quality": label,
                    "leaders": n,
                    "mean change": mean,
                    "95% CI low": mean - half,
                    "95% CI high": mean + half,
                    "sd of changes": sd,
                    "effect size (d_z)": mean / sd,
                    "higher beyond noise": verdicts.count("higher"),
                    "within noise": verdicts.count("within"),
                    "lower beyond noise": verdicts.count("lower"),
                    "not judged": 0,
                    "suppressed": "no",
                }
            )
    return rows


def test_the_impact_export_matches_an_independent_computation_cell_by_cell(cohort_pair):
    impact = programme_impact(programme=cohort_pair["programme"])
    assert impact.leaders_in_both == 4
    text = impact_csv(impact).decode("utf-8-sig")
    got = list(csv.DictReader(io.StringIO(text)))
    assert list(got[0]) == list(IMPACT_HEADER)
    expected = _expected_rows(cohort_pair["framework"], cohort_pair["data"])
    assert len(got) == len(expected) == 17  # 4 themes and 13 qualities
    for row, want in zip(got, expected, strict=True):
        for column, value in want.items():
            if isinstance(value, float):
                # CSV writes 4 decimals; the t quantile here is integrated numerically.
                assert float(row[column]) == pytest.approx(value, abs=2e-3), (want, column)
            else:
                assert row[column] == str(value), (want["number"], column)
        assert row["suppression reason"] == ""
    assert any(r["higher beyond noise"] != "0" for r in got)


def test_with_fewer_than_k_leaders_nothing_is_shown(framework):
    earlier, follow_up = earlier_and_follow_up(framework=framework, k=3)
    statements = [s for t in framework.themes.all() for s in theme_statements(t)]
    rng = random.Random(1)
    for _ in range(2):
        leader = UserFactory()
        before = AssessmentFactory(programme=earlier, leader=leader)
        rate(before, _raters(statements, rng, 0))
        release(before)
        rate(AssessmentFactory(programme=follow_up, leader=leader), _raters(statements, rng, 1))
    impact = programme_impact(programme=follow_up)
    got = list(csv.DictReader(io.StringIO(impact_csv(impact).decode("utf-8-sig"))))
    for row in got:
        assert row["leaders"] in {"1", "2"}  # a leader's change may be withheld too
        assert row["suppressed"] == "yes"
        assert (
            f"Fewer than 3 leaders have a change shown here ({row['leaders']})"
            in (row["suppression reason"])
        )
        for column in IMPACT_HEADER[4:13]:
            assert row[column] == "", column


def test_the_admin_sees_the_page_and_downloads_it(cohort_pair, client, fake_pdf):
    from accounts.models import Role
    from accounts.roles import role_grant

    programme = cohort_pair["programme"]
    admin = UserFactory()
    role_grant(user=admin, role=Role.PROGRAMME_ADMIN)
    programme.admins.add(admin)
    client.force_login(admin)
    page = client.get(reverse("reports:programme_impact", args=[programme.pk]))
    html = page.content.decode()
    assert "Programme impact" in html and "Mean change" in html
    detail = client.get(reverse("programmes:detail", args=[programme.pk]))
    assert reverse("reports:programme_impact", args=[programme.pk]) in detail.content.decode()
    for kind, start in (("csv", b"\xef\xbb\xbflevel"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        url = reverse("reports:programme_impact_download", args=[programme.pk, kind])
        response = client.get(url)
        assert response.status_code == 200
        assert response.content.startswith(start), kind
        if kind == "xlsx":
            sheet = load_workbook(io.BytesIO(response.content))["impact"]
            values = list(sheet.iter_rows(values_only=True))
            assert values[0] == IMPACT_HEADER
            assert len(values) == 18
    assert (
        client.get(
            reverse("reports:programme_impact_download", args=[programme.pk, "doc"])
        ).status_code
        == 404
    )
    other = UserFactory()
    role_grant(user=other, role=Role.PROGRAMME_ADMIN)
    client.force_login(other)
    assert client.get(reverse("reports:programme_impact", args=[programme.pk])).status_code == 404
