"""What the end-to-end journeys share: Chromium, a real Celery worker, and a programme
whose raters have been sent their links.

Every test here drives Debian's chromium (``/usr/bin/chromium``) through Playwright; the
journey with a worker also needs Redis (``REDIS_URL``, by default db 15 on localhost). Each
is skipped, saying why, when what it needs is missing, except under ``CI=true``, where that
is a failure. At the end of the session (tests/conftest.py): "axe: checked N pages, V
violations".
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection

from .browsing import PASSWORD
from .worker import FEEDBACK_LINK, Mailbox, Worker, forget_broker_connections


@pytest.fixture
def celery_worker(live_server, redis_url, settings, tmp_path):
    """A real worker over real Redis and the test database; the live server (this process)
    sends it tasks instead of running them in process. Emails land in ``worker.mailbox``."""
    from config.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    settings.SITE_URL = live_server.url
    app.conf.update(task_always_eager=False, broker_url=redis_url)
    forget_broker_connections(app)
    sqlite_options = _sqlite_waits_for_locks()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = Worker(
        redis_url=redis_url,
        site_url=live_server.url,
        mail_dir=mail_dir,
        log_path=tmp_path / "worker.log",
    )
    worker.mailbox = Mailbox(mail_dir)
    try:
        yield worker
    finally:
        worker.stop()
        app.conf.update(saved)
        forget_broker_connections(app)
        if sqlite_options is not None:
            connection.settings_dict["OPTIONS"] = sqlite_options
            connection.close()


def _sqlite_waits_for_locks() -> dict | None:
    """On SQLite, this process (the live server) and the worker write to one file: make new
    connections here wait for the write lock, as the worker's do (worker_settings.py).
    Returns the options to put back afterwards; None on other databases."""
    if connection.vendor != "sqlite":
        return None
    saved = connection.settings_dict.get("OPTIONS", {})
    # Connections opened from now on (one per live server request) read this same dict.
    connection.settings_dict["OPTIONS"] = {**saved, "timeout": 30, "transaction_mode": "IMMEDIATE"}
    connection.close()
    return saved


# A programme open for feedback, set up without the browser ---------------------------

RATERS = [
    ("Morgan Manager", "morgan.manager@example.nhs.uk", "line_manager"),
    ("Priya Peer", "priya.peer@example.nhs.uk", "peer"),
    ("Sam Peer", "sam.peer@example.nhs.uk", "peer"),
    ("Kai Peer", "kai.peer@example.nhs.uk", "peer"),
    ("Dee Report", "dee.report@example.nhs.uk", "direct_report"),
]


@dataclass(frozen=True)
class Invited:
    assessment: object
    links: dict  # rater's email → the link their invitation email gave them


@pytest.fixture
def invited(framework, live_server, settings, mailoutbox):
    """A leader (who can sign in) in an open programme, whose five raters have been emailed
    their links; the links are read from those emails (sent in process, tasks eager)."""
    from django.utils import timezone

    from assessments.services.nominations import invitation_nominate, invitations_send
    from assessments.services.programmes import assessment_create, programme_create

    settings.SITE_URL = live_server.url
    now = timezone.now()
    programme = programme_create(
        name="South West leaders 2026",
        framework=framework,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=14),
    )
    assessment, _ = assessment_create(
        programme=programme, email="ali.leader@example.nhs.uk", full_name="Ali Leader"
    )
    assessment.leader.set_password(PASSWORD)
    assessment.leader.save()
    for name, address, group in RATERS:
        invitation_nominate(
            assessment=assessment, name=name, email=address, rater_group=group, by=assessment.leader
        )
    invitations_send(assessment=assessment, by=assessment.leader)
    links = {}
    for message in mailoutbox:
        found = re.search(rf"\S+{FEEDBACK_LINK}", message.body)
        if found:
            links[message.to[0]] = found.group(0)
    assert sorted(links) == sorted(address for _, address, _ in RATERS)
    return Invited(assessment=assessment, links=links)


@pytest.fixture
def closed(rated_assessment, leader, programme_admin):
    """Alex Leader's rated assessment in a programme that has closed, released by the
    facilitator (Fran Facilitator, who has a password, as have Alex and Pat Admin), with its
    theme reports ready: the start of the debrief."""
    from accounts.models import Role
    from accounts.roles import role_grant
    from assessments.models import Programme
    from tests.audit.conftest import programme_closed, reports_ready
    from tests.factories import UserFactory

    facilitator = UserFactory(
        email="fran.facilitator@example.nhs.uk", full_name="Fran Facilitator", password=PASSWORD
    )
    role_grant(user=facilitator, role=Role.FACILITATOR)
    for person, role in ((leader, Role.LEADER), (programme_admin, Role.PROGRAMME_ADMIN)):
        person.set_password(PASSWORD)
        person.save()
        role_grant(user=person, role=role)
    programme = programme_closed(
        rated_assessment.programme, release_mode=Programme.ReleaseMode.BY_FACILITATOR
    )
    programme.facilitators.add(facilitator)
    rated_assessment.facilitator = facilitator
    rated_assessment.save()
    reports_ready(rated_assessment)
    return rated_assessment
