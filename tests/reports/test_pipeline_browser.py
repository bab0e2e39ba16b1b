"""The reports' pages in a real browser: axe (WCAG 2.2 AA), no CSP breakage, a real download."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

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
    _signed_in(browser_context, live_server, leader)
    page = browser_context.new_page()
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/reports/")
    assert page.get_by_role("heading", name="Your reports").is_visible()
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
