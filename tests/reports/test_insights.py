"""Highlights, computed from the aggregation result alone."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from assessments.models import RaterGroup
from framework.models import Statement
from reports.aggregation import (
    Figures,
    GroupFigures,
    Scores,
    StatementResult,
    theme_report,
)
from reports.insights import report_insights, t_critical
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


def test_a_clear_blind_spot_is_flagged_with_its_numbers():
    spot = item(1, others=(2, 2, 3, 2, 3, 2), self_score=5)

    (insight,) = report_insights(report=Report((spot,))).blind_spots

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

    insights = report_insights(report=Report((strength,)))

    assert numbers(insights.hidden_strengths) == [1]
    assert insights.blind_spots == ()


def test_a_gap_within_a_wide_spread_is_not_flagged():
    wide = item(1, others=(1, 5, 1, 5, 2, 5), self_score=4)  # gap 0.83, half-width ~2.1

    insights = report_insights(report=Report((wide,)))

    assert insights.blind_spots == ()
    (judged,) = insights.highest
    assert abs(judged.gap) >= Decimal("0.5") and abs(judged.gap) < judged.half_width


def test_a_gap_under_half_a_point_is_not_flagged_however_sure():
    steady = item(1, others=(3,) * 36 + (2,) * 4, self_score=3)  # gap 0.1, half-width ~0.09

    insights = report_insights(report=Report((steady,)))

    (judged,) = insights.highest
    assert judged.gap > judged.half_width
    assert insights.blind_spots == ()


def test_one_rating_is_never_enough_to_flag_a_gap():
    lonely = item(1, others=(1,), self_score=5)

    insights = report_insights(report=Report((lonely,)))

    assert insights.blind_spots == () and insights.hidden_strengths == ()


def test_highest_and_lowest_by_mean_with_ties_in_framework_order():
    means = [4, 2, 5, 3, 4, 1, 5, 2, 3, 4, 1, 2]
    report = Report(tuple(item(n, others=(m, m, m)) for n, m in enumerate(means, start=1)))

    insights = report_insights(report=report)

    assert numbers(insights.highest) == [3, 7, 1, 5, 10]
    assert numbers(insights.lowest) == [6, 11, 2, 8, 12]
    short = report_insights(report=Report(report.statements[:6]), count=3)
    assert numbers(short.lowest) == [6, 2, 4]  # never a statement already among the highest


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

    insights = report_insights(report=Report((often, mostly, nobody)))

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
    assert insights.lowest[0].item.statement == statements[0]
