"""The form for one page of the rating form: the statements of one quality, and on the
last quality of a theme the comment on that theme.

It accepts any statement of the page's theme (so a post from the whole theme is saved
whole), and shows only those of its quality. The template writes the NHS.UK radios by hand
from ``groups()``; this class only decides which values are acceptable. Statements may be
left unanswered while someone moves between pages (the review page insists on them); a
value that is not on the scale, or a comment over the limit, is an error that keeps
everything typed.
"""

import copy
from dataclasses import dataclass
from typing import cast

from django import forms
from django.template.loader import render_to_string
from django.utils.formats import number_format

from assessments.models import COMMENT_MAX_LENGTH
from assessments.services.rating_form import (
    NOT_OBSERVED,
    NOT_OBSERVED_FIELD_VALUE,
    RatingOutline,
)
from framework.models import Quality, Statement, Theme

COMMENT_FIELD = "comment"


def statement_field_name(statement: Statement) -> str:
    return f"s-{statement.pk}"


def statement_anchor(statement: Statement) -> str:
    """The id of the first radio of a statement: where error links point."""
    return f"s-{statement.pk}-1"


@dataclass(frozen=True)
class RadioOption:
    id: str
    value: str
    label: str
    checked: bool
    is_not_observed: bool


@dataclass(frozen=True)
class StatementRow:
    statement: Statement
    name: str
    radios: str  # the radios' markup, safe
    error: str

    @property
    def id(self) -> str:
        return self.name


@dataclass(frozen=True)
class QualityGroup:
    quality: Quality
    rows: list[StatementRow]


def _answer_field(outline: RatingOutline, not_observed: bool) -> forms.ChoiceField:
    """The field every statement of ``outline`` is answered with, made once per outline:
    building a ChoiceField (its choices normalised twice, for the field and its widget) 12
    times a page was a tenth of a form page's cost. Each form takes a shallow copy."""
    key = ("answer-field", not_observed)
    field = outline.fragments.get(key)
    if field is None:
        choices = [
            (NOT_OBSERVED_FIELD_VALUE if p.value is None else str(p.value), p.label)
            for p in outline.points
            if p.value is not None or not_observed
        ]
        field = forms.ChoiceField(
            choices=choices,
            required=False,
            error_messages={"invalid_choice": "Choose one of the answers given for this statement"},
        )
        outline.fragments[key] = field
    return field


class ThemeRatingForm(forms.Form):
    def __init__(
        self,
        data=None,
        *,
        outline: RatingOutline,
        theme: Theme,
        answers: dict | None = None,
        comment: str = "",
        not_observed: bool = True,
        quality: Quality | None = None,
    ):
        """``not_observed``: whether "Not observed" is offered (a rater may not have seen
        a behaviour; a leader assessing themselves always has). ``quality``: the one the
        page shows (None: the whole theme); the comment box is on the theme's last."""
        self.outline = outline
        self.theme = theme
        self.statements = outline.statements_of(theme)
        self.not_observed = not_observed
        qualities = list(theme.qualities.all())
        self.quality = quality
        self.shown_qualities = [quality] if quality is not None else qualities
        self.shown_statements = [s for q in self.shown_qualities for s in q.statements.all()]
        # A comment posted from another page (an old tab) is shown too, so nothing is lost.
        self.asks_comment = (
            quality is None or quality == qualities[-1] or COMMENT_FIELD in (data or {})
        )
        initial = {COMMENT_FIELD: comment}
        for statement in self.statements:
            saved = (answers or {}).get(str(statement.pk))
            if saved is not None:
                initial[statement_field_name(statement)] = (
                    NOT_OBSERVED_FIELD_VALUE if saved == NOT_OBSERVED else str(saved)
                )
        super().__init__(data, initial=initial)
        answer = _answer_field(outline, not_observed)
        for statement in self.statements:
            self.fields[statement_field_name(statement)] = copy.copy(answer)
        # No max_length on the field: the browser would cut a pasted text short silently.
        self.fields[COMMENT_FIELD] = forms.CharField(required=False, strip=True)

    def clean_comment(self):
        text = self.cleaned_data[COMMENT_FIELD]
        if len(text) > COMMENT_MAX_LENGTH:
            raise forms.ValidationError(
                "Your comment must be %(limit)s characters or fewer: it has %(length)s",
                params={
                    "limit": number_format(COMMENT_MAX_LENGTH, force_grouping=True),
                    "length": number_format(len(text), force_grouping=True),
                },
            )
        return text

    # What the service saves.

    def answers(self) -> dict:
        """Statement id → value or "" (Not observed), for the statements answered here.

        An unanswered statement is left out rather than cleared: a radio cannot be unticked,
        so a missing answer only ever comes from a stale tab, which must not wipe out what
        was saved from another one.
        """
        result: dict[str, int | str] = {}
        for statement in self.statements:
            raw = self.cleaned_data.get(statement_field_name(statement)) or ""
            if raw == NOT_OBSERVED_FIELD_VALUE:
                result[str(statement.pk)] = NOT_OBSERVED
            elif raw:
                result[str(statement.pk)] = int(raw)
        return result

    def comments(self) -> dict:
        """The theme's comment, if the page posted its box (only the theme's last page has
        it: the other pages leave the comment as it is)."""
        if COMMENT_FIELD not in self.data:
            return {}
        return {str(self.theme.pk): self.cleaned_data.get(COMMENT_FIELD, "")}

    # What the template shows.

    def _current(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(name, ""))
        return str(self.initial.get(name, ""))

    def comment_value(self) -> str:
        return self._current(COMMENT_FIELD)

    def comment_error(self) -> str:
        return " ".join(map(str, self.errors.get(COMMENT_FIELD, []))) if self.is_bound else ""

    def groups(self) -> list[QualityGroup]:
        groups = []
        for quality in self.shown_qualities:
            rows = []
            for statement in quality.statements.all():
                name = statement_field_name(statement)
                error = " ".join(map(str, self.errors.get(name, []))) if self.is_bound else ""
                radios = self._radios(name, self._current(name))
                rows.append(
                    StatementRow(statement=statement, name=name, radios=radios, error=error)
                )
            groups.append(QualityGroup(quality=quality, rows=rows))
        return groups

    def _radios(self, name: str, current: str) -> str:
        """A statement's radios with ``current`` ticked. The markup depends only on the
        statement and the answer, so it is rendered once per outline (which each process
        keeps for a framework version in use) and reused: most of a form page's cost
        otherwise."""
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        choices = cast(list[tuple[str, str]], field.choices)
        if current not in (value for value, _ in choices):
            current = ""  # nothing ticked; and a posted oddity cannot grow the cache
        key = ("radios", name, current, self.not_observed)
        markup = self.outline.fragments.get(key)
        if markup is None:
            options = [
                RadioOption(
                    id=f"{name}-{index}",
                    value=value,
                    label=label,
                    checked=value == current,
                    is_not_observed=value == NOT_OBSERVED_FIELD_VALUE,
                )
                for index, (value, label) in enumerate(choices, start=1)
            ]
            context = {"name": name, "options": options}
            markup = render_to_string("assessments/rating/_radios.html", context)
            self.outline.fragments[key] = markup
        return markup

    def error_links(self) -> list[tuple[str, str]]:
        """(href, message) for the error summary, in page order."""
        if not self.is_bound or self.is_valid():
            return []
        links: list[tuple[str, str]] = []
        for statement in self.statements:
            for message in self.errors.get(statement_field_name(statement), []):
                links.append((f"#{statement_anchor(statement)}", f"{message}: “{statement}”"))
        for message in self.errors.get(COMMENT_FIELD, []):
            links.append((f"#{COMMENT_FIELD}", str(message)))
        return links

    def answered_on_page(self) -> int:
        return sum(1 for s in self.shown_statements if self._current(statement_field_name(s)))


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Tell us why (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="Your reason goes to the team running the programme.",
    )

    def clean_reason(self):
        text = self.cleaned_data["reason"]
        if len(text) > COMMENT_MAX_LENGTH:
            raise forms.ValidationError(
                "Your reason must be %(limit)s characters or fewer: it has %(length)s",
                params={
                    "limit": number_format(COMMENT_MAX_LENGTH, force_grouping=True),
                    "length": number_format(len(text), force_grouping=True),
                },
            )
        return text
