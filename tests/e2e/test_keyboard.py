"""The whole rater form with the keyboard alone: from the emailed link to "Feedback
submitted" using only Tab, the arrow keys, Space, Enter (and typing a comment). No clicks.
"""

import pytest

from assessments.models import Invitation, Rating, Response
from assessments.services.sealing import envelopes_seal

from .actions import SCALE_POINTS, form_pages
from .browsing import Journey, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_TABS = 80  # from the top of a page to its first control, with room to spare

FOCUSED = """() => {
    const e = document.activeElement;
    return {tag: e.tagName, type: e.type || "", id: e.id, name: e.name || "",
            value: e.value || "", text: (e.innerText || "").trim(), checked: !!e.checked};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_until(page, wanted, what: str) -> dict:
    """Press Tab until the focused element is the one wanted; fail after MOST_TABS."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if wanted(element):
            return element
    pytest.fail(f"Tab never reached {what} on {page.url}")


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def answer_page_by_keyboard(page, statements: list[str], *, first: int, comment: str) -> list:
    """Tab into each statement's radios, choose with the arrow keys (or Space for the first
    option), Tab on; type the comment (on a theme's last page, which has the box); Tab to
    "Next" and press Enter. Returns the values chosen, statement by statement."""
    chosen = []
    element = tab_until(page, lambda e: e["type"] == "radio", "the first statement")
    for index, _ in enumerate(statements):
        assert element["type"] == "radio" and element["id"].endswith("-1"), element
        steps = (first + index) % SCALE_POINTS  # 0 … 4: "Rarely or never" … "Almost always"
        if steps == 0:
            page.keyboard.press("Space")
        for _ in range(steps):
            page.keyboard.press("ArrowDown")
        element = focused(page)
        assert element["checked"] and element["value"] == str(steps + 1), element
        chosen.append(steps + 1)
        page.keyboard.press("Tab")
        element = focused(page)
    if comment:
        assert element["id"] == "comment", element
        page.keyboard.type(comment)
        page.keyboard.press("Tab")
    assert focused(page)["value"] == "next"
    press_enter_and_wait(page)
    return chosen


def test_a_rater_completes_the_whole_form_with_the_keyboard(browser, invited, framework):
    journey = Journey("keyboard")
    page = new_page(browser, journey)
    page.goto(invited.links["priya.peer@example.nhs.uk"])

    tab_until(page, lambda e: e["text"] == "Start now", "Start now")
    press_enter_and_wait(page)
    chosen = []
    for number, (form_page, statements) in enumerate(form_pages(framework), start=1):
        assert page.get_by_role("heading", level=1).inner_text().endswith(form_page.name)
        if number == 1:
            journey.check(page, "first page")
        comment = f"Keyboard comment on {form_page.theme.name}." if form_page.last_of_theme else ""
        chosen += answer_page_by_keyboard(page, statements, first=number, comment=comment)

    assert page.url.endswith("/feedback/form/review/")
    assert "You have answered 39 of 39 statements" in page.content()
    journey.check(page, "review")
    tab_until(page, lambda e: e["tag"] == "BUTTON" and e["text"] == "Submit", "Submit")
    press_enter_and_wait(page)
    assert page.url.endswith("/feedback/done/")
    assert "Feedback submitted" in page.content()
    journey.check(page, "submitted")
    journey.assert_clean()

    invitation = Invitation.objects.get(email="priya.peer@example.nhs.uk")
    assert invitation.state == Invitation.State.SUBMITTED
    # The answers wait, encrypted, to be sealed with k of their group (or all at close).
    envelopes_seal(programme_id=invited.assessment.programme_id, final=True)
    response = Response.objects.get(assessment=invited.assessment)
    in_form_order = Rating.objects.filter(response=response).order_by(
        "statement__quality__theme__order", "statement__quality__order", "statement__order"
    )
    assert list(in_form_order.values_list("value", flat=True)) == chosen
    assert response.comments.count() == 4
