"""Change between cycles: a follow-up programme's figures against the earlier programme's.

For a leader in a follow-up programme (``Programme.follows``), per theme and per quality of
the theme: the earlier and the current All raters' mean (with n and the spread), the
earlier and the current self score, and whether the change of All raters' mean is larger
than measurement noise.

Which figures
    The current figures are the aggregation's, as the current report shows them
    (``reports.aggregation``: already anonymity-suppressed). The earlier figures are those
    of the earlier assessment's LAST RELEASED version (``reports.versions``; the newest
    version stamped, even while its page snapshots are still being filled, so that a
    follow-up rendered first still has them): the Responses that version includes, summed
    the way the aggregation sums them, and only for scopes that version showed
    (``ReportVersion.shown`` lists [row, level, scope id]). So every figure on either side
    is one the leader has been shown. Late responses admitted after that version, and not
    released, do not count.

The noise rule (a Welch 95% confidence interval)
    difference = current mean - earlier mean (full precision)
    SE = sqrt(s1^2 / n1 + s2^2 / n2), df by Welch-Satterthwaite
    95% CI = difference +/- t(0.975, floor(df)) * SE
    The change is "beyond noise" when the interval excludes 0. n is the number of raters
    who rated in scope (not the number of ratings: one rater's ratings of a quality's
    statements are not independent), and s is the standard deviation of all the ratings
    in scope, which includes the spread within each rater and so is at least the spread of
    the raters' own means in expectation: the interval is, if anything, too wide, and a
    change called "beyond noise" is a conservative call. The t quantile comes from a table
    at the next lower tabulated df (wider again). With fewer than 2 raters or no spread on
    a side there is no interval and no verdict.

When a change is shown (the cross-cycle rule; docs/anonymity.md)
    Only when BOTH sides' All raters' figures are shown in their own report, each with at
    least k raters (k: the larger of the two programmes' thresholds), and the numbers of
    raters behind the two figures are equal or differ by at least k. The reason: the two
    means are sums over two sets of raters, S1 and S2. If a rater's answers are assumed to
    stay the same between cycles (the worst case), the only sets of raters that the two
    sums can isolate by adding and subtracting them are S1, S2, and - when one contains
    the other - their difference. So the difference of the counts is exactly what must
    not fall in 1..k-1: a rater present in only one cycle is then never isolable by
    differencing. Two distinct cycles' answers share no Response, so beyond that the
    figures of the two reports combine no more than each report alone (which passes its
    own exact check). The self score is the leader's own and is always shown when both
    cycles have one.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from assessments.models import Assessment, RaterGroup, Rating, Response

from .aggregation import Figures, format_gap, format_score, one_decimal
from .aggregation.disclosure import ALL
from .models import ReportVersion

# t(0.975, df), two-sided 95%: the next lower tabulated df is used (a wider interval).
T_975 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120,
    17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064,
    25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000,
    80: 1.990, 100: 1.984, 120: 1.980, 1000: 1.962,
}  # fmt: skip

IMPROVED, DECLINED, STAYED = "higher", "lower", "within_noise"
VERDICT_TEXT = {
    IMPROVED: "Higher, beyond measurement noise",
    DECLINED: "Lower, beyond measurement noise",
    STAYED: "Within measurement noise",
    None: "Not enough ratings to judge",
}

# The same, short, next to the change in the summary's score table.
VERDICT_SHORT = {
    IMPROVED: "higher",
    DECLINED: "lower",
    STAYED: "within noise",
    None: "not judged",
}

# Why a change is not shown.
NOT_SHOWN_EARLIER = "Not shown in your earlier report"
NOT_SHOWN_NOW = "Not shown in this report"
TOO_DIFFERENT = "Not shown: comparing the two would single out a few raters"


def t_975(df: float) -> float:
    """The two-sided 95% t quantile at the largest tabulated df not above ``df``."""
    whole = max(1, math.floor(df))
    return T_975[max(d for d in T_975 if d <= whole)]


@dataclass(frozen=True)
class Side:
    """One cycle's All raters' figures in one scope."""

    n: int
    mean: Decimal
    sd: Decimal | None

    @classmethod
    def of(cls, figures: Figures | None) -> "Side | None":
        mean = figures.mean if figures is not None else None
        if figures is None or not figures.ratings or mean is None:
            return None  # (figures with ratings always have a mean)
        return cls(n=figures.n, mean=mean, sd=figures.sd)


@dataclass(frozen=True)
class Noise:
    difference: float
    low: float | None
    high: float | None
    df: float | None

    @property
    def verdict(self) -> str | None:
        if self.low is None or self.high is None:
            return None  # (welch sets both or neither)
        if self.low > 0:
            return IMPROVED
        if self.high < 0:
            return DECLINED
        return STAYED


def welch(earlier: Side, current: Side) -> Noise:
    """The difference of the means and its Welch 95% interval (see the module docstring)."""
    difference = float(current.mean) - float(earlier.mean)
    if earlier.n < 2 or current.n < 2 or earlier.sd is None or current.sd is None:
        return Noise(difference, None, None, None)
    v1 = float(earlier.sd) ** 2 / earlier.n
    v2 = float(current.sd) ** 2 / current.n
    if v1 + v2 == 0:
        return Noise(difference, None, None, None)
    se = math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (earlier.n - 1) + v2**2 / (current.n - 1))
    half = t_975(df) * se
    return Noise(difference, difference - half, difference + half, df)


def pair_displayable(earlier: Side | None, current: Side | None, k: int) -> str:
    """ "" when the change may be shown, else why not (the cross-cycle rule)."""
    if earlier is None:
        return NOT_SHOWN_EARLIER
    if current is None:
        return NOT_SHOWN_NOW
    if earlier.n < k or current.n < k:
        return TOO_DIFFERENT
    if 0 < abs(earlier.n - current.n) < k:
        return TOO_DIFFERENT
    return ""


@dataclass(frozen=True)
class ChangeRow:
    level: str  # theme or quality
    scope_id: int
    label: str
    earlier: Side | None
    current: Side | None
    earlier_self: Decimal | None
    current_self: Decimal | None
    reason: str  # "" when the change is shown
    noise: Noise | None

    @property
    def shown(self) -> bool:
        return not self.reason

    @property
    def change_text(self) -> str:
        # (a shown change has both sides: pair_displayable)
        if not self.shown or self.earlier is None or self.current is None:
            return ""
        return format_gap(one_decimal(self.current.mean) - one_decimal(self.earlier.mean))

    @property
    def interval_text(self) -> str:
        noise = self.noise if self.shown else None  # (a shown change has its noise)
        if noise is None or noise.low is None or noise.high is None:
            return ""
        return f"{format_gap(noise.low)} to {format_gap(noise.high)}"

    @property
    def verdict(self) -> str | None:
        return self.noise.verdict if self.shown and self.noise is not None else None

    @property
    def verdict_text(self) -> str:
        return VERDICT_TEXT[self.verdict] if self.shown else self.reason

    @property
    def self_change_text(self) -> str:
        if self.earlier_self is None or self.current_self is None:
            return ""
        return format_gap(one_decimal(self.current_self) - one_decimal(self.earlier_self))

    @staticmethod
    def side_text(side: Side | None) -> str:
        if side is None:
            return "\u2013"
        spread = f", SD {format_score(side.sd)}" if side.sd is not None else ""
        return f"{format_score(side.mean)} (n {side.n}{spread})"

    @property
    def earlier_text(self) -> str:
        return self.side_text(self.earlier) if self.shown else "\u2013"

    @property
    def current_text(self) -> str:
        return self.side_text(self.current) if self.shown else "\u2013"

    @property
    def earlier_mean_text(self) -> str:
        """The earlier All raters' mean alone, as displayed (the summary's score table)."""
        return format_score(self.earlier.mean) if self.shown and self.earlier else "\u2013"

    @property
    def verdict_short(self) -> str:
        return VERDICT_SHORT[self.verdict] if self.shown else ""


@dataclass(frozen=True)
class ThemeChange:
    earlier_programme: str
    earlier_released_on: object
    k: int
    rows: tuple[ChangeRow, ...]  # the theme first, then its qualities

    @property
    def any_shown(self) -> bool:
        return any(r.shown for r in self.rows)


# The earlier cycle, as last released -------------------------------------------------------


def earlier_for(assessment: Assessment) -> Assessment | None:
    from assessments.services.follow_ups import earlier_assessment

    return earlier_assessment(assessment=assessment)


def released_figures(*, version) -> tuple[dict, dict]:
    """From a released version, for every theme and quality: {(level, scope id): Figures}
    of All raters for the scopes the version showed, and {(level, scope id): self Figures}."""
    shown = {(level, scope) for row, level, scope in version.shown.get("shown", []) if row == ALL}
    ids = list(version.responses)
    groups = dict(Response.objects.filter(pk__in=ids).values_list("pk", "rater_group"))
    # per (level, scope): per response: [answered, ratings, total, squares]
    per: defaultdict[tuple[str, int], defaultdict[UUID, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0, 0, 0])
    )
    for response_id, quality_id, theme_id, value in Rating.objects.filter(
        response_id__in=ids
    ).values_list("response_id", "statement__quality_id", "statement__quality__theme_id", "value"):
        for scope in (("theme", theme_id), ("quality", quality_id)):
            cell = per[scope][response_id]
            cell[0] = 1
            if value is not None:
                cell[1] += 1
                cell[2] += value
                cell[3] += value * value
    others, own = {}, {}
    for scope, by_response in per.items():
        sums = {True: Figures(), False: Figures()}
        for response_id, (_, ratings, total, squares) in by_response.items():
            is_self = groups.get(response_id) == RaterGroup.SELF
            sums[is_self] = sums[is_self] + Figures(1, int(ratings > 0), ratings, total, squares)
        if scope in shown:
            others[scope] = sums[False]
        if sums[True].respondents:
            own[scope] = sums[True]
    return others, own


@dataclass(frozen=True)
class EarlierCycle:
    """The leader's earlier assessment, its last released version and that version's
    figures (``released_figures``), read once for all themes."""

    assessment: Assessment
    version: ReportVersion
    others: dict
    own: dict


def earlier_cycle(*, assessment: Assessment) -> EarlierCycle | None:
    """None when the assessment's programme follows none, the leader's earlier reports
    were never released, or their raw ratings have since been deleted (retention)."""
    from .versions import versions_latest

    earlier = earlier_for(assessment)
    if earlier is None:
        return None
    version = versions_latest(assessment=earlier, filled=False)
    if version is None:
        return None
    others, own = released_figures(version=version)
    if not others and not own:
        return None  # nothing was shown then, or the raw ratings were deleted (retention)
    return EarlierCycle(assessment=earlier, version=version, others=others, own=own)


def theme_change(
    *, assessment: Assessment, theme, result, earlier: EarlierCycle | None = None
) -> ThemeChange | None:
    """The change since the earlier programme for one theme (None: see ``earlier_cycle``).
    ``earlier``: the earlier cycle when the caller has read it already (programme impact)."""
    earlier = earlier or earlier_cycle(assessment=assessment)
    if earlier is None:
        return None
    programme = earlier.assessment.programme
    k = max(assessment.programme.anonymity_threshold, programme.anonymity_threshold)
    others, own, version = earlier.others, earlier.own, earlier.version
    scopes = [("theme", theme.pk, theme.name, result.scores)]
    scopes += [("quality", q.quality.pk, q.quality.name, q.scores) for q in result.qualities]
    rows = []
    for level, scope_id, label, scores in scopes:
        before = Side.of(others.get((level, scope_id)))
        now = Side.of(scores.all_raters.figures)
        reason = pair_displayable(before, now, k)
        own_before = own.get((level, scope_id))
        rows.append(
            ChangeRow(
                level=level,
                scope_id=scope_id,
                label=label,
                earlier=before,
                current=now,
                earlier_self=own_before.mean if own_before else None,
                current_self=scores.self_score,
                reason=reason,
                # (pair_displayable gives "" only when both sides exist)
                noise=welch(before, now) if not reason and before and now else None,
            )
        )
    return ThemeChange(
        earlier_programme=programme.name,
        earlier_released_on=version.released_at,
        k=k,
        rows=tuple(rows),
    )
