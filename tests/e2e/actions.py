"""What people do on LPC 360's pages, as the journeys do it in the browser."""

import re
from dataclasses import dataclass

from assessments.services.rating_form import rating_outline

from .browsing import click_and_wait

NEXT = re.compile(r"^Next")
SCALE_POINTS = 5  # Rarely or never … Almost always; the sixth radio is "Not observed"


def theme_statements(framework) -> list[tuple[object, list[str]]]:
    """(theme, its statements' texts) in the form's order: what each page must ask."""
    outline = rating_outline(framework=framework)
    return [(theme, [s.text for s in outline.statements_of(theme)]) for theme in outline.themes]


@dataclass(frozen=True)
class FormPage:
    """One page of the rating form: one quality of a theme."""

    theme: object
    quality: object
    part: int  # the quality's place in its theme, from 1

    @property
    def name(self) -> str:
        return self.quality.name

    @property
    def path(self) -> str:
        """The page's address after /feedback/form/ (or /my/<id>/self/)."""
        return f"{self.theme.slug}/" + (f"{self.part}/" if self.part > 1 else "")

    @property
    def last_of_theme(self) -> bool:
        return self.part == self.theme.qualities.count()


def form_pages(framework) -> list[tuple[FormPage, list[str]]]:
    """(page, its statements' texts) in the form's order: what each page must ask."""
    outline = rating_outline(framework=framework)
    return [
        (FormPage(theme, quality, part), [s.text for s in quality.statements.all()])
        for theme, part, quality in outline.pages
    ]


def assert_statements_are_fieldsets(
    page, statements: list[str], *, not_observed: bool = True
) -> None:
    """Each statement is a group (fieldset) named by its legend, the statement, holding that
    statement's radios and nothing else's; "Not observed" among them for raters only (a
    leader always observes themselves)."""
    legends = page.locator("fieldset.nhsuk-fieldset > legend")
    assert [" ".join(t.split()) for t in legends.all_inner_texts()] == statements
    for text in statements:
        group = page.get_by_role("group", name=text, exact=True)
        assert group.count() == 1, text
        assert group.get_by_role("radio").count() == SCALE_POINTS + not_observed, text
        assert group.get_by_role("radio", name="Not observed").count() == not_observed, text


def answer_page(page, *, seed: int, leave: int = 0, comment: str = "") -> int:
    """Choose an answer for each statement on the page but the last ``leave``; returns how
    many were answered. ``seed`` varies the answers between people."""
    fieldsets = page.locator("fieldset.nhsuk-fieldset")
    count = fieldsets.count() - leave
    for index in range(count):
        # A point on the scale, or now and then the sixth radio, "Not observed" (if offered).
        radios = fieldsets.nth(index).locator("input[type=radio]")
        radios.nth((seed + index) % radios.count()).check()
    box = page.get_by_label(re.compile(r"^Comments on"))
    if comment and box.count():  # only a theme's last page asks for its comment
        box.fill(comment)
    return count


def next_page(page) -> None:
    click_and_wait(page, page.get_by_role("button", name=NEXT))


def submit_review(page) -> None:
    click_and_wait(page, page.get_by_role("button", name="Submit", exact=True))


def nominate(page, name: str, email: str, group: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label(group, exact=True).check()
    click_and_wait(page, page.get_by_role("button", name="Add rater"))
    assert f"{name} has been added" in page.content()


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(path).pages).split())


def xlsx_rows(path) -> list[list[str]]:
    """Every non-empty row of every sheet, as text."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    rows = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells = ["" if value is None else str(value) for value in row]
            if any(cells):
                rows.append(cells)
    workbook.close()
    return rows


def fill_date_time(page, legend: str, *, day="", month="", year="", time="") -> None:
    """Type into an NHS.UK date input (day, month, year) and its time, named by its legend."""
    group = page.get_by_role("group", name=legend, exact=True)
    for part, value in (("Day", day), ("Month", month), ("Year", year), ("Time", time)):
        group.get_by_label(part, exact=True).fill(value)


# After the close: the debrief and the development plan ---------------------------------


def fill_date(group, day) -> None:
    """The Day, Month and Year boxes of a date group (a fieldset found by its legend)."""
    for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        group.get_by_label(part, exact=True).fill(str(value))


def fill_goal(page, number, quality, review_on, goal) -> None:
    """Goal ``number`` of the development plan form, every field filled."""
    fieldset = page.locator(f"#goal{number}")
    fieldset.get_by_label("Which quality is this goal about?").select_option(str(quality.pk))
    fieldset.get_by_label("What do you want to develop?").fill(goal)
    fieldset.get_by_label("What will you do?").fill(f"Actions for goal {number}")
    fieldset.get_by_label("What support do you need? (optional)").fill("Time in my diary")
    fieldset.get_by_label("How will you know you have succeeded?").fill(f"Measure {number}")
    fill_date(fieldset.get_by_role("group", name="When will you review it?"), review_on)


def debrief_and_release(page, *, leader_name: str, day, notes: str) -> None:
    """On the facilitator's debrief page: record the debrief and release the reports."""
    fill_date(page.get_by_role("group", name="When was the debrief?"), day)
    page.get_by_label("Notes (optional)").fill(notes)
    page.get_by_label(f"Release the reports to {leader_name} now", exact=False).check()
    click_and_wait(page, page.get_by_role("button", name="Record the debrief"))
    assert f"{leader_name} can now read their reports" in page.inner_text("body")
