"""The change between cycles beyond the theme report's web page (issue 14, item 4): on the
summary (web and PDF, frozen at release) and in the theme PDFs. The summary's rows are the
theme reports' own change rows (reports.change), only where those are shown."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import RaterGroup
from reports.aggregation import format_score
from reports.models import ReleasedSummary
from reports.pdf import pdf_render
from reports.report_context import THEME_REPORT_TEMPLATE, theme_report_content
from reports.services import reports_generate
from reports.summary import summary_body, summary_context, summary_pdf
from reports.versions import versions_release

from .helpers import pair, theme_statements
from .test_change import _raters

ROW = re.compile(r'<tr class="nhsuk-table__row[^"]*" role="row">(.*?)</tr>', re.S)
CELL = re.compile(r"<t[hd] [^>]*>(.*?)</t[hd]>", re.S)
HEADING = re.compile(r'<span class="nhsuk-table-responsive__heading"[^>]*>[^<]*</span>')
NOTE = re.compile(r'<span class="row-note">.*?</span>')
TAG = re.compile(r"<[^>]+>")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _summary_change_rows(html: str) -> list[tuple[str, ...]]:
    """(theme or quality, all raters now, earlier, change and verdict) of the summary's score
    table, for the rows with a change."""
    start = html.find('<table class="nhsuk-table nhsuk-table-responsive scores summary-scores')
    if start < 0:
        return []
    table = html[start : html.index("</table>", start)]
    rows = []
    for match in ROW.finditer(table.split("<tbody", 1)[1]):
        cells = [
            _flat(TAG.sub("", HEADING.sub("", NOTE.sub("", cell))))
            for cell in CELL.findall(match.group(1))
        ]
        if len(cells) == 7 and cells[4] != "\u2013":  # label, you, all, earlier, change, ...
            label = cells[0].split(" ", 1)[1]  # without its number
            rows.append((label, cells[2], cells[3], cells[4]))
    return rows


def _theme_change_rows(assessment, framework) -> tuple[list[tuple[str, ...]], int]:
    """The same, from each theme report's change (its shown rows: the theme's and its
    qualities'), and how many quality rows the theme reports hide."""
    rows, hidden = [], 0
    for theme in framework.themes.order_by("order"):
        change = theme_report_content(assessment=assessment, theme=theme).context["change"]
        for row in change.rows:
            if not row.shown:
                hidden += row.level == "quality"
                continue
            rows.append(
                (
                    row.label,
                    format_score(row.current.mean),
                    row.earlier_mean_text,
                    f"{row.change_text} {row.verdict_short}",
                )
            )
    return rows, hidden


@pytest.fixture
def follow_up(framework, leader):
    """Cycle 1 released; cycle 2 rated (the "being" theme only, 9 raters each time)."""
    statements = theme_statements(framework.themes.get(slug="being"))
    _, now = pair(
        framework=framework,
        leader=leader,
        earlier_raters=_raters(statements, seed=1),
        current_raters=_raters(statements, seed=2, shift=1),
    )
    return now


def test_the_summary_shows_the_theme_reports_change_rows(follow_up, framework):
    html = summary_body(summary_context(assessment=follow_up))
    expected, hidden = _theme_change_rows(follow_up, framework)
    being = framework.themes.get(slug="being")
    assert len(expected) == 1 + being.qualities.count()  # the rated theme; the others hidden
    assert hidden == 13 - being.qualities.count()
    assert _summary_change_rows(html) == expected
    assert "Change since Cohort 2025" in html
    assert f"The change is not shown for {hidden} qualities" in html
    # Each row has the displayed figures and a verdict of the noise rule.
    for _, now, earlier, change in expected:
        assert re.fullmatch(r"\d\.\d", earlier) and re.fullmatch(r"\d\.\d", now)
        assert re.fullmatch(r"[+\u2212-]?\d\.\d (higher|lower|within noise|not judged)", change)
    assert any(change.endswith("higher") for *_, change in expected)  # 1 point more each time


def test_no_change_rows_where_the_theme_reports_hide_them(framework, leader):
    """One newcomer among the same raters: the change would single out that rater."""
    statements = theme_statements(framework.themes.get(slug="being"))
    earlier_raters = _raters(statements, seed=3)
    newcomer = [(RaterGroup.PEER, dict.fromkeys(statements, 5))]
    _, now = pair(
        framework=framework,
        leader=leader,
        earlier_raters=earlier_raters,
        current_raters=earlier_raters + newcomer,
    )
    html = summary_body(summary_context(assessment=now))
    assert _theme_change_rows(now, framework) == ([], 13)
    assert _summary_change_rows(html) == []
    assert "Change since Cohort 2025" in html
    assert "No quality's change can be shown" in html


def test_no_change_on_the_summary_without_an_earlier_programme(rated_assessment):
    context = summary_context(assessment=rated_assessment)
    assert context["change"] is None
    assert "Change since" not in summary_body(context)


@pytest.mark.usefixtures("fake_pdf")
def test_the_leader_reads_the_change_in_the_released_summary(
    follow_up, framework, leader_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reports_generate(assessment=follow_up)
    version = versions_release(assessment=follow_up)
    released = ReleasedSummary.objects.get(version=version)
    expected, _ = _theme_change_rows(follow_up, framework)
    assert _summary_change_rows(released.html) == expected
    page = leader_client.get(reverse("reports:summary", args=[follow_up.pk]))
    assert page.status_code == 200
    assert _summary_change_rows(page.content.decode()) == expected


@pytest.mark.real_pdf
def test_the_summary_and_theme_pdfs_show_the_change(framework, leader):
    """Every statement rated in both cycles: all 17 rows have a change, and the change
    (two more columns of the score table) adds no page to the summary."""
    from framework.models import Statement

    statements = list(Statement.objects.filter(quality__theme__framework=framework))
    _, follow_up = pair(
        framework=framework,
        leader=leader,
        earlier_raters=_raters(statements, seed=1),
        current_raters=_raters(statements, seed=2, shift=1),
    )
    context = summary_context(assessment=follow_up)
    reader = PdfReader(io.BytesIO(summary_pdf(context)))
    text = _flat(" ".join(page.extract_text() for page in reader.pages))
    assert "and the change since Cohort 2025" in text
    expected, hidden = _theme_change_rows(follow_up, framework)
    assert (len(expected), hidden) == (17, 0)
    for label, now, earlier, change in expected:
        assert _flat(f"{label} ") in text
        assert _flat(f"{now} {earlier} {change}") in text
    without = PdfReader(io.BytesIO(summary_pdf({**context, "change": None})))
    print(f"\nSummary PDF pages: {len(reader.pages)} with the change, {len(without.pages)} without")
    assert len(reader.pages) <= len(without.pages)

    theme = framework.themes.get(slug="being")
    content = theme_report_content(assessment=follow_up, theme=theme)
    pdf = pdf_render(template_name=THEME_REPORT_TEMPLATE, context=content.context)
    reader = PdfReader(io.BytesIO(pdf))
    text = _flat(" ".join(page.extract_text() for page in reader.pages))
    assert "Change since Cohort 2025" in text
    for row in content.context["change"].rows:
        assert _flat(row.verdict_text) in text
        assert row.change_text in text
    print(f"Theme PDF pages with the change: {len(reader.pages)}")
    assert len(reader.pages) <= 7
