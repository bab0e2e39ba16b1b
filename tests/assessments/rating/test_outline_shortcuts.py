"""What the form pages read from the outline and the draft by shortcut (issue 15, item 9)
is what the long way gives: counts, page places, each form's own fields, the rater's draft."""

import random

from assessments.forms.rating import ThemeRatingForm, statement_field_name
from assessments.models import Draft
from assessments.services.rating_form import draft_contents, draft_for
from tests import factories

from .builders import invite


def test_the_answered_count_is_the_sum_over_the_themes(outline):
    rng = random.Random(3)
    statements = [s for theme in outline.themes for s in outline.statements_of(theme)]
    for share in (0, 0.3, 1):
        answers = {str(s.pk): 3 for s in statements if rng.random() < share}
        answers["not-a-statement"] = 1  # an old draft's leftover counts for nothing
        expected = sum(p.answered for p in outline.progress(answers))
        assert outline.answered_count(answers) == expected
    assert outline.statement_count == len(statements) == 39


def test_every_page_is_found_at_its_place(outline):
    for index, (theme, part, quality) in enumerate(outline.pages):
        assert outline.page_index(theme, part) == index
        assert outline.quality_at(theme, part) == quality
    theme = outline.themes[0]
    assert outline.page_index(theme, outline.parts_of(theme) + 1) is None


def test_the_statements_of_a_theme_are_a_list_of_its_own(outline):
    theme = outline.themes[0]
    mine = outline.statements_of(theme)
    mine.clear()
    assert len(outline.statements_of(theme)) == len(outline.statements_of(outline.themes[0])) > 0


def test_each_form_has_its_own_fields_validating_as_before(outline):
    theme = outline.themes[0]
    statement = outline.statements_of(theme)[0]
    name = statement_field_name(statement)
    good = ThemeRatingForm({name: "3"}, outline=outline, theme=theme)
    bad = ThemeRatingForm({name: "9"}, outline=outline, theme=theme)
    assert good.is_valid() and good.answers() == {str(statement.pk): 3}
    assert not bad.is_valid()
    assert bad.errors[name] == ["Choose one of the answers given for this statement"]
    assert good.fields[name] is not bad.fields[name]
    bad.fields[name].required = True
    assert ThemeRatingForm({}, outline=outline, theme=theme).is_valid()
    without = ThemeRatingForm(
        {name: "not-observed"}, outline=outline, theme=theme, not_observed=False
    )
    assert not without.is_valid()


def test_a_raters_draft_is_found_by_its_invitation_within_its_assessment(assessment):
    invitation, _ = invite(assessment, name="Pam Peer", email="pam.peer@example.org")
    assert draft_for(assessment=assessment, invitation=invitation) is None
    Draft.objects.create(
        assessment=assessment, invitation=invitation, answers={"1": 4}, comments={"2": "Kind"}
    )
    assert draft_contents(assessment=assessment, invitation=invitation) == (
        {"1": 4},
        {"2": "Kind"},
    )
    other = factories.AssessmentFactory(programme=assessment.programme)
    assert draft_for(assessment=other, invitation=invitation) is None
    assert draft_contents(assessment=other, invitation=invitation) == ({}, {})
