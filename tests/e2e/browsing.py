"""Driving Chromium through a journey: axe on each page, screenshots, signing in, waiting
for background work to show.

axe (WCAG 2.2 A/AA) results are added up over the whole test session in ``AXE_TALLY``;
``tests/e2e/conftest.py`` prints them at its end. Screenshots go to
``artifacts/screenshots/<journey>/<nn>-<name>-<width>.png``, at 375 and 1280 px wide.
"""

import contextlib
import re
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NARROW = 375  # a phone: no page may scroll sideways at this width (WCAG 1.4.10, Reflow)
SCREENSHOT_WIDTHS = (NARROW, 1280)
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
WAIT_SECONDS = 90  # the longest any one wait for background work may take
PASSWORD = "Tangerine-Kestrel-42"


# axe, added up over the session ---------------------------------------------------------

AXE_TALLY = {"pages": 0, "violations": 0}
# Pages wider than the 375 px viewport. Each is a failure of its journey; the session's end
# lists them all too.
WIDE_PAGES: list[str] = []
# Django template syntax that reached the page as text: a comment or tag the engine missed.
TEMPLATE_SYNTAX = re.compile(r"\{[#%{]|[#%}]\}")

_axe = None

# How far the page scrolls sideways, and the innermost elements reaching past the viewport
# (what to fix), as "tag.class" paths.
SIDEWAYS = """() => {
    const root = document.scrollingElement;
    const edge = root.clientWidth;
    // Visually hidden text (1 px, clipped) reaches past the edge without showing.
    const past = [...document.body.querySelectorAll("*")].filter((e) => {
        const box = e.getBoundingClientRect();
        return box.right > edge + 1 && box.width > 1;
    });
    const innermost = past.filter((e) => !past.some((o) => o !== e && e.contains(o)));
    const name = (e) => e.tagName.toLowerCase() + [...e.classList].map((c) => "." + c).join("");
    return {
        scrollWidth: root.scrollWidth,
        clientWidth: edge,
        culprits: innermost.slice(0, 5).map((e) =>
            `${name(e.parentElement)} > ${name(e)} (${e.textContent.trim().slice(0, 30)})`
        ),
    };
}"""


def axe_violations(page) -> list[str]:
    """Run axe's WCAG 2.2 A/AA rules on the page; count it in the session's tally."""
    global _axe
    from axe_playwright_python.sync_playwright import Axe

    _axe = _axe or Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    found = _axe.run(page, options=options).response["violations"]
    AXE_TALLY["pages"] += 1
    AXE_TALLY["violations"] += len(found)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, first {v['nodes'][0]['target']})"
        for v in found
    ]


class Journey:
    """One journey's pages: axe on each, screenshots of the main ones, and anything the
    browser reports (a script error, a refusal by the content security policy)."""

    def __init__(self, name: str):
        self.name = name
        self.folder = SCREENSHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.shots = 0
        self.problems: dict[str, list[str]] = {}
        self.browser_errors: list[str] = []

    def watch(self, page):
        def console(message):
            # A page served with an error status (a 404, a 410) is logged as a failed load.
            served_with_error = message.text.startswith("Failed to load resource") and (
                message.location.get("url") == page.url
            )
            if message.type == "error" and not served_with_error:
                self.browser_errors.append(f"{page.url}: {message.text}")

        page.on("pageerror", lambda error: self.browser_errors.append(f"{page.url}: {error}"))
        page.on("console", console)
        return page

    def check(self, page, name: str, *, screenshot: bool = True) -> None:
        """axe on the page as it is now, and whether it reflows at 375 px; then, if asked,
        a screenshot at each width."""
        found = axe_violations(page) + self._template_syntax(page)
        if found:
            self.problems[name] = found
        if screenshot:
            self.screenshot(page, name, checked=True)
        else:
            size = page.viewport_size or {"width": 1280, "height": 800}
            page.set_viewport_size({"width": NARROW, "height": 800})
            self._reflows(page, name)
            page.set_viewport_size(size)

    def screenshot(self, page, name: str, *, checked: bool = False) -> None:
        """Full-page PNGs at 375 and 1280 px wide; works with JavaScript off, where axe
        cannot run (it needs the page's scripts), so there only the text is checked."""
        self.shots += 1
        size = page.viewport_size or {"width": 1280, "height": 800}
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        for width in SCREENSHOT_WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            if width == NARROW:
                self._reflows(page, name)
            page.screenshot(
                path=self.folder / f"{self.shots:02d}-{slug}-{width}.png",
                full_page=True,
                animations="disabled",
            )
        page.set_viewport_size(size)
        if not checked and (found := self._template_syntax(page)):
            self.problems.setdefault(name, []).extend(found)

    def _reflows(self, page, name: str) -> None:
        """At 375 px (the viewport set now), a page must not scroll sideways."""
        measured = page.evaluate(SIDEWAYS)
        if measured["scrollWidth"] > measured["clientWidth"]:
            WIDE_PAGES.append(f"{self.name}/{name}")
            self.problems.setdefault(name, []).append(
                f"scrolls sideways at {NARROW} px: {measured['scrollWidth']} px wide, "
                f"past the edge: {measured['culprits']}"
            )

    @staticmethod
    def _template_syntax(page) -> list[str]:
        text = page.inner_text("body")
        return [
            f"template syntax shown: …{text[max(0, m.start() - 40) : m.end() + 40]}…"
            for m in TEMPLATE_SYNTAX.finditer(text)
        ]

    def assert_clean(self) -> None:
        assert self.problems == {}, f"Problems (axe: WCAG 2.2 A/AA; reflow) on: {self.problems}"
        assert self.browser_errors == []


def new_page(browser, journey: Journey | None = None, **context_options):
    """A page in a fresh browser context: another person, or another device."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, accept_downloads=True, **context_options
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return journey.watch(page) if journey else page


def click_and_wait(page, locator) -> None:
    """Click something that loads a new page, and wait for it."""
    with page.expect_navigation():
        locator.click()


def sign_in(page, base_url: str, email_address: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(email_address)
    page.get_by_label("Password", exact=True).fill(password)
    click_and_wait(page, page.get_by_role("button", name="Sign in"))


def sign_out(page) -> None:
    click_and_wait(page, page.get_by_role("button", name="Sign out"))


def reload_until(page, ready, *, what: str, timeout: float = WAIT_SECONDS, worker=None):
    """Reload the page until ``ready()`` is true, for at most ``timeout`` seconds."""
    from playwright.sync_api import Error as PlaywrightError

    def is_ready() -> bool:
        try:
            return ready()
        except PlaywrightError:  # the page was between two loads
            return False

    deadline = time.monotonic() + timeout
    while not is_ready():
        if worker is not None:
            worker.assert_alive()
        if time.monotonic() > deadline:
            log = f"\nWorker log:\n{worker.log(6000)}" if worker else ""
            pytest.fail(f"Timed out after {timeout} s waiting for {what} on {page.url}{log}")
        time.sleep(1)
        # The page may be reloading itself too (pending reports, exports): either will do.
        with contextlib.suppress(PlaywrightError):
            page.reload()
