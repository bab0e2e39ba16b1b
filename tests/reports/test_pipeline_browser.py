"""The reports' pages in a real browser: axe (WCAG 2.2 AA), no CSP breakage, a real download."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from reports.release import programme_reports_release
from reports.services import reports_generate
from tests.reports.test_pdf_report import assessment_with_feedback

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _signed_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def test_a_leader_reads_and_downloads_a_released_report(
    live_server, browser_context, framework, leader
):
    assessment = assessment_with_feedback(framework=framework, leader=leader)
    assessment.programme.closed_at = timezone.now()
    assessment.programme.save()
    reports_generate(assessment=assessment)  # autocommit: renders in process at once
    programme_reports_release(programme=assessment.programme, by=None)  # version 1, as released
    _signed_in(browser_context, live_server, leader)
    page = browser_context.new_page()
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/reports/")
    assert page.get_by_role("heading", name="Your reports", exact=True).is_visible()
    progress_problems = _axe_violations(page)

    page.get_by_role("link", name="View the Being report").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Being")
    assert page.get_by_role("img", name="Authenticity: your rating and others' ratings").count()
    report_problems = _axe_violations(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this report (PDF)").click()
    download = download_info.value
    pdf = PdfReader(download.path())

    assert progress_problems == [] and report_problems == []
    assert console_errors == []
    assert download.suggested_filename.endswith("-being.pdf")
    assert "Alex Leader" in pdf.pages[0].extract_text()


PHONE = {"width": 375, "height": 740}

# Every element that scrolls sideways inside the page, and every table cell or chart that
# sticks out of the viewport (its numbers off-screen).
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const head = el.closest('thead');  // visually hidden (1 px, clipped) when rows stack
    if (head && head.getBoundingClientRect().width <= 1) continue;
    const style = getComputedStyle(el);
    const scrolls = ['auto', 'scroll'].includes(style.overflowX)
      && el.scrollWidth > el.clientWidth + 1;
    const rect = el.getBoundingClientRect();
    const outside = el.matches('td, th, svg, .key-figure') && rect.width > 0
      && (rect.right > width + 1 || rect.left < -1);
    if (scrolls || outside) {
      found.push(el.tagName + '.' + el.className + ' ' + Math.round(rect.right));
    }
  }
  return {page: document.scrollingElement.scrollWidth, found: found.slice(0, 10)};
}"""

# Each score row as the reader sees it: number and label, then You, All raters and Gap.
ROWS = """() => Array.from(document.querySelectorAll('table.scores tbody tr')).map(tr => {
  const cells = Array.from(tr.querySelectorAll('td')).map(td => {
    const copy = td.cloneNode(true);
    copy.querySelectorAll('.nhsuk-table-responsive__heading').forEach(h => h.remove());
    return copy.innerText.trim();
  });
  const number = tr.querySelector('th .row-number');
  return {number: number ? number.innerText : '', you: cells[0], all: cells[1], gap: cells[2]};
})"""


def _number(text: str):
    from decimal import Decimal

    return None if text in ("", "\u2013") else Decimal(text.replace("\u2212", "-"))


def test_on_a_phone_the_report_reads_without_sideways_scrolling(
    live_server, browser_context, framework, leader, programme, programme_admin
):
    assessment = assessment_with_feedback(framework=framework, leader=leader, programme=programme)
    _signed_in(browser_context, live_server, programme_admin)
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/reports/staff/assessments/{assessment.pk}/being/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Being")
    measured = page.evaluate(SIDEWAYS)
    rows = page.evaluate(ROWS)
    listed = page.locator(
        ".highlight--highest, .highlight--lowest, .highlight--blind_spots, "
        ".highlight--hidden_strengths"
    ).locator(".highlight-items .row-number")
    highlighted = [listed.nth(i).inner_text() for i in range(listed.count())]
    text = page.locator("main").inner_text()
    problems = _axe_violations(page)

    assert measured["page"] <= PHONE["width"], measured
    assert measured["found"] == []
    assert problems == []
    # Defect 5, as read on the page: every gap shown is You minus All raters as shown.
    scored = [r for r in rows if _number(r["gap"]) is not None]
    assert len(scored) >= 12
    for row in scored:
        assert _number(row["gap"]) == _number(row["you"]) - _number(row["all"]), row
    # Defect 7: qualities are 1.1, statements 1.1.1 on the page.
    numbers = [r["number"] for r in rows]
    assert numbers[:3] == ["1.1", "1.2", "1.3"]
    assert "1.1.1" in numbers and "1.3.3" in numbers
    # Defect 6: few highlights, each statement once, no zero uncertainty, the rules explained.
    assert highlighted and len(highlighted) == len(set(highlighted)) and len(highlighted) < 9
    assert "±0.0" not in text
    assert page.get_by_role("heading", name="How highlights are chosen").is_visible()
