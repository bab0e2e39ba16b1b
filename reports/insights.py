"""A report's highlights, computed only from the aggregation result.

Working from the result, and only from figures it shows, means insights obey the same
suppression as the tables: a statement whose All raters figures are withheld is never a
highlight. "Others" is All raters: everyone but self.

Highlights are few and the clearest. Each list holds at most ``MAX_ITEMS`` statements and at
most a third of the statements scored, so no list (and no combination of lists) covers
every statement. A statement appears in at most one of the four main lists, in this
precedence:

1. Blind spots (self clearly above others) and hidden strengths (others clearly above self):
   the gap, as shown, must be at least ``MIN_GAP`` scale points AND larger than the
   half-width of the 95% confidence interval of others' mean, t(n - 1) * sd / sqrt(n). With
   fewer than 2 ratings there is no spread to judge by, so nothing is flagged. The largest
   gaps first. They come first because a clear difference between how you and others see a
   behaviour says more than its rank: a statement others rate low but you rate lower still
   is a hidden strength, not "lowest rated".
2. Highest and lowest, from the statements left: by All raters' mean as shown (one
   decimal). A statement is listed only when its shown mean is strictly above (highest) or
   below (lowest) every statement not listed, so a tie is never split arbitrarily, and at
   least one statement always stays out of both lists.

The other two lists are notes rather than verdicts, with the same size limit:

- Low agreement: a standard deviation of at least ``LOW_AGREEMENT_SD`` from at least k raters.
- Hard to observe: at least ``HARD_TO_OBSERVE_SHARE`` of respondents answered "Not observed".

An uncertainty that rounds to 0.0 is never printed as "±0.0": when every rater gave the same
rating the explanation says so, otherwise it says the uncertainty is under 0.1.
"""

from dataclasses import dataclass
from decimal import Decimal

from reports.aggregation import StatementResult, format_gap, format_score, one_decimal

# Two-sided 95% critical values of Student's t, by degrees of freedom; 1.96 beyond 30.
T_CRITICAL_95 = dict(
    enumerate(
        (
            "12.706", "4.303", "3.182", "2.776", "2.571", "2.447", "2.365", "2.306",
            "2.262", "2.228", "2.201", "2.179", "2.160", "2.145", "2.131", "2.120",
            "2.110", "2.101", "2.093", "2.086", "2.080", "2.074", "2.069", "2.064",
            "2.060", "2.056", "2.052", "2.048", "2.045", "2.042",
        ),
        start=1,
    )
)  # fmt: skip
NORMAL_CRITICAL_95 = Decimal("1.96")
MIN_GAP = Decimal("0.5")
LOW_AGREEMENT_SD = Decimal("1.0")
HARD_TO_OBSERVE_SHARE = Decimal("0.3")
MAX_ITEMS = 3  # per list; and never more than a third of the statements scored


def t_critical(df: int) -> Decimal:
    if df < 1:
        raise ValueError("A t critical value needs at least one degree of freedom.")
    return Decimal(T_CRITICAL_95[df]) if df in T_CRITICAL_95 else NORMAL_CRITICAL_95


@dataclass(frozen=True)
class Insight:
    """One highlighted statement with the numbers that put it there."""

    kind: str  # highest, lowest, blind_spot, hidden_strength, low_agreement, hard_to_observe
    item: StatementResult
    others_mean: Decimal | None
    n: int
    respondents: int
    sd: Decimal | None
    self_score: Decimal | None
    gap: Decimal | None
    half_width: Decimal | None  # of the 95% confidence interval of others' mean

    @property
    def not_observed(self) -> int:
        return self.respondents - self.n

    @property
    def not_observed_share(self) -> Decimal:
        return Decimal(self.not_observed) / Decimal(self.respondents)

    @property
    def explanation(self) -> str:
        others = f"others {format_score(self.others_mean)} (n={self.n}"
        others += f", spread {format_score(self.sd)})" if self.sd is not None else ")"
        if self.kind in ("blind_spot", "hidden_strength"):
            return (
                f"You {format_score(self.self_score)}, {others}: a gap of "
                f"{format_gap(self.gap)}, {self.uncertainty_text}"
            )
        if self.kind == "hard_to_observe":
            return f"{self.n} of {self.respondents} raters could observe this"
        return others[0].upper() + others[1:]

    @property
    def uncertainty_text(self) -> str:
        """How the gap compares with the uncertainty of others' mean; never "±0.0"."""
        if self.sd == 0:
            return f"and all {self.n} raters gave the same rating"
        if one_decimal(self.half_width) == 0:
            return "beyond the uncertainty of others' mean (under ±0.1)"
        return f"beyond the ±{format_score(self.half_width)} uncertainty of others' mean"


@dataclass(frozen=True)
class Insights:
    highest: tuple[Insight, ...]
    lowest: tuple[Insight, ...]
    blind_spots: tuple[Insight, ...]
    hidden_strengths: tuple[Insight, ...]
    low_agreement: tuple[Insight, ...]
    hard_to_observe: tuple[Insight, ...]


def _insight(kind: str, item: StatementResult) -> Insight:
    others = item.scores.all_raters.figures
    assert others is not None, "only statements with others' figures are judged"
    sd, n = others.sd, others.ratings
    half_width = t_critical(n - 1) * sd / Decimal(n).sqrt() if sd is not None else None
    return Insight(
        kind=kind,
        item=item,
        others_mean=others.mean,
        n=others.n,
        respondents=others.respondents,
        sd=sd,
        self_score=item.scores.self_score,
        gap=item.scores.gap,
        half_width=half_width,
    )


def _clear_gap(insight: Insight) -> bool:
    """The gap is at least MIN_GAP and outside others' 95% confidence interval."""
    if insight.gap is None or insight.half_width is None:  # no self score, or n < 2
        return False
    return abs(insight.gap) >= MIN_GAP and abs(insight.gap) > insight.half_width


def list_size(scored: int, count: int = MAX_ITEMS) -> int:
    """How many statements a list may hold: ``count``, and at most a third of ``scored``."""
    return min(count, scored // 3)


def _shown_mean(item: StatementResult) -> Decimal:
    shown = one_decimal(item.scores.all_raters.mean)
    assert shown is not None, "only scored statements are ranked"
    return shown


def _gap(insight: Insight) -> Decimal:
    assert insight.gap is not None, "only clear gaps are ranked"
    return insight.gap


def _clearly_apart(items, size: int, *, highest: bool) -> list:
    """Up to ``size`` of ``items`` whose shown mean is strictly above (or below) that of
    every item left out; at least one item is always left out to compare with."""
    ranked = sorted(items, key=lambda s: ((-1 if highest else 1) * _shown_mean(s), s.position))
    take = min(size, len(ranked) - 1)
    while take > 0 and _shown_mean(ranked[take - 1]) == _shown_mean(ranked[take]):
        take -= 1
    return ranked[: max(take, 0)]


def report_insights(*, report, count: int = MAX_ITEMS) -> Insights:
    """The highlights of a report (an ``AssessmentReport`` or one ``ThemeResult``)."""
    scored = [s for s in report.statements if s.scores.all_raters.mean is not None]
    size = list_size(len(scored), count)

    def make(kind, items):
        return tuple(_insight(kind, item) for item in items)

    judged = [_insight("", s) for s in scored]
    gaps = [i for i in judged if _clear_gap(i)]
    blind = sorted((i for i in gaps if _gap(i) > 0), key=lambda i: (-_gap(i), i.item.position))
    hidden = sorted((i for i in gaps if _gap(i) < 0), key=lambda i: (_gap(i), i.item.position))
    blind, hidden = blind[:size], hidden[:size]
    taken = {id(i.item) for i in (*blind, *hidden)}
    rest = [s for s in scored if id(s) not in taken]
    highest = _clearly_apart(rest, size, highest=True)
    taken |= {id(s) for s in highest}
    lowest = _clearly_apart([s for s in rest if id(s) not in taken], size, highest=False)
    spread = sorted(
        (i for i in judged if i.n >= report.threshold and (i.sd or 0) >= LOW_AGREEMENT_SD),
        key=lambda i: (-(i.sd or 0), i.item.position),
    )
    answered = [s for s in report.statements if s.scores.all_raters.respondents]
    unseen = sorted(
        (
            i
            for i in (_insight("hard_to_observe", s) for s in answered)
            if i.not_observed_share >= HARD_TO_OBSERVE_SHARE
        ),
        key=lambda i: (-i.not_observed_share, i.item.position),
    )
    return Insights(
        highest=make("highest", highest),
        lowest=make("lowest", lowest),
        blind_spots=make("blind_spot", (i.item for i in blind)),
        hidden_strengths=make("hidden_strength", (i.item for i in hidden)),
        low_agreement=make("low_agreement", (i.item for i in spread[:size])),
        hard_to_observe=tuple(unseen[: list_size(len(answered), count)]),
    )
