"""The exports page in a real browser: axe (WCAG 2.2 AA), no CSP breakage, a real download."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from reports.models import CohortExport
from tests.reports.test_exports import build_cohort
from tests.reports.test_pipeline_browser import (
    _axe_violations,
    _signed_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fake_pdf"),  # the PDF is not the subject here
]


def test_an_admin_prepares_and_downloads_an_export(
    live_server,
    browser_context,
    framework,
    leader,
    programme,
    programme_admin,
):
    build_cohort(programme=programme, framework=framework, leader=leader)
    CohortExport.objects.create(  # one still waiting: the page refreshes itself
        programme=programme, kind="pdf", expires_at=timezone.now() + timedelta(hours=1)
    )
    _signed_in(browser_context, live_server, programme_admin)
    page = browser_context.new_page()
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/programmes/{programme.pk}/exports/")
    assert page.get_by_role("heading", name="Cohort exports").is_visible()
    # While an export is pending the page checks again by itself (script, not a meta
    # refresh, so the reader can stop it: WCAG 2.2.1), and offers a "Check again" link.
    assert page.locator("[data-auto-refresh]").count() == 1
    assert page.get_by_role("button", name="Stop checking").is_visible()
    pending_problems = _axe_violations(page)
    page.get_by_role("button", name="Stop checking").click()

    page.get_by_role("button", name="Prepare an export").click()
    page.wait_for_load_state()
    assert page.locator("[data-auto-refresh]").count() == 0
    form_problems = _axe_violations(page)

    page.get_by_role("button", name="Prepare export").click()  # nothing chosen
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Choose a format").is_visible()
    error_problems = _axe_violations(page)

    page.get_by_label("Excel workbook (XLSX)").check()
    page.get_by_label("Named: each leader's name").check()
    page.get_by_role("button", name="Prepare export").click()
    page.wait_for_load_state()
    assert page.get_by_text("is being prepared").is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the Excel workbook (XLSX) export").click()
    download = download_info.value
    with open(download.path(), "rb") as saved:
        workbook = load_workbook(io.BytesIO(saved.read()), read_only=True)

    assert pending_problems == [] and form_problems == [] and error_problems == []
    assert console_errors == []
    assert download.suggested_filename.endswith(".xlsx")
    assert "Alex Leader" in [row[0] for row in workbook["Summary"].iter_rows(values_only=True)]
