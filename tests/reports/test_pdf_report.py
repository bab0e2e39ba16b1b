"""The theme PDF: what a leader reads, rendered for real and read back with pypdf."""

import io
import time

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from assessments.models import RaterGroup, ThemeComment
from framework.models import Statement
from reports.pdf import pdf_render
from reports.report_context import THEME_REPORT_TEMPLATE, theme_report_content
from tests.factories import AssessmentFactory, ProgrammeFactory, ResponseFactory

SCRIPT_COMMENT = "Great at co-production <script>alert('x')</script> and <b>listening</b>."
PLAIN_COMMENT = "Alex creates space for honest conversations, even when they are hard."


def _value(group: str, index: int, person: int) -> int | None:
    """A realistic pattern: a blind spot on the 1st statement of each quality, a hidden
    strength on the 2nd, broad agreement elsewhere, one direct report who could not observe."""
    position = index % 3
    if group == "self":
        return {0: 5, 1: 2}.get(position, 4)
    if group == "direct_report" and person == 0 and position == 2:
        return None
    if position == 0:
        return 2 + (person + index) % 2  # 2 or 3
    if position == 1:
        return 4 + (person + index) % 2  # 4 or 5
    return 3 + (person + index) % 3  # 3, 4 or 5


def assessment_with_feedback(*, framework, leader, programme=None):
    """An assessment with a self-assessment, a line manager, 4 peers, 2 direct reports (under
    k = 3) and 3 others, rated on every statement, with comments on the Being theme."""
    programme = programme or ProgrammeFactory(
        framework=framework, name="North West Leadership Cohort 2025"
    )
    assessment = AssessmentFactory(programme=programme, leader=leader)
    statements = list(
        Statement.objects.filter(quality__theme__framework=framework).order_by(
            "quality__theme__order", "quality__order", "order"
        )
    )
    people = [
        (RaterGroup.SELF, 0),
        (RaterGroup.LINE_MANAGER, 0),
        *[(RaterGroup.PEER, p) for p in range(4)],
        *[(RaterGroup.DIRECT_REPORT, p) for p in range(2)],
        *[(RaterGroup.OTHER, p) for p in range(3)],
    ]
    being = framework.themes.get(slug="being")
    comments = [PLAIN_COMMENT, SCRIPT_COMMENT, "I would value more time to talk things through."]
    for number, (group, person) in enumerate(people):
        response = ResponseFactory(
            assessment=assessment,
            rater_group=group,
            values={s: _value(group, i, person) for i, s in enumerate(statements)},
        )
        if group != RaterGroup.SELF and number - 1 < len(comments):
            ThemeComment.objects.create(response=response, theme=being, text=comments[number - 1])
    return assessment


@pytest.fixture
def being_report(framework, leader):
    assessment = assessment_with_feedback(framework=framework, leader=leader)
    theme = framework.themes.get(slug="being")
    content = theme_report_content(assessment=assessment, theme=theme)
    started = time.monotonic()
    pdf = pdf_render(template_name=THEME_REPORT_TEMPLATE, context=content.context)
    print(f"\nBeing theme PDF rendered in {time.monotonic() - started:.2f} s ({len(pdf)} bytes)")
    return {"theme": theme, "content": content, "pdf": pdf, "reader": PdfReader(io.BytesIO(pdf))}


def _text(reader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_report_names_the_leader_the_theme_and_every_quality(being_report):
    reader = being_report["reader"]
    text = _flat(_text(reader))

    assert len(reader.pages) >= 4
    assert "Alex Leader" in text
    assert "Being" in text
    for quality in being_report["theme"].qualities.all():
        assert _flat(quality.name) in text


def test_every_page_is_a4_and_numbered(being_report):
    reader = being_report["reader"]
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        assert round(float(page.mediabox.width)) == 595  # 210 mm
        assert round(float(page.mediabox.height)) == 842  # 297 mm
        assert f"Page {number} of {pages}" in page.extract_text()


def test_comments_are_shown_verbatim_and_stay_text(being_report):
    text = _flat(_text(being_report["reader"]))
    html = render_to_string(THEME_REPORT_TEMPLATE, being_report["content"].context)

    assert _flat(PLAIN_COMMENT) in text
    assert "<script>alert('x')</script>" in text  # drawn as the characters typed
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>" not in html and "<b>listening</b>" not in html


def test_the_under_k_group_is_explained_not_shown_separately(being_report):
    context = being_report["content"].context
    text = _flat(_text(being_report["reader"]))

    assert "Direct reports: fewer than 3 responses; included in Other raters" in text
    assert "Direct reports" not in [c["label"] for c in context["response_counts"]]
    assert [c.label for c in context["group_columns"]] == ["Line manager", "Peers", "Other raters"]


def test_the_report_says_how_many_raters_could_observe(being_report):
    text = _flat(_text(being_report["reader"]))

    # In the PDF the tables say it (the charts there carry numbers only, to draw fast); the
    # section on how to read the report spells out what "7 of 9" means.
    assert "Could observe" in text and "raters could observe this" in text
    statement_rows = [r for q in being_report["content"].context["qualities"] for r in q.statements]
    observed = {f"{r.all_raters.n} of {r.all_raters.respondents}" for r in statement_rows}
    assert observed == {"10 of 10", "9 of 10"}  # a direct report chose Not observed
    for row in statement_rows:
        assert f"{row.number} " in text
        assert f"{row.all_raters.n} of {row.all_raters.respondents}" in text


def test_highlights_name_blind_spots_and_hidden_strengths(being_report):
    highlights = {h.key: h for h in being_report["content"].context["highlights"]}
    text = _flat(_text(being_report["reader"]))

    # Self 5 against others' 2-3 on each quality's first statement; 2 against 4-5 on the second.
    blind_spots = sorted(i.row.number for i in highlights["blind_spots"].items)
    assert blind_spots == ["1.1.1", "1.2.1", "1.3.1"]
    assert sorted(i.row.number for i in highlights["hidden_strengths"].items) == [
        "1.1.2",
        "1.2.2",
        "1.3.2",
    ]
    assert "Possible blind spots" in text and "Hidden strengths" in text
    assert highlights["blind_spots"].items[0].detail in text


def test_charts_have_text_alternatives_and_a_data_table(being_report):
    html = render_to_string(THEME_REPORT_TEMPLATE, being_report["content"].context)

    assert html.count('role="img"') == 1 + being_report["theme"].qualities.count()
    assert html.count("<title id=") == html.count('role="img"')
    assert html.count("<desc id=") == html.count('role="img"')
    tables = html.count('class="nhsuk-table nhsuk-table-responsive scores"')
    assert tables == html.count('role="img"')


def test_every_theme_renders_and_the_time_is_printed(framework, leader):
    assessment = assessment_with_feedback(framework=framework, leader=leader)
    timings = []
    for theme in framework.themes.order_by("order"):
        content = theme_report_content(assessment=assessment, theme=theme)
        started = time.monotonic()
        pdf = pdf_render(template_name=THEME_REPORT_TEMPLATE, context=content.context)
        timings.append(f"{theme.name}: {time.monotonic() - started:.2f} s")
        reader = PdfReader(io.BytesIO(pdf))
        assert theme.name in _flat(reader.pages[0].extract_text())
        assert "Page 1 of" in reader.pages[0].extract_text()
    print("\nTheme PDF render times: " + "; ".join(timings))


def test_with_too_few_raters_nothing_anonymous_is_shown_and_the_report_says_why(framework, leader):
    assessment = AssessmentFactory(programme=ProgrammeFactory(framework=framework), leader=leader)
    being = framework.themes.get(slug="being")
    statements = list(Statement.objects.filter(quality__theme=being))
    ResponseFactory(
        assessment=assessment, rater_group=RaterGroup.SELF, values=dict.fromkeys(statements, 4)
    )
    ResponseFactory(
        assessment=assessment,
        rater_group=RaterGroup.LINE_MANAGER,
        values=dict.fromkeys(statements, 3),
    )
    peer = ResponseFactory(
        assessment=assessment, rater_group=RaterGroup.PEER, values=dict.fromkeys(statements, 5)
    )
    ThemeComment.objects.create(response=peer, theme=being, text="Only one peer wrote this.")

    content = theme_report_content(assessment=assessment, theme=being)
    pdf = pdf_render(template_name=THEME_REPORT_TEMPLATE, context=content.context)
    text = _flat(_text(PdfReader(io.BytesIO(pdf))))

    assert "comments are not shown because fewer than 3 raters other than your line" in text
    assert "Only one peer wrote this" not in text
    assert "All raters: not shown because fewer than 3 raters other than the line manager" in text
    assert "5.0" not in text  # the lone peer's rating appears nowhere


def test_the_report_explains_how_highlights_are_chosen(being_report):
    text = _flat(_text(being_report["reader"]))

    assert "How highlights are chosen" in text
    assert "at most 3 statements" in text
    assert "±0.0" not in text
    highlights = {h.key: h for h in being_report["content"].context["highlights"]}
    listed = [i.row.number for h in highlights.values() for i in h.items if h.key in MAIN]
    assert len(listed) == len(set(listed))  # a statement in one list at most
    assert len(listed) < 9  # never every statement of the theme


MAIN = ("highest", "lowest", "blind_spots", "hidden_strengths")
