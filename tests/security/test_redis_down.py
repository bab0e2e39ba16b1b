"""Redis stopped: raters, sign-in and reminders go on; emails go out once when it is back.

The test starts its own redis-server on a free port (broker and cache both point at it),
stops it, uses the site, starts it again and lets a real Celery worker send what was left.
Skipped when there is no redis-server binary (a failure under CI=true). The worker needs a
database it can share: PostgreSQL, or the SQLite file test database of the test settings.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import OutboxEmail
from accounts.outbox import outbox_sweep
from assessments.models import Envelope, Invitation
from assessments.services.rating_form import rating_outline
from config.celery import app as celery_app
from config.celery import tasks_enqueue_backoff_reset
from tests import factories
from tests.assessments.rating.builders import full_answers, invite, page_post

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
WAIT_SECONDS = 30


def _unavailable(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the services must be there)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, on a port nothing else uses."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        command = [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(settings):
    if shutil.which("redis-server") is None:
        _unavailable("no redis-server binary")
    server = OwnRedis(_free_port())
    server.start()
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def reset_pools():
        celery_app._pool = None  # connections are pooled per broker URL
        celery_app.amqp._producer_pool = None
        tasks_enqueue_backoff_reset()

    conf.broker_url, conf.task_always_eager = server.url, False
    reset_pools()
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",  # as the site runs it
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    server.reset_pools = reset_pools
    try:
        yield server
    finally:
        server.stop()
        conf.broker_url, conf.task_always_eager = saved
        reset_pools()


def _database_a_worker_can_open() -> str:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
        _unavailable("the worker cannot see an in-memory SQLite test database")
    return name


@pytest.fixture
def worker_for(tmp_path):
    """Start a Celery worker on a given broker; returns the folder its emails go to."""
    processes = []
    outbox_dir = tmp_path / "sent-email"
    outbox_dir.mkdir()
    log = tmp_path / "worker.log"

    def start(broker_url):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.accounts.worker_settings",
            "PYTHONPATH": str(ROOT),
            "LPC360_WORKER_BROKER_URL": broker_url,
            "LPC360_WORKER_EMAIL_DIR": str(outbox_dir),
            "LPC360_WORKER_DB_NAME": _database_a_worker_can_open(),
        }
        celery = str(Path(sys.executable).with_name("celery"))
        command = [celery, "-A", "config", "worker", "-Q", "default", "--pool=solo"]
        command += ["-l", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        command += ["-n", f"lpc360-redis-down-{os.getpid()}@%h"]
        with open(log, "w") as log_file:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
            )
        processes.append(process)
        _wait_for(lambda: "ready." in log.read_text(), what="the worker to start", log=log)
        return outbox_dir, log

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for(condition, *, what, log):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"Gave up waiting for {what}. Worker log:\n{log.read_text()[-4000:]}")


def _recipients(outbox_dir) -> list[str]:
    recipients = []
    for path in sorted(outbox_dir.glob("*.log")):
        for line in path.read_text().splitlines():
            if line.startswith("To: "):
                recipients.append(line.removeprefix("To: ").strip())
    return recipients


def test_with_redis_stopped_a_rater_opens_their_link_and_submits(own_redis, programme, leader):
    assessment = factories.AssessmentFactory(programme=programme, leader=leader)
    _, token = invite(assessment)
    outline = rating_outline(framework=programme.framework)
    own_redis.stop()

    rater = Client()
    assert rater.get(f"/feedback/{token}/").status_code == 200
    wrong = Client().get(f"/feedback/{'A' * 43}/")
    assert wrong.status_code == 404
    url = rater.post(f"/feedback/{token}/", {"action": "start"})["Location"]
    url = rater.get(url)["Location"]
    answers = full_answers(outline)
    for _ in range(30):  # one page per quality
        if url == "/feedback/form/review/":
            break
        theme = next(t for t in outline.themes if f"/{t.slug}/" in url)
        url = rater.post(url, page_post(outline, theme, answers=answers))["Location"]
    assert url == "/feedback/form/review/"
    assert rater.post(url, {})["Location"] == "/feedback/done/"
    # Submitted: an envelope waits to be sealed with k of its group (docs/anonymity.md).
    assert Envelope.objects.filter(assessment=assessment).count() == 1


def test_with_redis_stopped_people_sign_in(own_redis, leader):
    own_redis.stop()
    browser = Client()
    wrong = browser.post("/accounts/login/", {"username": leader.email, "password": "wrong"})
    assert wrong.status_code == 200
    signed_in = browser.post("/accounts/login/", {"username": leader.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert browser.get("/my/").status_code == 200


def test_reminders_with_redis_stopped_are_sent_once_it_is_back(
    own_redis, worker_for, programme, programme_admin, leader
):
    assessment = factories.AssessmentFactory(programme=programme, leader=leader)
    raters = [invite(assessment)[0] for _ in range(11)]
    Invitation.objects.filter(pk__in=[r.pk for r in raters]).update(
        invited_at=timezone.now() - timedelta(days=2)
    )
    own_redis.stop()

    admin = Client()
    admin.force_login(programme_admin)
    started = time.monotonic()
    response = admin.post(reverse("invitations:programme_remind", args=[programme.pk]))
    took = time.monotonic() - started
    print(f"\nreminders for 11 raters with Redis stopped: {took:.2f} s")  # the figure, not a test
    assert response.status_code == 302
    # The 11 raters, and the leader, whose self-assessment is still to do.
    rows = OutboxEmail.objects.filter(kind__in=["rater_reminder", "leader_reminder"])
    assert set(rows.values_list("state", "attempts")) == {("queued", 0)}
    assert rows.count() == 12
    assert mail.outbox == []

    own_redis.start()
    own_redis.reset_pools()
    outbox_dir, log = worker_for(own_redis.url)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert outbox_sweep() == 12
        outbox_sweep()  # whatever is still queued is handed over twice: still sent once
    _wait_for(lambda: rows.filter(state="sent").count() == 12, what="12 sent rows", log=log)
    _wait_for(lambda: len(_recipients(outbox_dir)) >= 12, what="12 email files", log=log)
    time.sleep(1)  # a second copy, if any, would be written by now
    assert sorted(_recipients(outbox_dir)) == sorted([leader.email] + [r.email for r in raters])
