"""The outbox with a real Redis broker and a real Celery worker in another process.

Skipped when Redis does not answer at REDIS_URL (default redis://127.0.0.1:6379/15), except
in CI (CI=true), where that is a failure. The worker needs a database it can share with
the tests: PostgreSQL (DATABASE_URL), or SQLite with a file test database.
"""

import email
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import OutboxEmail
from accounts.tasks import sweep_outbox
from assessments.models import RaterGroup
from assessments.services.nominations import invitation_nominate, invitations_send
from assessments.tokens import token_from_nonce, token_hash
from config.celery import app as celery_app
from config.celery import tasks_enqueue_backoff_reset
from tests.services import REDIS_URL, unavailable

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

UNREACHABLE_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there
ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30

RATERS = [
    ("Morgan Manager", "morgan@example.nhs.uk", RaterGroup.LINE_MANAGER),
    ("Priya Peer", "priya@example.nhs.uk", RaterGroup.PEER),
    ("Sam Peer", "sam@example.nhs.uk", RaterGroup.PEER),
    ("Kai Peer", "kai@example.nhs.uk", RaterGroup.PEER),
    ("Dee Report", "dee@example.nhs.uk", RaterGroup.DIRECT_REPORT),
]


def _shared_database_name() -> str:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
        unavailable(
            "the worker cannot see an in-memory SQLite test database: run on PostgreSQL "
            "(DATABASE_URL) or give SQLite a file test database"
        )
    return name


@pytest.fixture(scope="module")
def worker(redis_url, django_db_setup, tmp_path_factory):
    """A Celery worker process on the default queue, killed when the module is done."""
    outbox_dir = tmp_path_factory.mktemp("sent-email")
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.accounts.worker_settings",
        "PYTHONPATH": str(ROOT),
        "LPC360_WORKER_BROKER_URL": redis_url,
        "LPC360_WORKER_EMAIL_DIR": str(outbox_dir),
        "LPC360_WORKER_DB_NAME": _shared_database_name(),
        "LPC360_WORKER_SITE_URL": "https://lpc360.example.nhs.uk",
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "config",
        "worker",
        "-Q",
        "default",
        "-c",
        "1",
        "--pool=solo",
        "-l",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"lpc360-test-{os.getpid()}@%h",
    ]
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        _wait_for(
            lambda: "ready." in log.read_text(),
            what="the worker to start",
            log=log,
            process=process,
        )
        yield {"outbox_dir": outbox_dir, "log": log, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def broker(redis_url):
    """Point this process's Celery app at a broker, tasks really queued; restore after."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def use(url):
        conf.broker_url, conf.task_always_eager = url, False
        celery_app._pool = None  # connections are pooled per broker URL
        celery_app.amqp._producer_pool = None
        tasks_enqueue_backoff_reset()  # a failure just seen must not hold back the next URL

    use(redis_url)
    yield use
    conf.broker_url, conf.task_always_eager = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    tasks_enqueue_backoff_reset()


@pytest.fixture
def nominated_assessment(assessment, leader):
    """The assessment with its five raters nominated, not yet invited."""
    for name, address, group in RATERS:
        invitation_nominate(
            assessment=assessment, name=name, email=address, rater_group=group, by=leader
        )
    return assessment


def _wait_for(condition, *, what, log, process=None, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError(f"Gave up waiting for {what}. Worker log:\n{log.read_text()[-4000:]}")


def _sent_messages(outbox_dir):
    messages = []
    for path in sorted(outbox_dir.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


def _parts(message):
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }


@pytest.fixture(autouse=True)
def _empty_outbox(worker):
    """The worker and its outbox folder serve the whole module, tests in any order: each
    test starts with the folder empty (the previous one waited for all its emails)."""
    for path in worker["outbox_dir"].glob("*.log"):
        path.unlink()


def test_a_real_worker_sends_the_invitations(worker, broker, nominated_assessment):
    invitations_send(
        assessment=nominated_assessment, by=nominated_assessment.leader
    )  # commits: tasks queued
    rows = OutboxEmail.objects.filter(kind="rater_invitation")
    assert rows.count() == 5
    _wait_for(lambda: rows.filter(state="sent").count() == 5, what="5 sent rows", log=worker["log"])
    _wait_for(
        lambda: len(_sent_messages(worker["outbox_dir"])) == 5,
        what="5 email files",
        log=worker["log"],
    )
    assert set(rows.values_list("attempts", flat=True)) == {1}

    peer = nominated_assessment.invitations.get(email="priya@example.nhs.uk")
    (message,) = [m for m in _sent_messages(worker["outbox_dir"]) if m["To"] == peer.email]
    assert message["Subject"] == "Alex Leader has asked for your feedback"
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    link = f"/feedback/{token_from_nonce(peer.token_nonce)}/"
    assert link in parts["text/plain"] and link in parts["text/html"]
    assert token_hash(link.split("/")[2]) == peer.token_hash


def test_with_the_broker_down_the_action_succeeds_and_the_sweeper_sends_later(
    worker, broker, nominated_assessment, client
):
    broker(UNREACHABLE_BROKER)
    client.force_login(nominated_assessment.leader)
    response = client.post(reverse("leader:send", args=[nominated_assessment.pk]))
    assert response.status_code == 302
    assert nominated_assessment.invitations.filter(state="invited").count() == 5
    rows = OutboxEmail.objects.filter(kind="rater_invitation")
    assert set(rows.values_list("state", "attempts")) == {("queued", 0)}

    already_sent = len(_sent_messages(worker["outbox_dir"]))
    broker(REDIS_URL)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert sweep_outbox() == 5
    _wait_for(lambda: rows.filter(state="sent").count() == 5, what="5 sent rows", log=worker["log"])
    _wait_for(
        lambda: len(_sent_messages(worker["outbox_dir"])) == already_sent + 5,
        what="5 more email files",
        log=worker["log"],
    )
    sent_now = _sent_messages(worker["outbox_dir"])[already_sent:]
    assert sorted(m["To"] for m in sent_now) == sorted(address for _, address, _ in RATERS)
