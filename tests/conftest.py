import os
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests import factories
from tests.services import CHROMIUM, CHROMIUM_ARGS, REDIS_URL, redis_answers, unavailable


def pytest_report_header(config):
    db = connection.settings_dict
    return f"database: {connection.vendor} ({db['NAME']}) — set DATABASE_URL to change"


# The browser tests' axe and reflow tally (tests/e2e/browsing.py), summed over xdist workers
# and printed at the end of the run: "axe: checked N pages, V violations".
_WORKERS_TALLY = {"pages": 0, "violations": 0, "wide": []}


def _browser_tally() -> dict:
    browsing = sys.modules.get("tests.e2e.browsing")
    if browsing is None:
        return {"pages": 0, "violations": 0, "wide": []}
    return {**browsing.AXE_TALLY, "wide": list(browsing.WIDE_PAGES)}


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the tally to the controller
        workeroutput["browser_tally"] = _browser_tally()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    tally = getattr(node, "workeroutput", {}).get("browser_tally")
    if tally:
        _WORKERS_TALLY["pages"] += tally["pages"]
        _WORKERS_TALLY["violations"] += tally["violations"]
        _WORKERS_TALLY["wide"] += tally["wide"]


def pytest_terminal_summary(terminalreporter):
    local = _browser_tally()
    pages = _WORKERS_TALLY["pages"] + local["pages"]
    violations = _WORKERS_TALLY["violations"] + local["violations"]
    wide = _WORKERS_TALLY["wide"] + local["wide"]
    if pages:
        terminalreporter.write_line(f"axe: checked {pages} pages, {violations} violations")
    if wide:
        terminalreporter.write_line(
            f"reflow: {len(wide)} pages scroll sideways at 375 px: " + ", ".join(wide)
        )


def pytest_sessionstart(session):
    # In CI the suite must run on PostgreSQL; a silent fallback to SQLite would hide that.
    if os.environ.get("REQUIRE_POSTGRES") and connection.vendor != "postgresql":
        raise pytest.UsageError(
            f"REQUIRE_POSTGRES is set but the database is {connection.vendor}; set DATABASE_URL."
        )


@pytest.fixture(autouse=True)
def _framework_outlines_forgotten():
    """Each test starts with no outline cached: a rolled-back database can hand the same
    framework id to different rows in the next test (SQLite reuses ids)."""
    from assessments.services.rating_form import outline_cache_clear

    outline_cache_clear()


@pytest.fixture(autouse=True)
def _throttles_forgotten():
    """Limits count in the cache (rater links, sign-ins, password resets), and a broker
    failure pauses enqueueing: every test starts afresh, whatever ran before it."""
    from django.core.cache import cache

    from config.celery import tasks_enqueue_backoff_reset

    cache.clear()
    tasks_enqueue_backoff_reset()  # a broker failure seen by an earlier test


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Every test writes reports and exports to a folder of its own. A shared MEDIA_ROOT
    leaked files between tests: SQLite reuses ids, so a later test's report path could hold
    an earlier test's stand-in PDF."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _framework_loaded(sender, **kwargs):
    """The framework (309 queries to load) is in every test database from the start: loaded
    once after migrate, and again after each flush that ends a transactional test (flush
    sends post_migrate), never per test."""
    if sender.name == "framework":
        call_command("load_framework", verbosity=0)


# pytest-xdist (make test runs -n 2 --dist loadgroup): tests in one group run on one worker,
# one after another. Browser tests share a worker (one Chromium at a time); tests that start
# real Celery workers share another (one Redis database, one set of worker processes), the
# end-to-end journey among them (it drives Chromium too).
XDIST_GROUPS = (("services", "services"), ("browser", "browser"))


def xdist_group_of(item) -> str | None:
    for marker, group in XDIST_GROUPS:
        if item.get_closest_marker(marker):
            return group
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # xdist reads xdist_group marks in its own pytest_collection_modifyitems: the marks must
    # be on the items before it runs (hence tryfirst, and add_marker on each item).
    # xdist 3.8 then gives each grouped item the id "<nodeid>@<group>" by setting
    # item._nodeid, which pytest 9 no longer reads (nodeid comes from item._id): the
    # scheduler never saw a group. Set the id pytest 9 reads (checked in test_conftest.py).
    loadgroup = hasattr(config, "workerinput") and config.getvalue("loadgroup")
    for item in items:
        group = xdist_group_of(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
            if loadgroup and not item.nodeid.endswith(f"@{group}"):
                from _pytest.nodeid import NodeId

                item._id = NodeId.parse(f"{item.nodeid}@{group}")


def pytest_configure(config):
    from django.db.models.signals import post_migrate

    post_migrate.connect(_framework_loaded, dispatch_uid="tests-framework-loaded")


@pytest.fixture
def framework(db):
    from framework.models import Framework

    return Framework.objects.get(slug="leadership-for-personalised-care", version="1")


@pytest.fixture
def no_framework(db):
    """For the few tests about a database without a framework: removed in the test's
    transaction, so it is back for the next test."""
    from framework.models import Framework

    Framework.objects.all().delete()


def tiny_pdf(title: str = "") -> bytes:
    """A valid one-page PDF whose only text is ``title``: what a test gets instead of a real
    render when "a PDF exists" is all it needs."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")[:200]
    stream = f"BT /F1 12 Tf 72 770 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture
def fake_pdf(request, monkeypatch):
    """WeasyPrint's layout (~0.3-3 s a PDF) replaced by a tiny valid PDF titled with the
    document's <title>, for tests where the PDF is not the subject (pipeline, views, audit,
    release, retention). The template is still rendered and parsed, so template errors still
    fail. A test marked ``real_pdf`` (one that reads the PDF's text) renders for real.
    Real renders stay in tests/reports/test_pdf_report.py, test_exports_pdf.py and the tests
    that read PDFs."""
    if request.node.get_closest_marker("real_pdf"):
        return
    from weasyprint import HTML

    def write_pdf(self, *args, **kwargs):
        title = self.etree_element.findtext(".//title") or ""
        return tiny_pdf(" ".join(title.split()))

    monkeypatch.setattr(HTML, "write_pdf", write_pdf)


@pytest.fixture
def leader(db):
    return factories.UserFactory(full_name="Alex Leader", email="alex.leader@example.nhs.uk")


@pytest.fixture
def notify(settings):
    """A local GOV.UK Notify (tests/notify_server.py), with email delivered through it: one
    template id per kind of email."""
    import uuid

    from accounts.emails import MESSAGES
    from tests.notify_server import API_KEY, FakeNotify

    template_ids = {kind: str(uuid.uuid5(uuid.NAMESPACE_URL, kind)) for kind in MESSAGES}
    fake = FakeNotify(templates=set(template_ids.values()))
    settings.EMAIL_DELIVERY = "notify"
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = fake.start()
    settings.NOTIFY_TEMPLATE_IDS = template_ids
    fake.template_ids = template_ids
    yield fake
    fake.stop()


@pytest.fixture
def programme_admin(db):
    return factories.UserFactory(full_name="Pat Admin", email="pat.admin@example.nhs.uk")


@pytest.fixture
def programme(framework, programme_admin):
    programme = factories.ProgrammeFactory(framework=framework)
    programme.admins.add(programme_admin)
    return programme


# Services a test may need: each skips when missing, except under CI=true, where it fails.


@pytest.fixture(scope="session")
def redis_url():
    if not redis_answers(REDIS_URL):
        unavailable(f"Redis does not answer at {REDIS_URL} (set REDIS_URL)")
    return REDIS_URL


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven through Playwright, one per test module."""
    if not Path(CHROMIUM).exists():
        unavailable(f"needs Debian's chromium at {CHROMIUM}")
    try:
        from playwright import sync_api as playwright_api
    except ImportError:
        unavailable("needs Playwright (pip install -e '.[dev]')")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are plain synchronous code.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def browser_context(browser):
    """A fresh browser profile (no cookies) for one test; downloads allowed."""
    context = browser.new_context(accept_downloads=True)
    yield context
    context.close()


# People and data, one fixture per thing ---------------------------------------------------


@pytest.fixture
def assessment(programme, leader):
    """Alex Leader's assessment in ``programme``: no raters, nothing answered."""
    return factories.AssessmentFactory(programme=programme, leader=leader)


@pytest.fixture
def rated_assessment(framework, leader, programme):
    """Alex Leader's assessment with a full set of feedback
    (tests.reports.test_pdf_report.assessment_with_feedback): self, line manager, 4 peers,
    2 direct reports (under k), 3 others, comments on Being."""
    from tests.reports.test_pdf_report import assessment_with_feedback

    return assessment_with_feedback(framework=framework, leader=leader, programme=programme)


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client


@pytest.fixture
def programme_admin_client(client, programme_admin):
    """The test client signed in as ``programme_admin``, an admin of ``programme`` (with the
    programme-admin role). Not pytest-django's ``admin_client`` (a Django superuser)."""
    from accounts.models import Role
    from accounts.roles import role_grant

    role_grant(user=programme_admin, role=Role.PROGRAMME_ADMIN)
    client.force_login(programme_admin)
    return client


@pytest.fixture
def cohort(programme, framework, leader):
    """A closed ``programme`` of leaders with feedback for the cohort exports
    (tests.reports.test_exports.build_cohort)."""
    from tests.reports.test_exports import build_cohort

    return build_cohort(programme=programme, framework=framework, leader=leader)
