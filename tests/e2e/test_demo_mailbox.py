"""The quick start's "Demo mailbox": with DEBUG on and email going to the console (or a
file, or memory), the emails sent are listed with their links, from the home page; and a
page that does not exist shows the NHS.UK "Page not found", not Django's debug page."""

import pytest

from .browsing import Journey, click_and_wait, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quick_start(settings, invited):
    """After ``invited`` has read its links from the emails sent (to memory)."""
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


def test_the_demo_mailbox_lists_sent_emails_and_their_links(
    browser, quick_start, invited, live_server
):
    journey = Journey("demo-mailbox")
    page = new_page(browser, journey)
    page.goto(f"{live_server.url}/")
    click_and_wait(page, page.get_by_role("link", name="Demo mailbox"))
    assert page.get_by_role("heading", level=1).inner_text() == "Demo mailbox"
    main = page.inner_text("main")
    assert "morgan.manager@example.nhs.uk" in main
    assert "Ali Leader has asked for your feedback" in main
    assert "ali.leader@example.nhs.uk" in main  # the leader's account invitation
    journey.check(page, "demo mailbox")

    # The rater's link opens their landing page, as the email's link would.
    email = page.locator("article", has_text="morgan.manager@example.nhs.uk")
    click_and_wait(
        page, email.get_by_role("link", name=invited.links["morgan.manager@example.nhs.uk"])
    )
    assert page.get_by_role("button", name="Start now").is_visible()

    page.goto(f"{live_server.url}/no/such/page/")
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert "URLconf" not in page.content()
    journey.check(page, "page not found with DEBUG on", screenshot=False)
    journey.assert_clean()


def test_no_demo_mailbox_when_email_really_goes_out(browser, settings, invited, live_server):
    settings.DEBUG = True  # after ``invited`` has sent its emails
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    page = new_page(browser)
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("link", name="Demo mailbox").count() == 0
    page.goto(f"{live_server.url}/accounts/demo-mailbox/")
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
