"""The summary in a real browser: axe (WCAG 2.2 AA) and no sideways scroll at 375 px, for the
leader (as released) and for the programme admin (live); "download all" downloads one PDF."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from reports.release import programme_reports_release
from reports.services import reports_generate
from tests.e2e.browsing import Journey, click_and_wait
from tests.reports.test_pdf_report import assessment_with_feedback

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_the_summary_page_passes_axe_and_reflows_for_leader_and_admin(
    live_server, browser, framework, leader, programme_admin
):
    from accounts.models import Role
    from accounts.roles import role_grant

    assessment = assessment_with_feedback(framework=framework, leader=leader)
    programme = assessment.programme
    programme.admins.add(programme_admin)
    role_grant(user=programme_admin, role=Role.PROGRAMME_ADMIN)
    programme.closed_at = timezone.now()
    programme.save()
    reports_generate(assessment=assessment)  # autocommit: renders in process at once
    programme_reports_release(programme=programme, by=None)
    journey = Journey("summary")

    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 800})
    _signed_in(context, live_server, leader)
    page = journey.watch(context.new_page())
    page.goto(f"{live_server.url}/reports/")
    click_and_wait(page, page.get_by_role("link", name="Read your summary"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Summary")
    assert page.get_by_role("img", name="Every quality: your score and the All raters average")
    journey.check(page, "leader summary", screenshot=False)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download all: summary and theme reports (PDF)").click()
    bundle = PdfReader(download_info.value.path())
    parts = [i.title for i in bundle.outline if not isinstance(i, list)]
    assert parts == [
        "Summary",
        "Being",
        "Relating and communicating",
        "Leading and visioning",
        "Delivering",
    ]
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    _signed_in(context, live_server, programme_admin)
    page = journey.watch(context.new_page())
    page.goto(f"{live_server.url}/reports/staff/assessments/{assessment.pk}/")
    click_and_wait(page, page.get_by_role("link", name="Summary of all themes"))
    journey.check(page, "admin summary", screenshot=False)
    context.close()

    journey.assert_clean()
