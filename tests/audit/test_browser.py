"""The new pages in a real browser (Chromium), with axe (WCAG 2.2 AA) and no console errors
(the strict CSP): redacting a comment, the facilitator's release, reopening, the audit log,
and the erasure confirmations."""

import pytest
from django.utils import timezone

from assessments.models import Programme
from tests.reports.test_pipeline_browser import (
    _axe_violations,
    _signed_in,
)

from .conftest import programme_closed, reports_ready

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fake_pdf"),  # the PDF is not the subject here
]


def _page(context, live_server, user):
    context.clear_cookies()
    _signed_in(context, live_server, user)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, errors


def test_redact_release_reopen_audit_and_erase_in_a_browser(
    live_server,
    browser_context,
    programme,
    programme_admin,
    facilitator,
    assessment,
    rater,
):
    programme_closed(programme, release_mode=Programme.ReleaseMode.BY_FACILITATOR)
    reports_ready(assessment)
    problems = {}
    base = live_server.url

    admin, admin_errors = _page(browser_context, live_server, programme_admin)
    admin.goto(f"{base}/reports/staff/assessments/{assessment.pk}/comments/")
    problems["comments"] = _axe_violations(admin)
    admin.get_by_role("button", name="Redact").first.click()
    admin.wait_for_load_state()
    assert admin.get_by_text("no report will show it").is_visible()

    fac, fac_errors = _page(browser_context, live_server, facilitator)
    fac.goto(f"{base}/reports/facilitator/")
    problems["facilitator list"] = _axe_violations(fac)
    fac.get_by_role("link", name="Alex Leader", exact=True).click()
    fac.wait_for_load_state()
    problems["facilitator leader"] = _axe_violations(fac)
    # The release is confirmed on the debrief page (development.views.facilitator_debrief).
    fac.get_by_role("link", name="Debrief and release").click()
    fac.wait_for_load_state()
    assert fac.get_by_text("Debrief with Alex Leader").first.is_visible()
    problems["release: debrief"] = _axe_violations(fac)
    today = timezone.localdate()
    debrief_date = fac.get_by_role("group", name="When was the debrief?")
    for part, value in (("Day", today.day), ("Month", today.month), ("Year", today.year)):
        debrief_date.get_by_label(part, exact=True).fill(str(value))
    fac.get_by_label("Release the reports to Alex Leader now", exact=False).check()
    fac.get_by_role("button", name="Record the debrief").click()
    fac.wait_for_load_state()
    assert fac.get_by_text("Alex Leader can now read their reports.").is_visible()

    admin, admin_errors = _page(browser_context, live_server, programme_admin)
    admin.goto(f"{base}/reports/staff/assessments/{assessment.pk}/")
    problems["admin reports"] = _axe_violations(admin)
    admin.get_by_role("link", name="Reopen the reports").click()
    admin.wait_for_load_state()
    problems["reopen"] = _axe_violations(admin)
    admin.get_by_role("button", name="Reopen and regenerate the reports").click()
    admin.wait_for_load_state()
    assert admin.get_by_text("Enter why the reports are being reopened").first.is_visible()
    problems["reopen, error"] = _axe_violations(admin)
    admin.get_by_label("Why are the reports being reopened?").fill("A comment names a rater")
    admin.get_by_role("button", name="Reopen and regenerate the reports").click()
    admin.wait_for_load_state()
    assert admin.get_by_text("reopened and being generated again").is_visible()

    # Reopening the programme for late feedback: the page says what the leader will see.
    admin.goto(f"{base}/programmes/{programme.pk}/reopen/")
    problems["reopen programme"] = _axe_violations(admin)
    assert admin.get_by_text("Reports already released stay exactly as they were").is_visible()
    admin.get_by_role("button", name="Reopen the programme").click()
    admin.wait_for_load_state()
    assert admin.get_by_text("Enter why the programme is being reopened").first.is_visible()
    problems["reopen programme, error"] = _axe_violations(admin)

    admin.goto(f"{base}/reports/staff/assessments/{assessment.pk}/release/")
    problems["release: admin check"] = _axe_violations(admin)
    admin.goto(f"{base}/reports/staff/programmes/{programme.pk}/release/")
    problems["release all: admin check"] = _axe_violations(admin)

    admin.goto(f"{base}/programmes/{programme.pk}/audit/")
    problems["audit log"] = _axe_violations(admin)
    for what in ("Comment redacted", "Reports released", "Reports reopened"):
        assert admin.get_by_role("cell", name=what).count() >= 1, what

    admin.goto(f"{base}/programmes/{programme.pk}/leaders/{assessment.pk}/raters/{rater.pk}/erase/")
    problems["erase rater"] = _axe_violations(admin)
    admin.get_by_role("button", name="Erase this rater's details").click()
    admin.wait_for_load_state()
    problems["erase rater, error"] = _axe_violations(admin)
    admin.get_by_label("I understand that this cannot be undone").check()
    admin.get_by_role("button", name="Erase this rater's details").click()
    admin.wait_for_load_state()
    assert admin.get_by_text("have been erased").is_visible()

    admin.goto(f"{base}/programmes/{programme.pk}/leaders/{assessment.pk}/erase/")
    problems["erase leader"] = _axe_violations(admin)

    assert {name: found for name, found in problems.items() if found} == {}
    assert admin_errors == [] and fac_errors == []
