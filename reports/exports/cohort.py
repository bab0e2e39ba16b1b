"""The programme-level aggregate: cohort figures per statement, quality and theme.

Built only from what the leaders' reports show: for each scope, the All raters' figures of
every leader whose report shows them there (and who holds at least one rating there) are
added up - the SQL sums the aggregation keeps (``Figures``), so the cohort mean is the mean
of all those ratings, every rating weighing the same, as PRODUCT.md defines a score. The
leaders' self-assessments are pooled the same way. Nothing hidden in a leader's report
enters, and nothing is read from raw ratings.

A cohort figure is shown only where at least k (the programme's anonymity threshold)
leaders contribute to it; otherwise it is left empty with the reason, so a cohort figure
never stands for one or two leaders.
"""

from dataclasses import dataclass
from decimal import Decimal

from ..aggregation import Figures
from ..numbering import theme_number

KIND_NOUNS = {"theme": "theme", "quality": "quality", "statement": "statement"}

COHORT_HEADER = (
    "level",
    "number",
    "theme",
    "quality",
    "statement",
    "leaders",
    "raters",
    "ratings",
    "all raters' mean",
    "sd",
    "leaders with self-assessment",
    "self mean",
    "suppressed",
    "suppression reason",
)


@dataclass(frozen=True)
class CohortFigure:
    """One scope's cohort figures, or why they are not shown."""

    level: str  # theme, quality or statement
    number: str
    theme: str
    quality: str
    text: str  # the statement's text, or the quality's or theme's name
    leaders: int  # leaders whose All raters' figures are shown here with ratings
    figures: Figures | None  # pooled; None when fewer than k leaders contribute
    self_leaders: int
    self_figures: Figures | None
    reason: str = ""

    @property
    def shown(self) -> bool:
        return self.figures is not None

    @property
    def raters(self) -> int | None:
        return self.figures.n if self.figures else None

    @property
    def mean(self) -> Decimal | None:
        return self.figures.mean if self.figures else None

    @property
    def sd(self) -> Decimal | None:
        return self.figures.sd if self.figures else None

    @property
    def self_mean(self) -> Decimal | None:
        return self.self_figures.mean if self.self_figures else None


def cohort_figures(data) -> tuple[CohortFigure, ...]:
    """Every theme, then its qualities, each followed by its statements, in report order."""
    others: dict[tuple, list[Figures]] = {}
    own: dict[tuple, list[Figures]] = {}
    for leader in data.leaders:
        for theme in leader.report.themes:
            _collect(others, own, ("theme", theme.theme.pk), theme.scores)
            for quality in theme.qualities:
                _collect(others, own, ("quality", quality.quality.pk), quality.scores)
                for item in quality.statements:
                    _collect(others, own, ("statement", item.statement.pk), item.scores)

    def figure(level, pk, number, theme, quality="", text=""):
        key = (level, pk)
        return _figure(
            level, number, theme, quality, text, others.get(key, []), own.get(key, []), data.k
        )

    rows = []
    theme_seen, quality_seen = set(), set()
    for statement in data.statements:
        quality = statement.quality
        theme = quality.theme
        if theme.pk not in theme_seen:
            theme_seen.add(theme.pk)
            rows.append(figure("theme", theme.pk, theme_number(theme), theme.name, text=theme.name))
        number = data.statement_numbers[statement.pk]
        if quality.pk not in quality_seen:
            quality_seen.add(quality.pk)
            quality_number = number.rsplit(".", 1)[0]
            rows.append(
                figure(
                    "quality", quality.pk, quality_number, theme.name, quality.name, quality.name
                )
            )
        rows.append(
            figure("statement", statement.pk, number, theme.name, quality.name, statement.text)
        )
    return tuple(rows)


def _collect(others, own, key, scores) -> None:
    everyone = scores.all_raters
    if everyone.shown and everyone.figures.ratings:
        others.setdefault(key, []).append(everyone.figures)
    if scores.self_figures is not None and scores.self_figures.ratings:
        own.setdefault(key, []).append(scores.self_figures)


def _figure(level, number, theme, quality, text, others, own, k) -> CohortFigure:
    noun = KIND_NOUNS[level]
    reasons = []
    pooled = None
    if len(others) >= k:
        pooled = sum(others, Figures())
    else:
        reasons.append(
            f"All raters: not shown because fewer than {k} leaders' reports show figures "
            f"for this {noun}"
        )
    pooled_self = None
    if len(own) >= k:
        pooled_self = sum(own, Figures())
    else:
        reasons.append(
            f"Self: not shown because fewer than {k} leaders rated themselves on this {noun}"
        )
    return CohortFigure(
        level=level,
        number=number,
        theme=theme,
        quality=quality,
        text=text,
        leaders=len(others),
        figures=pooled,
        self_leaders=len(own),
        self_figures=pooled_self,
        reason="; ".join(reasons),
    )


def cohort_rows(figures) -> list[tuple]:
    """The cohort table's rows (``COHORT_HEADER``)."""
    return [
        (
            f.level,
            f.number,
            f.theme,
            f.quality,
            f.text if f.level == "statement" else "",
            f.leaders,
            f.raters,
            f.figures.ratings if f.figures else None,
            f.mean,
            f.sd,
            f.self_leaders,
            f.self_mean,
            "yes" if f.reason else "no",
            f.reason,
        )
        for f in figures
    ]
