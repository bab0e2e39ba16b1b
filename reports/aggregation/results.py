"""What an aggregation result holds: frozen dataclasses, full precision, display rounding.

Scores are defined as in PRODUCT.md: a group's score for a statement, quality or theme is the
mean of all its ratings in that scope ("Not observed" excluded), every rating weighing the
same - not a mean of statement means. Means and spreads are ``Decimal`` at full precision;
``one_decimal`` rounds for display, half away from zero (2.25 -> 2.3, -2.25 -> -2.3), never
Python's banker's rounding.

The gap is the one figure derived from others: it is the difference of the two scores as
they are shown, each rounded to one decimal first (You 4.3, All raters 4.2: gap +0.1, even
when the unrounded means differ by 0.17). A reader who subtracts the printed figures gets
the printed gap, in the web page, the PDFs and every export alike. Being made from shown
figures only, it reveals nothing they do not.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import overload

from framework.models import Quality, Statement, Theme

TENTH = Decimal("0.1")


@overload
def one_decimal(value: None) -> None: ...
@overload
def one_decimal(value: Decimal | float | str) -> Decimal: ...
def one_decimal(value: Decimal | float | str | None) -> Decimal | None:
    """``value`` rounded to one decimal place, half away from zero; None stays None."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(str(value))  # str: 2.35 as typed, not its binary neighbour
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def format_score(value, missing: str = "\u2013") -> str:
    rounded = one_decimal(value)
    return missing if rounded is None else f"{rounded}"


def format_gap(value, missing: str = "\u2013") -> str:
    """A signed gap for display: "+0.8", "0.0", and a real minus sign (U+2212) below 0."""
    rounded = one_decimal(value)
    if rounded is None:
        return missing
    if rounded == 0:
        return "0.0"
    return f"+{rounded}" if rounded > 0 else f"\u2212{-rounded}"


@dataclass(frozen=True)
class Figures:
    """One set of raters' figures for one scope, straight from the SQL sums.

    ``respondents``: raters who answered in scope (a rating or "Not observed"); ``n``:
    raters who gave at least one rating; ``ratings``: how many ratings (``n`` for a
    statement); ``total`` and ``total_of_squares``: their sum and sum of squares.
    """

    respondents: int = 0
    n: int = 0
    ratings: int = 0
    total: int = 0
    total_of_squares: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        # Only ever applied to disjoint sets of raters, so distinct counts add up too.
        return Figures(
            self.respondents + other.respondents,
            self.n + other.n,
            self.ratings + other.ratings,
            self.total + other.total,
            self.total_of_squares + other.total_of_squares,
        )

    @property
    def mean(self) -> Decimal | None:
        return Decimal(self.total) / Decimal(self.ratings) if self.ratings else None

    @property
    def sd(self) -> Decimal | None:
        """The sample standard deviation of the ratings (divisor ratings - 1); None below 2.

        From the sums: variance = (N * sum(x^2) - sum(x)^2) / (N * (N - 1)), exact in integers.
        """
        count = self.ratings
        if count < 2:
            return None
        spread = count * self.total_of_squares - self.total * self.total
        return (Decimal(spread) / Decimal(count * (count - 1))).sqrt()

    @property
    def not_observed(self) -> int:
        """Respondents who gave no rating in scope ("Not observed" throughout)."""
        return self.respondents - self.n


@dataclass(frozen=True)
class GroupFigures:
    """A displayed group's figures in one scope, or why they are not shown there."""

    key: str
    label: str
    figures: Figures | None
    reason: str = ""

    @property
    def shown(self) -> bool:
        return self.figures is not None

    @property
    def mean(self) -> Decimal | None:
        return self.figures.mean if self.figures else None

    @property
    def sd(self) -> Decimal | None:
        return self.figures.sd if self.figures else None

    @property
    def n(self) -> int | None:
        return self.figures.n if self.figures else None

    @property
    def respondents(self) -> int | None:
        return self.figures.respondents if self.figures else None

    @property
    def not_observed(self) -> int | None:
        return self.figures.not_observed if self.figures else None

    @property
    def coverage(self) -> str:
        """E.g. "7 of 9 raters could observe this"; empty when not shown."""
        if not self.figures:
            return ""
        noun = "rater" if self.figures.respondents == 1 else "raters"
        return f"{self.figures.n} of {self.figures.respondents} {noun} could observe this"


@dataclass(frozen=True)
class Scores:
    """Self, All raters (everyone but self), the line manager and each displayed group."""

    self_figures: Figures | None
    all_raters: GroupFigures
    line_manager: GroupFigures | None  # None when no line manager responded
    groups: tuple[GroupFigures, ...]

    @property
    def self_score(self) -> Decimal | None:
        return self.self_figures.mean if self.self_figures else None

    @property
    def gap(self) -> Decimal | None:
        """Self minus All raters' mean as shown (each rounded to one decimal first); None
        when either is missing or not shown."""
        own, others = self.self_score, self.all_raters.mean
        if own is None or others is None:
            return None
        return one_decimal(own) - one_decimal(others)

    @property
    def suppressed(self) -> tuple[GroupFigures, ...]:
        return tuple(g for g in (self.all_raters, *self.groups) if not g.shown)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(g.reason for g in self.suppressed)

    def group(self, key: str) -> GroupFigures | None:
        return next((g for g in self.groups if g.key == key), None)


@dataclass(frozen=True)
class StatementResult:
    statement: Statement
    position: tuple[int, int, int]  # theme, quality and statement order: a stable sort key
    scores: Scores


@dataclass(frozen=True)
class QualityResult:
    quality: Quality
    scores: Scores
    statements: tuple[StatementResult, ...]


@dataclass(frozen=True)
class ThemeComments:
    """Raters' comments on a theme: pooled, unattributed, in an order unrelated to submission."""

    shown: bool
    comments: tuple[str, ...]
    own: tuple[str, ...]  # the leader's own comments ("Your comments")
    reason: str = ""  # why raters' comments are not shown
    line_manager: tuple[str, ...] = ()  # the line manager's, shown apart as theirs


@dataclass(frozen=True)
class GroupPlacement:
    """How one rater group appears in the report, for the report's notes."""

    group: str
    label: str
    how: str  # see reports.aggregation.disclosure: alone, pooled, in_all, merged
    note: str


@dataclass(frozen=True)
class ThemeResult:
    theme: Theme
    threshold: int  # k
    scores: Scores
    qualities: tuple[QualityResult, ...]
    comments: ThemeComments
    placements: tuple[GroupPlacement, ...] = ()
    notes: tuple[str, ...] = ()  # assessment-wide notes (which groups are shown, and how)

    @property
    def statements(self) -> tuple[StatementResult, ...]:
        return tuple(s for q in self.qualities for s in q.statements)


@dataclass(frozen=True)
class AssessmentReport:
    assessment_id: int
    threshold: int
    themes: tuple[ThemeResult, ...]
    placements: tuple[GroupPlacement, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def statements(self) -> tuple[StatementResult, ...]:
        return tuple(s for t in self.themes for s in t.statements)

    def theme(self, theme: Theme) -> ThemeResult:
        return next(t for t in self.themes if t.theme.pk == theme.pk)
