"""The accessibility statement, privacy notice and cookies page in Chromium, reached from
the footer: axe (WCAG 2.2 A/AA) finds nothing, and none scrolls sideways at 375 px. Also
the admin's raters page with an address Notify reported as bounced."""

import pytest
from django.utils import timezone

from accounts.models import OutboxEmail, Role
from accounts.roles import role_grant
from tests import factories

from .browsing import PASSWORD, Journey, click_and_wait, new_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_footer_pages_pass_axe(browser, live_server, framework):
    journey = Journey("public-pages")
    page = new_page(browser, journey)
    page.goto(f"{live_server.url}/")
    for link, heading in [
        ("Accessibility statement", "Accessibility statement for LPC 360"),
        ("Privacy notice", "Privacy notice"),
        ("Cookies", "Cookies on LPC 360"),
    ]:
        footer = page.locator("footer")
        click_and_wait(page, footer.get_by_role("link", name=link, exact=True))
        assert page.get_by_role("heading", level=1).inner_text() == heading
        journey.check(page, link)
    journey.assert_clean()


def test_a_bounced_address_on_the_raters_page_passes_axe(browser, live_server, framework):
    admin = factories.UserFactory(
        email="pat.admin@example.nhs.uk", full_name="Pat Admin", password=PASSWORD
    )
    role_grant(user=admin, role=Role.PROGRAMME_ADMIN)
    programme = factories.ProgrammeFactory(framework=framework)
    programme.admins.add(admin)
    assessment = factories.AssessmentFactory(programme=programme)
    rater = factories.InvitationFactory(assessment=assessment, email="priya@example.nhs.uk")
    OutboxEmail.objects.create(
        kind="rater_invitation",
        to=rater.email,
        state="sent",
        sent_at=timezone.now(),
        notification_id="n-1",
        delivery_status="permanent-failure",
    )
    journey = Journey("bounced-address")
    page = new_page(browser, journey)
    sign_in(page, live_server.url, admin.email)
    page.goto(f"{live_server.url}/programmes/{programme.pk}/leaders/{assessment.pk}/raters/")
    assert page.get_by_text("Email bounced — check the address").count() == 1
    journey.check(page, "raters with a bounced address")
    journey.assert_clean()
