"""Highlights, computed from the aggregation result alone."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.models import RaterGroup
from framework.models import Statement
from reports.aggregation import (
    Figures,
    GroupFigures,
    Scores,
    StatementResult,
    format_score,
    theme_report,
)
from reports.insights import _insight, report_insights, t_critical
from tests.factories import AssessmentFactory, ResponseFactory


@dataclass
class Report:
    statements: tuple
    threshold: int = 3


def item(number, others=(), self_score=None, respondents=None, hidden=False):
    """A statement's result with All raters' ratings ``others`` (None: "Not observed")."""
    values = [v for v in others if v is not None]
    figures = Figures(
        respondents=len(others) if respondents is None else respondents,
        n=len(values),
        ratings=len(values),
        total=sum(values),
        total_of_squares=sum(v * v for v in values),
    )
    own = Figures(1, 1, 1, self_score, self_score * self_score) if self_score else None
    everyone = GroupFigures("all", "All raters", None if hidden else figures, "hidden" * hidden)
    return StatementResult(
        statement=Statement(text=f"Statement {number}"),
        position=(1, 1, number),
        scores=Scores(self_figures=own, all_raters=everyone, line_manager=None, groups=()),
    )


def numbers(insights):
    return [i.item.position[2] for i in insights]


def filler(count=8, start=100):
    """Statements rated 3 by three raters, no self score: nothing stands out about them."""
    return tuple(item(start + n, others=(3, 3, 3)) for n in range(count))


def test_a_clear_blind_spot_is_flagged_with_its_numbers():
    spot = item(1, others=(2, 2, 3, 2, 3, 2), self_score=5)

    (insight,) = report_insights(report=Report((spot, *filler()))).blind_spots

    assert insight.gap == Decimal("2.7")  # 5.0 - 2.3, the figures shown
    assert insight.n == 6
    assert insight.half_width == t_critical(5) * insight.sd / Decimal(6).sqrt()
    assert insight.gap > insight.half_width
    assert insight.explanation == (
        "You 5.0, others 2.3 (n=6, spread 0.5): a gap of +2.7, beyond the ±0.5 uncertainty "
        "of others' mean"
    )


def test_a_clear_hidden_strength_is_flagged():
    strength = item(1, others=(4, 4, 5, 4, 5), self_score=1)

    insights = report_insights(report=Report((strength, *filler())))

    assert numbers(insights.hidden_strengths) == [1]
    assert insights.blind_spots == ()


def test_a_gap_within_a_wide_spread_is_not_flagged():
    wide = item(1, others=(1, 5, 1, 5, 2, 5), self_score=4)  # gap 0.83, half-width ~2.1

    insights = report_insights(report=Report((wide, *filler())))

    assert insights.blind_spots == ()
    judged = _insight("", wide)
    assert abs(judged.gap) >= Decimal("0.5") and abs(judged.gap) < judged.half_width


def test_a_gap_under_half_a_point_is_not_flagged_however_sure():
    steady = item(1, others=(3,) * 36 + (2,) * 4, self_score=3)  # gap 0.1, half-width ~0.09

    insights = report_insights(report=Report((steady, *filler())))

    judged = _insight("", steady)
    assert judged.gap > judged.half_width
    assert insights.blind_spots == ()


def test_one_rating_is_never_enough_to_flag_a_gap():
    lonely = item(1, others=(1,), self_score=5)

    insights = report_insights(report=Report((lonely,)))

    assert insights.blind_spots == () and insights.hidden_strengths == ()


def test_highest_and_lowest_never_split_a_tie():
    means = [4, 2, 5, 3, 4, 1, 5, 2, 3, 4, 1, 2]
    report = Report(tuple(item(n, others=(m, m, m)) for n, m in enumerate(means, start=1)))

    insights = report_insights(report=report)

    # Three may be listed, but the third highest (4.0) ties with two left out: only the 5s.
    assert numbers(insights.highest) == [3, 7]
    assert numbers(insights.lowest) == [6, 11]


def test_highlights_are_selective_not_every_statement():
    means = [(5, 5, 4), (4, 4, 4), (4, 3, 3), (3, 3, 3), (3, 3, 2), (2, 2, 2), (2, 2, 1)]
    means += [(5, 5, 5), (1, 1, 1)]
    report = Report(tuple(item(n, others=m) for n, m in enumerate(means, start=1)))

    insights = report_insights(report=report)

    assert numbers(insights.highest) == [8, 1, 2]
    assert numbers(insights.lowest) == [9, 7, 6]  # 3 of 9 each; 3 statements in neither


def test_a_statement_is_never_both_lowest_and_a_hidden_strength():
    """Precedence: the gap lists first, then highest and lowest from the statements left."""
    low_but_underrated = item(1, others=(2, 2, 3, 2, 2), self_score=1)  # 2.2 v 1: hidden
    others = tuple(item(n, others=(m, m, m)) for n, m in enumerate((3, 4, 5, 3, 4, 5, 4, 3), 2))

    insights = report_insights(report=Report((low_but_underrated, *others)))

    assert numbers(insights.hidden_strengths) == [1]
    assert 1 not in numbers(insights.lowest)
    assert numbers(insights.lowest) == [2, 5, 9]


def test_a_gap_where_every_rater_agreed_never_prints_a_zero_uncertainty():
    agreed = item(1, others=(2, 2, 2, 2), self_score=5)

    (insight,) = report_insights(report=Report((agreed, *filler()))).blind_spots

    assert "±0.0" not in insight.explanation
    assert insight.explanation == (
        "You 5.0, others 2.0 (n=4, spread 0.0): a gap of +3.0, and all 4 raters gave the "
        "same rating"
    )


def test_a_tiny_uncertainty_is_said_to_be_under_a_tenth():
    many = item(1, others=(2,) * 400 + (3,), self_score=5)

    (insight,) = report_insights(report=Report((many, *filler()))).blind_spots

    assert "±0.0" not in insight.explanation
    assert insight.explanation.endswith("beyond the uncertainty of others' mean (under ±0.1)")


ratings = st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=1, max_size=8)
statement_cases = st.lists(
    st.tuples(ratings, st.one_of(st.none(), st.integers(1, 5))), min_size=1, max_size=15
)


@settings(max_examples=200, deadline=None)
@given(cases=statement_cases)
def test_highlights_on_generated_reports(cases):
    report = Report(
        tuple(
            item(n, others=others, self_score=own) for n, (others, own) in enumerate(cases, start=1)
        )
    )
    scored = {s.position[2]: s for s in report.statements if s.scores.all_raters.mean is not None}
    insights = report_insights(report=report)
    main = [insights.highest, insights.lowest, insights.blind_spots, insights.hidden_strengths]

    limit = min(3, len(scored) // 3)
    for found in (*main, insights.low_agreement):
        assert len(found) <= limit
    listed = [n for found in main for n in numbers(found)]
    assert len(listed) == len(set(listed))  # no statement in two lists
    assert len(set(listed)) < len(scored) or not scored  # never every statement
    for found in (*main, insights.low_agreement, insights.hard_to_observe):
        for insight in found:
            assert "±0.0" not in insight.explanation

    def shown(n):
        return Decimal(format_score(scored[n].scores.all_raters.mean))

    gap_listed = set(numbers(insights.blind_spots) + numbers(insights.hidden_strengths))
    rest = [n for n in scored if n not in gap_listed]
    for n in numbers(insights.highest):
        assert all(shown(n) > shown(m) for m in rest if m not in numbers(insights.highest))
    left = [m for m in rest if m not in numbers(insights.highest)]
    for n in numbers(insights.lowest):
        assert all(shown(n) < shown(m) for m in left if m not in numbers(insights.lowest))


def test_low_agreement_needs_spread_and_k_raters():
    split = item(1, others=(1, 5, 3))
    pair = item(2, others=(1, 5))
    calm = item(3, others=(3, 3, 4))

    insights = report_insights(report=Report((split, pair, calm)))

    assert numbers(insights.low_agreement) == [1]
    assert insights.low_agreement[0].sd == 2


def test_statements_many_could_not_observe():
    often = item(1, others=(4,) * 7 + (None,) * 3)
    mostly = item(2, others=(4,) * 8 + (None,) * 2)
    nobody = item(3, others=(None,) * 4)

    insights = report_insights(report=Report((often, mostly, nobody, *filler(6))))

    assert numbers(insights.hard_to_observe) == [3, 1]
    assert insights.hard_to_observe[1].explanation == "7 of 10 raters could observe this"


def test_withheld_figures_never_become_highlights():
    withheld = item(1, others=(5, 5, 1), self_score=1, hidden=True)

    insights = report_insights(report=Report((withheld,)))

    assert insights.highest == insights.lowest == insights.hidden_strengths == ()
    assert insights.low_agreement == insights.hard_to_observe == ()


@pytest.mark.parametrize(
    ("df", "value"), [(1, "12.706"), (5, "2.571"), (30, "2.042"), (31, "1.96")]
)
def test_t_critical_values(df, value):
    assert t_critical(df) == Decimal(value)


@pytest.mark.django_db
def test_insights_of_a_real_theme_report(programme):
    assessment = AssessmentFactory(programme=programme)
    theme = programme.framework.themes.order_by("order").first()
    statements = [
        s for q in theme.qualities.order_by("order") for s in q.statements.order_by("order")
    ]
    ResponseFactory(
        assessment=assessment, rater_group=RaterGroup.SELF, values=dict.fromkeys(statements, 5)
    )
    for value in (2, 2, 3, 2):
        ResponseFactory(
            assessment=assessment,
            rater_group=RaterGroup.PEER,
            values={s: value if s == statements[0] else 5 for s in statements},
        )

    insights = report_insights(report=theme_report(assessment=assessment, theme=theme))

    assert [i.item.statement for i in insights.blind_spots] == [statements[0]]
    # Lowest rated too, but listed once: as a blind spot. The other 8 tie at 5.0.
    assert insights.lowest == insights.highest == ()
