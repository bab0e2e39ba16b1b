"""A programme from start to finish, in Chromium, against a live server and a real Celery
worker over Redis: every email is really sent (to files) and every link is taken from one.

(a) A programme admin signs in, creates a programme and imports its leaders; (b) a leader
sets a password from the emailed link, self-assesses across two sessions and nominates
raters; (c) five raters answer their emailed links: one on two devices, one declines;
(d) the admin closes the programme and the worker renders the reports, which the leader
downloads as PDFs; (e) the admin downloads the cohort XLSX. axe (WCAG 2.2 A/AA) runs on
every page reached, error states included; the main ones are screenshotted.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles import role_grant

from .actions import (
    answer_page,
    assert_statements_are_fieldsets,
    fill_date_time,
    form_pages,
    next_page,
    nominate,
    pdf_text,
    submit_review,
    theme_statements,
    xlsx_rows,
)
from .browsing import (
    PASSWORD,
    Journey,
    click_and_wait,
    new_page,
    reload_until,
    sign_in,
    sign_out,
)
from .worker import FEEDBACK_LINK, SET_PASSWORD_LINK

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]

PROGRAMME = "North West personalised care leaders 2026"
ADMIN = ("Pat Admin", "pat.admin@example.nhs.uk")
LEADER = ("Robin Leader", "robin.leader@example.nhs.uk")
OTHER_LEADER = ("Casey Second", "casey.second@example.nhs.uk")
# The default rules: a line manager, at least 3 peers, at least 5 raters in all.
RATERS = [
    ("Morgan Manager", "morgan.manager@example.nhs.uk", "Line manager"),
    ("Priya Peer", "priya.peer@example.nhs.uk", "Peer"),
    ("Sam Peer", "sam.peer@example.nhs.uk", "Peer"),
    ("Kai Peer", "kai.peer@example.nhs.uk", "Peer"),
    ("Lee Peer", "lee.peer@example.nhs.uk", "Peer"),
]


def uk_parts(moment) -> dict:
    """What an NHS.UK date input and its time box take, in UK time."""
    local = timezone.localtime(moment)
    return {
        "day": str(local.day),
        "month": str(local.month),
        "year": str(local.year),
        "time": local.strftime("%H:%M"),
    }


def leaders_csv(folder, rows) -> str:
    path = folder / "leaders.csv"
    lines = ["name,email,line_manager_name,line_manager_email,facilitator_email"]
    lines += [f"{name},{email},,," for name, email in rows]
    path.write_text("\r\n".join(lines) + "\r\n")
    return str(path)


@dataclass
class World:
    """What every step of the journey works with."""

    base: str
    browser: object
    journey: Journey
    worker: object
    themes: list  # (theme, its statements' texts)
    pages: list  # (FormPage, its statements' texts): the rating form's pages
    files: Path

    def page(self):
        return new_page(self.browser, self.journey)

    def email_to(self, address: str):
        return self.worker.mailbox.wait_for(address, worker=self.worker)

    def reload_until(self, page, ready, what: str) -> None:
        reload_until(page, ready, what=what, worker=self.worker)


def test_a_programme_from_creation_to_reports(
    live_server, celery_worker, browser, framework, tmp_path
):
    admin_user = User.objects.create_user(email=ADMIN[1], full_name=ADMIN[0], password=PASSWORD)
    role_grant(user=admin_user, role=Role.PROGRAMME_ADMIN)
    world = World(
        base=live_server.url,
        browser=browser,
        journey=Journey("programme"),
        worker=celery_worker,
        themes=theme_statements(framework),
        pages=form_pages(framework),
        files=tmp_path,
    )

    admin = an_admin_sets_up_the_programme(world)
    leader = the_leader_self_assesses_in_two_sessions(world)
    the_leader_nominates_raters(world, leader)
    the_raters_answer_their_links(world, leader)
    the_admin_closes_the_programme(world, admin)
    the_leader_downloads_each_theme_as_pdf(world, leader)
    the_admin_downloads_the_cohort_xlsx(world, admin)

    world.journey.assert_clean()
    assert world.journey.shots >= 20


def an_admin_sets_up_the_programme(world):
    """(a) The admin signs in (a wrong password first), creates the programme (a close before
    the opening first) and imports the leaders (a file with a bad row first)."""
    journey, base = world.journey, world.base
    admin = world.page()
    admin.goto(f"{base}/")
    journey.check(admin, "home")
    click_and_wait(admin, admin.get_by_role("link", name="I run a programme"))
    assert "/accounts/login/" in admin.url
    journey.check(admin, "sign in", screenshot=False)
    admin.get_by_label("Email address").fill(ADMIN[1])
    admin.get_by_label("Password", exact=True).fill("not the password")
    click_and_wait(admin, admin.get_by_role("button", name="Sign in"))
    assert admin.title().startswith("Error:")
    journey.check(admin, "sign in with a wrong password")
    admin.get_by_label("Password", exact=True).fill(PASSWORD)
    click_and_wait(admin, admin.get_by_role("button", name="Sign in"))
    assert admin.get_by_role("heading", name="Your programmes").is_visible()
    journey.check(admin, "programmes", screenshot=False)

    click_and_wait(admin, admin.get_by_role("link", name="Create a programme"))
    journey.check(admin, "create a programme")
    opens = timezone.now() - timedelta(minutes=2)
    admin.get_by_label("Programme name").fill(PROGRAMME)
    fill_date_time(admin, "Opens", **uk_parts(opens))
    fill_date_time(admin, "Closes", **uk_parts(opens - timedelta(days=1)))
    click_and_wait(admin, admin.get_by_role("button", name="Save programme"))
    assert "close date must be after the open date" in admin.inner_text(".nhsuk-error-summary")
    assert admin.title().startswith("Error: Create a programme")
    journey.check(admin, "create a programme with an error")
    fill_date_time(admin, "Closes", **uk_parts(opens + timedelta(days=4)))
    click_and_wait(admin, admin.get_by_role("button", name="Save programme"))
    assert f"{PROGRAMME} has been created" in admin.content()
    journey.check(admin, "programme created", screenshot=False)

    click_and_wait(admin, admin.get_by_role("link", name="Import leaders", exact=True))
    journey.check(admin, "import leaders", screenshot=False)
    admin.locator("input[type=file]").set_input_files(
        leaders_csv(world.files, [LEADER, OTHER_LEADER, ("", "not-an-email")])
    )
    click_and_wait(admin, admin.get_by_role("button", name="Upload and check"))
    assert admin.title().startswith("Error:")
    journey.check(admin, "import with a bad row")
    admin.locator("input[type=file]").set_input_files(
        leaders_csv(world.files, [LEADER, OTHER_LEADER])
    )
    click_and_wait(admin, admin.get_by_role("button", name="Upload and check"))
    assert "2 to be added" in admin.content()
    journey.check(admin, "check the import")
    click_and_wait(admin, admin.get_by_role("button", name="Import 2 leaders"))
    assert "2 new leaders added" in admin.content()
    assert admin.locator("strong.nhsuk-tag").first.inner_text() == "Open"
    journey.check(admin, "programme with its leaders")

    return admin


def the_leader_self_assesses_in_two_sessions(world):
    """(b) The leader sets a password from the emailed link and self-assesses: two pages,
    sign out; later, in another browser, the rest."""
    journey, base, pages = world.journey, world.base, world.pages
    invitation = world.email_to(LEADER[1])
    leader = world.page()
    leader.goto(invitation.link(SET_PASSWORD_LINK))
    journey.check(leader, "choose a password")
    leader.get_by_label("New password", exact=True).fill(PASSWORD)
    leader.get_by_label("New password confirmation", exact=True).fill(PASSWORD)
    click_and_wait(leader, leader.get_by_role("button", name="Save password"))
    journey.check(leader, "password saved", screenshot=False)
    click_and_wait(leader, leader.get_by_role("button", name="Sign in"))
    sign_in(leader, base, LEADER[1])
    click_and_wait(leader, leader.get_by_role("link", name="My 360"))
    journey.check(leader, "leader overview")
    click_and_wait(leader, leader.get_by_role("link", name=PROGRAMME, exact=True))
    journey.check(leader, "leader assessment")
    click_and_wait(leader, leader.get_by_role("link", name="Start your self-assessment"))
    for number, (form_page, statements) in enumerate(pages[:2], start=1):
        assert leader.get_by_role("heading", level=1).inner_text().endswith(form_page.name)
        assert_statements_are_fieldsets(leader, statements, not_observed=False)
        journey.check(leader, f"self-assessment page {number}", screenshot=number == 1)
        answer_page(leader, seed=number)
        next_page(leader)
    sign_out(leader)
    journey.check(leader, "signed out", screenshot=False)
    leader.context.close()

    leader = world.page()
    sign_in(leader, base, LEADER[1])
    leader.goto(f"{base}/my/")
    click_and_wait(leader, leader.get_by_role("link", name=PROGRAMME, exact=True))
    assert "In progress" in leader.content()
    click_and_wait(leader, leader.get_by_role("link", name="Continue your self-assessment"))
    for number, (form_page, statements) in enumerate(pages[2:], start=3):
        assert leader.get_by_role("heading", level=1).inner_text().endswith(form_page.name)
        assert_statements_are_fieldsets(leader, statements, not_observed=False)
        journey.check(leader, f"self-assessment page {number}", screenshot=False)
        answer_page(leader, seed=number, comment="Listening more than I speak.")
        next_page(leader)
    assert "You have answered 39 of 39 statements" in leader.content()
    journey.check(leader, "self-assessment review")
    submit_review(leader)
    assert "/self/done/" in leader.url
    journey.check(leader, "self-assessment submitted", screenshot=False)

    return leader


def the_leader_nominates_raters(world, leader):
    """The leader nominates (an empty form first) and sends the invitations."""
    journey = world.journey
    click_and_wait(leader, leader.get_by_role("link", name="My 360"))
    click_and_wait(leader, leader.get_by_role("link", name=PROGRAMME, exact=True))
    click_and_wait(leader, leader.get_by_role("link", name="Change your raters"))
    journey.check(leader, "nominations", screenshot=False)
    click_and_wait(leader, leader.get_by_role("button", name="Add rater"))
    assert leader.title().startswith("Error:")
    journey.check(leader, "nominations with errors")
    for name, email, group in RATERS:
        nominate(leader, name, email, group)
    journey.check(leader, "nominations complete", screenshot=False)
    click_and_wait(leader, leader.get_by_role("button", name="Send 5 invitations"))
    assert "5 invitations sent" in leader.content()
    journey.check(leader, "invitations sent")


def the_raters_answer_their_links(world, leader):
    """(c) The raters answer their emailed links: the line manager after a mistake, a peer on
    two devices; a peer declines; two just answer. Then the leader sees how it went."""
    browser, journey, pages = world.browser, world.journey, world.pages
    links = {email: world.email_to(email).link(FEEDBACK_LINK) for _, email, _ in RATERS}
    manager, on_two_devices, decliner, *others = (links[email] for _, email, _ in RATERS)
    rate_with_a_mistake(browser, journey, manager, pages)
    rate_on_two_devices(browser, journey, on_two_devices, pages)
    decline(browser, journey, decliner)
    # The last two see the very pages axe has checked above: they just answer.
    for seed, link in enumerate(others, start=10):
        rater = new_page(browser, journey)
        rater.goto(link)
        click_and_wait(rater, rater.get_by_role("button", name="Start now"))
        for number, _ in enumerate(pages, start=1):
            answer_page(rater, seed=seed + number)
            next_page(rater)
        submit_review(rater)
        assert "Feedback submitted" in rater.content()
        rater.context.close()

    leader.reload()
    click_and_wait(leader, leader.get_by_role("link", name=f"Back to {PROGRAMME}"))
    assert "Morgan Manager (line manager): Submitted" in " ".join(leader.inner_text("main").split())
    journey.check(leader, "leader sees progress")


def the_admin_closes_the_programme(world, admin):
    """(d) The admin closes the programme: the worker renders each theme's report."""
    journey, base = world.journey, world.base
    admin.goto(f"{base}/programmes/")
    click_and_wait(admin, admin.get_by_role("link", name=PROGRAMME, exact=True))
    assert "4 submitted, 1 declined" in admin.content()
    click_and_wait(admin, admin.get_by_role("link", name="Close the programme now"))
    assert "Close the programme now?" in admin.content()  # check before you continue
    journey.check(admin, "close: check before you continue")
    click_and_wait(admin, admin.get_by_role("button", name="Close the programme now"))
    assert f"{PROGRAMME} is closed" in admin.content()
    journey.check(admin, "programme closed")
    click_and_wait(admin, admin.get_by_role("link", name=f"Reports for {LEADER[0]}"))
    stop_checking(admin)
    journey.check(admin, "reports being generated")
    ready = admin.locator("strong.nhsuk-tag", has_text="Ready")
    world.reload_until(admin, lambda: ready.count() == 4, "4 ready reports")
    # Asking again renders nothing new (released reports stay as they are); it says so.
    click_and_wait(admin, admin.get_by_role("button", name="Generate reports"))
    assert admin.locator("main .nhsuk-inset-text, main .nhsuk-notification-banner").count()
    world.reload_until(admin, lambda: ready.count() == 4, "4 ready reports")
    journey.check(admin, "reports ready")


def the_leader_downloads_each_theme_as_pdf(world, leader):
    """The leader reads one report and downloads each theme's PDF."""
    journey, themes = world.journey, world.themes
    leader.reload()
    assert "(closed)" in leader.inner_text("main")
    click_and_wait(leader, leader.get_by_role("link", name="View your reports"))
    ready = leader.locator("strong.nhsuk-tag", has_text="Ready")
    world.reload_until(leader, lambda: ready.count() == 4, "4 ready reports")
    journey.check(leader, "leader's reports")
    for theme, _ in themes:
        with leader.expect_download() as download:
            leader.get_by_role("link", name=f"Download PDF of the {theme.name} report").click()
        text = pdf_text(download.value.path())
        assert LEADER[0] in text and theme.name in text, (theme.name, text[:300])
    click_and_wait(leader, leader.get_by_role("link", name=f"View the {themes[0][0].name} report"))
    journey.check(leader, "a theme report")


def the_admin_downloads_the_cohort_xlsx(world, admin):
    """(e) The admin prepares a cohort XLSX (forgetting the format first) and downloads it."""
    journey, base = world.journey, world.base
    admin.goto(f"{base}/programmes/")
    click_and_wait(admin, admin.get_by_role("link", name=PROGRAMME, exact=True))
    click_and_wait(admin, admin.get_by_role("link", name="Cohort exports", exact=True))
    journey.check(admin, "cohort exports", screenshot=False)
    click_and_wait(admin, admin.get_by_role("button", name="Prepare an export"))
    journey.check(admin, "prepare an export", screenshot=False)
    click_and_wait(admin, admin.get_by_role("button", name="Prepare export"))
    assert admin.title().startswith("Error:")
    journey.check(admin, "prepare an export with an error")
    admin.get_by_label("Excel workbook (XLSX)").check()
    admin.get_by_label("Named: each leader's name").check()
    click_and_wait(admin, admin.get_by_role("button", name="Prepare export"))
    stop_checking(admin)
    journey.check(admin, "export being prepared", screenshot=False)
    download_link = admin.get_by_role("link", name=re.compile(r"^Download"))
    world.reload_until(admin, lambda: download_link.count() == 1, "the export")
    journey.check(admin, "export ready")
    with admin.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = world.files / download.value.suggested_filename
    download.value.save_as(saved)
    rows = xlsx_rows(saved)
    assert any(LEADER[0] in row for row in rows), rows[:20]


def stop_checking(page) -> None:
    """On a page that checks again by itself, stop it (as a reader may) before axe runs."""
    stop = page.get_by_role("button", name="Stop checking")
    if stop.count() and stop.is_visible():
        stop.click()


def rate_with_a_mistake(browser, journey, link, pages) -> None:
    """The line manager misses two statements, is sent back by the review, and submits."""
    rater = new_page(browser, journey)
    rater.goto(link)
    journey.check(rater, "rater landing")
    click_and_wait(rater, rater.get_by_role("button", name="Start now"))
    for number, (form_page, statements) in enumerate(pages, start=1):
        assert rater.get_by_role("heading", level=1).inner_text().endswith(form_page.name)
        assert_statements_are_fieldsets(rater, statements)
        # axe on the first page, and on the first with a comment box.
        if number == 1 or (form_page.part == 3 and number == 3):
            journey.check(rater, f"rating page {number}", screenshot=number == 1)
        answer_page(rater, seed=number, leave=2 if number == len(pages) else 0)
        next_page(rater)
    submit_review(rater)
    assert rater.title().startswith("Error:")
    assert rater.locator(".nhsuk-error-summary__list a").count() == 2
    journey.check(rater, "review with missing answers")
    click_and_wait(rater, rater.locator(".nhsuk-error-summary__list a").first)
    journey.check(rater, "back to a missing answer", screenshot=False)
    answer_page(rater, seed=4)
    next_page(rater)
    journey.check(rater, "review", screenshot=False)
    submit_review(rater)
    assert "Feedback submitted" in rater.content()
    journey.check(rater, "feedback submitted")
    rater.goto(link)
    assert "You have already submitted your feedback" in rater.content()
    journey.check(rater, "link after submitting", screenshot=False)
    rater.context.close()


def rate_on_two_devices(browser, journey, link, pages) -> None:
    """A peer saves a draft on one device and finishes it on another, from the same link."""
    first = new_page(browser, journey)
    first.goto(link)
    click_and_wait(first, first.get_by_role("button", name="Start now"))
    answer_page(first, seed=7)
    next_page(first)
    saved = answer_page(first, seed=8, leave=1)
    click_and_wait(first, first.get_by_role("button", name="Save", exact=True))
    assert "Your answers have been saved" in first.content()
    journey.check(first, "answers saved")
    first.context.close()

    second = new_page(browser, journey)
    second.goto(link)
    journey.check(second, "rater landing, started before", screenshot=False)
    click_and_wait(second, second.get_by_role("button", name="Continue"))
    assert second.get_by_role("heading", level=1).inner_text().endswith(pages[1][0].name)
    assert second.locator("input[type=radio]:checked").count() == saved
    answer_page(second, seed=8)
    next_page(second)
    for _ in pages[2:]:
        answer_page(second, seed=9)
        next_page(second)
    submit_review(second)
    assert "Feedback submitted" in second.content()
    second.context.close()


def decline(browser, journey, link) -> None:
    rater = new_page(browser, journey)
    rater.goto(link)
    click_and_wait(rater, rater.get_by_role("button", name="I do not want to give feedback"))
    journey.check(rater, "decline")
    rater.get_by_label("Tell us why (optional)").fill("I have only just joined the team.")
    click_and_wait(rater, rater.get_by_role("button", name="Decline"))
    assert "You have declined to give feedback" in rater.content()
    journey.check(rater, "declined", screenshot=False)
    rater.goto(link)
    assert "You declined to give feedback" in rater.content()
    journey.check(rater, "link after declining", screenshot=False)
    rater.context.close()
