"""The shape of the rating form: one short page per quality of a framework version (a
theme's comment box on the last page of the theme), then a review.

A page is named by its theme and its part (the quality's place in the theme, from 1):
``form/<theme>/`` is the theme's first quality, ``form/<theme>/<part>/`` the others. A page
saves whatever statements of its theme it posts, so the draft is kept between pages.

Shared by the leader's self-assessment and the rater form. Reads only: what the pages are,
which statements each holds, and how far a set of saved answers has got.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from config.compiled import CompiledLookup
from framework.models import Framework, Quality, ScalePoint, Statement, Theme, framework_in_use
from framework.selectors import framework_with_contents

from ..models import COMMENT_MAX_LENGTH, Draft

# In the HTML form "Not observed" needs a value of its own (an empty value would read as
# "not answered"); in drafts it is "" and in ratings NULL.
NOT_OBSERVED_FIELD_VALUE = "not-observed"
NOT_OBSERVED = ""


@dataclass(frozen=True)
class ThemeProgress:
    theme: Theme
    number: int  # the page number, from 1
    statements: list[Statement]
    answered: int
    missing: list[Statement] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.statements)

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class RatingOutline:
    """A framework version as form pages, loaded once per request."""

    framework: Framework
    themes: list[Theme]
    points: list[ScalePoint]
    question: str

    @property
    def page_count(self) -> int:
        return len(self.pages) + 1  # the review page

    @cached_property
    def pages(self) -> list[tuple[Theme, int, Quality]]:
        """(theme, part, quality) of each form page, in order; part counts from 1."""
        return [
            (theme, part, quality)
            for theme in self.themes
            for part, quality in enumerate(theme.qualities.all(), start=1)
        ]

    @property
    def quality_count(self) -> int:
        return len(self.pages)

    @cached_property
    def _page_indexes(self) -> dict[tuple[int, int], int]:
        return {(t.pk, p): i for i, (t, p, _q) in enumerate(self.pages)}

    def page_index(self, theme: Theme, part: int) -> int | None:
        """The page's place in ``pages`` (from 0), or None if the theme has no such part."""
        return self._page_indexes.get((theme.pk, part))

    def quality_at(self, theme: Theme, part: int) -> Quality | None:
        index = self.page_index(theme, part)
        return None if index is None else self.pages[index][2]

    def parts_of(self, theme: Theme) -> int:
        return len(theme.qualities.all())

    def neighbour(self, theme: Theme, part: int, step: int) -> tuple[Theme, int] | None:
        """The (theme, part) ``step`` pages away (-1 previous, +1 next); None past an end."""
        index = self.page_index(theme, part)
        if index is None or not 0 <= index + step < len(self.pages):
            return None
        following = self.pages[index + step]
        return following[0], following[1]

    def part_of(self, statement: Statement) -> tuple[Theme, int]:
        """The page a statement is asked on."""
        for theme, part, quality in self.pages:
            if statement.quality_id == quality.pk:
                return theme, part
        raise ValueError(f"{statement.pk} is not in this form")

    @cached_property
    def statement_count(self) -> int:
        return sum(len(self.statements_of(theme)) for theme in self.themes)

    @property
    def scale_values(self) -> set[int]:
        return {p.value for p in self.points if p.value is not None}

    @cached_property
    def statement_keys(self) -> frozenset[str]:
        """The ids of the form's statements, as drafts and form fields spell them."""
        return frozenset(str(s.pk) for theme in self.themes for s in self.statements_of(theme))

    @cached_property
    def theme_keys(self) -> frozenset[str]:
        return frozenset(str(theme.pk) for theme in self.themes)

    @cached_property
    def fragments(self) -> dict:
        """Markup rendered from this outline alone, kept with it (see ThemeRatingForm)."""
        return {}

    def theme(self, slug: str) -> Theme | None:
        return next((t for t in self.themes if t.slug == slug), None)

    def number_of(self, theme: Theme) -> int:
        return self.themes.index(theme) + 1

    def previous_theme(self, theme: Theme) -> Theme | None:
        index = self.themes.index(theme)
        return self.themes[index - 1] if index > 0 else None

    def next_theme(self, theme: Theme) -> Theme | None:
        index = self.themes.index(theme)
        return self.themes[index + 1] if index + 1 < len(self.themes) else None

    @cached_property
    def _statements_by_theme(self) -> dict[int, tuple[Statement, ...]]:
        return {
            theme.pk: tuple(s for q in theme.qualities.all() for s in q.statements.all())
            for theme in self.themes
        }

    def statements_of(self, theme: Theme) -> list[Statement]:
        # Every form page asks several times; the outline's themes are listed once.
        found = self._statements_by_theme.get(theme.pk)
        if found is None:
            return [s for q in theme.qualities.all() for s in q.statements.all()]
        return list(found)

    def progress(self, answers: dict) -> list[ThemeProgress]:
        result = []
        for number, theme in enumerate(self.themes, start=1):
            statements = self.statements_of(theme)
            missing = [s for s in statements if str(s.pk) not in answers]
            result.append(
                ThemeProgress(
                    theme=theme,
                    number=number,
                    statements=statements,
                    answered=len(statements) - len(missing),
                    missing=missing,
                )
            )
        return result

    def answered_count(self, answers: dict) -> int:
        # As sum(p.answered for p in self.progress(answers)), without building the progress.
        return len(self.statement_keys.intersection(answers))

    def missing_statements(self, answers: dict) -> list[Statement]:
        return [s for p in self.progress(answers) for s in p.missing]

    def first_incomplete_theme(self, answers: dict) -> Theme | None:
        """The first theme with an unanswered statement (None: all done)."""
        return next((p.theme for p in self.progress(answers) if not p.complete), None)

    def first_incomplete_page(self, answers: dict) -> tuple[Theme, int] | None:
        """Where to resume: the first page with an unanswered statement (None: all done)."""
        for theme, part, quality in self.pages:
            if any(str(s.pk) not in answers for s in quality.statements.all()):
                return theme, part
        return None

    def label_for(self, value) -> str:
        """The scale label for a saved answer ("" is Not observed)."""
        wanted = None if value in (NOT_OBSERVED, None) else value
        return next((p.label for p in self.points if p.value == wanted), "")


# Each process keeps the outline of the framework versions in use that it has read: such a
# version is frozen (framework.models, and a PostgreSQL trigger), so its outline cannot go
# stale, and every form page then costs no framework queries. A version not yet in use may
# still be edited, so it is read afresh each time; any save or delete of a framework row in
# this process empties the cache anyway (``outline_cache_clear``, connected in apps.py).
_OUTLINES: dict[int, RatingOutline] = {}


def rating_outline(
    *, framework: Framework | None = None, framework_id: int | None = None
) -> RatingOutline:
    """The framework version as form pages (5 queries the first time, then none). Give the
    version or, where only its id was read (the rater's pages), its id."""
    key = framework.pk if framework is not None else framework_id
    assert key is not None, "give the framework version or its id"
    outline = _OUTLINES.get(key)
    if outline is not None:
        return outline
    framework = framework_with_contents(framework=framework or Framework(pk=key))
    scale = framework.scale
    outline = RatingOutline(
        framework=framework,
        themes=list(framework.themes.all()),
        points=list(scale.points.all()),
        question=scale.question,
    )
    if framework_in_use(framework.pk):
        _OUTLINES[framework.pk] = outline
    return outline


def outline_cache_clear(**kwargs) -> None:
    _OUTLINES.clear()


# Building the pages. Both forms (self and rater) render the same templates; a FormPlace
# says where the pages live and in whose voice they speak.


@dataclass(frozen=True)
class FormPlace:
    title: str  # "Your self-assessment" or "Feedback for Alex Leader"
    question_prefix: str  # "Thinking about Alex Leader:", before the scale's question
    comment_hint: str
    page_url: Callable[..., str]  # page_url(theme, part=1)
    review_url: str
    decline_url: str = ""
    offers_not_observed: bool = True  # not to a leader assessing themselves


NAVIGATION_ACTIONS = ("next", "previous", "save", "review")


# A rater's draft, by its invitation (a one-to-one): SQL compiled once per process, as the
# invitation's own lookup is, for every page of the rater's form (issue 15, item 9).
_RATER_DRAFT = CompiledLookup(Draft.objects.order_by(), lookup="invitation_id")


def draft_for(*, assessment, invitation=None) -> Draft | None:
    if invitation is not None:
        draft = _RATER_DRAFT.get(invitation.pk)
        return draft if draft is not None and draft.assessment_id == assessment.pk else None
    # At most one row (the one self draft): no ORDER BY to compile.
    drafts = Draft.objects.filter(assessment=assessment, invitation__isnull=True).order_by()
    return next(iter(drafts[:1]), None)


def draft_contents(*, assessment, invitation=None) -> tuple[dict, dict]:
    """(answers, comments) saved so far; empty when nothing is saved."""
    draft = draft_for(assessment=assessment, invitation=invitation)
    if draft is None:
        return {}, {}
    answers, comments = draft.contents()  # the box opened once, not once for each
    return dict(answers), dict(comments)


def resume_url(*, place: FormPlace, outline: RatingOutline, answers: dict) -> str:
    page = outline.first_incomplete_page(answers)
    return place.page_url(*page) if page is not None else place.review_url


def url_after_save(
    *, place: FormPlace, outline: RatingOutline, theme: Theme, action: str, part: int = 1
) -> str:
    """Where a page's buttons lead once its answers are saved."""
    if action == "previous":
        previous = outline.neighbour(theme, part, -1)
        return place.page_url(*previous) if previous else place.page_url(theme, part)
    if action == "next":
        following = outline.neighbour(theme, part, +1)
        return place.page_url(*following) if following else place.review_url
    if action == "review":
        return place.review_url
    return place.page_url(theme, part) + "?saved=1"


def question_hint(*, place: FormPlace, outline: RatingOutline) -> str:
    """The scale's question in the form's voice, shown with every statement."""
    question = outline.question
    if place.question_prefix and question:
        question = question[0].lower() + question[1:]
    return f"{place.question_prefix} {question}".strip()


def page_context(
    *,
    place: FormPlace,
    outline: RatingOutline,
    theme: Theme,
    form,
    answers: dict,
    saved: bool,
    part: int = 1,
) -> dict:
    previous = outline.neighbour(theme, part, -1)
    following = outline.neighbour(theme, part, +1)
    index = outline.page_index(theme, part)
    assert index is not None, "the views only render pages of the outline"
    return {
        "question_hint": question_hint(place=place, outline=outline),
        "place": place,
        "outline": outline,
        "theme": theme,
        "quality": form.quality,
        "form": form,
        "groups": form.groups(),
        "error_links": form.error_links(),
        "page_number": index + 1,
        "page_count": outline.page_count,
        "quality_count": outline.quality_count,
        "answered": outline.answered_count(answers),
        "statement_count": outline.statement_count,
        "answered_on_page": form.answered_on_page(),
        "statements_on_page": len(form.shown_statements),
        "asks_comment": form.asks_comment,
        "previous_page": outline.quality_at(*previous) if previous else None,
        "next_page": outline.quality_at(*following) if following else None,
        "form_action": place.page_url(theme, part),
        "saved": saved,
        "comment_max": COMMENT_MAX_LENGTH,
        "comment_max_display": f"{COMMENT_MAX_LENGTH:,}",
    }


@dataclass(frozen=True)
class ReviewRow:
    statement: Statement
    answer: str  # the scale label, or "" when unanswered
    href: str


@dataclass(frozen=True)
class ReviewQuality:
    quality: Quality
    href: str
    rows: list[ReviewRow]

    @property
    def answered(self) -> int:
        return sum(1 for row in self.rows if row.answer)

    @property
    def missing(self) -> int:
        return len(self.rows) - self.answered


@dataclass(frozen=True)
class ReviewTheme:
    progress: ThemeProgress
    href: str
    qualities: list[ReviewQuality]
    comment: str
    comment_href: str

    @property
    def rows(self) -> list[ReviewRow]:
        return [row for quality in self.qualities for row in quality.rows]


def review_context(
    *,
    place: FormPlace,
    outline: RatingOutline,
    answers: dict,
    comments: dict,
    missing: list[int] | None = None,
) -> dict:
    """The review page, quality by quality; ``missing`` (statement ids) after a refused
    submit. Each quality is one line (how many answered, a link to change them), its
    answers folded beneath it, so the page stays short on a phone."""
    themes = []
    for progress in outline.progress(answers):
        theme = progress.theme
        qualities = []
        for part, quality in enumerate(theme.qualities.all(), start=1):
            href = place.page_url(theme, part)
            rows = [
                ReviewRow(
                    statement=s,
                    answer=outline.label_for(answers[str(s.pk)]) if str(s.pk) in answers else "",
                    href=f"{href}#s-{s.pk}-1",
                )
                for s in quality.statements.all()
            ]
            qualities.append(ReviewQuality(quality=quality, href=href, rows=rows))
        last = place.page_url(theme, outline.parts_of(theme))
        themes.append(
            ReviewTheme(
                progress=progress,
                href=place.page_url(theme),
                qualities=qualities,
                comment=comments.get(str(theme.pk), ""),
                comment_href=f"{last}#comment",
            )
        )
    error_links = []
    if missing:
        wanted = set(missing)
        error_links = [
            (row.href, f"Answer “{row.statement}” in {review.progress.theme.name}")
            for review in themes
            for row in review.rows
            if row.statement.pk in wanted
        ]
    last_page = outline.pages[-1] if outline.pages else None
    return {
        "place": place,
        "outline": outline,
        "themes": themes,
        "answered": outline.answered_count(answers),
        "statement_count": outline.statement_count,
        "page_number": outline.page_count,
        "page_count": outline.page_count,
        "error_links": error_links,
        "last_quality": last_page[2] if last_page else None,
        "last_page_url": place.page_url(last_page[0], last_page[1]) if last_page else "",
        "form_action": place.review_url,
    }


def self_response_summary(*, outline: RatingOutline, response) -> list[dict]:
    """A submitted self response, theme by theme, for the leader's read-only summary."""
    values = dict(response.ratings.values_list("statement_id", "value"))
    comments = dict(response.comments.values_list("theme_id", "text"))
    return [
        {
            "theme": theme,
            "rows": [
                (s, outline.label_for(values.get(s.pk)) if s.pk in values else "")
                for s in outline.statements_of(theme)
            ],
            "comment": comments.get(theme.pk, ""),
        }
        for theme in outline.themes
    ]
