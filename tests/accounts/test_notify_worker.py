"""GOV.UK Notify delivery with a real Redis broker and a real Celery worker in another
process: every kind of email reaches the local Notify (tests/notify_server.py) from the
worker, signed with the API key the worker was given in its environment.

Skipped when Redis does not answer at REDIS_URL, except in CI (CI=true).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from accounts.models import OutboxEmail
from tests.accounts.test_emails_worker import (
    _shared_database_name,
    _wait_for,
    broker,  # noqa: F401 - the fixture, used below
)
from tests.accounts.test_notify import queue_one_of_each_kind
from tests.notify_server import API_KEY, FakeNotify

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("broker"),
]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def notify_server():
    import uuid

    from accounts.emails import MESSAGES

    template_ids = {kind: str(uuid.uuid5(uuid.NAMESPACE_URL, kind)) for kind in MESSAGES}
    fake = FakeNotify(templates=set(template_ids.values()), template_ids=template_ids)
    fake.base_url = fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def notify_worker(redis_url, django_db_setup, tmp_path_factory, notify_server):
    """A Celery worker that delivers through the local Notify, killed after the module."""
    log = tmp_path_factory.mktemp("notify-worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.accounts.worker_settings",
        "PYTHONPATH": str(ROOT),
        "LPC360_WORKER_BROKER_URL": redis_url,
        "LPC360_WORKER_EMAIL_DIR": str(tmp_path_factory.mktemp("no-smtp")),
        "LPC360_WORKER_DB_NAME": _shared_database_name(),
        "LPC360_WORKER_SITE_URL": "https://lpc360.example.nhs.uk",
        "EMAIL_DELIVERY": "notify",
        "NOTIFY_API_KEY": API_KEY,
        "NOTIFY_BASE_URL": notify_server.base_url,
        "NOTIFY_TEMPLATE_IDS": ",".join(f"{k}={v}" for k, v in notify_server.template_ids.items()),
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        *("-A", "config", "worker", "-Q", "default", "-c", "1", "--pool=solo", "-l", "INFO"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        *("-n", f"lpc360-notify-test-{os.getpid()}@%h"),
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
        yield {"log": log, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_a_real_worker_sends_every_kind_of_email_through_notify(
    notify_worker, notify_server, assessment, programme_admin, settings
):
    settings.SITE_URL = "https://lpc360.example.nhs.uk"
    # One transaction: the worker starts once it commits (SQLite lets one process write).
    with transaction.atomic():
        rows = queue_one_of_each_kind(assessment=assessment, programme_admin=programme_admin)
    sent = OutboxEmail.objects.filter(state="sent").exclude(notification_id="")
    _wait_for(lambda: sent.count() == len(rows), what="every row sent", log=notify_worker["log"])
    assert len(notify_server.sent) == len(rows)
    assert {body["template_id"] for body in notify_server.sent} == set(
        notify_server.template_ids.values()
    )
    for row in OutboxEmail.objects.all():
        (body,) = [b for b in notify_server.sent if b["reference"] == f"lpc360-outbox-{row.pk}"]
        assert body["email_address"] == row.to
        assert body["template_id"] == notify_server.template_ids[row.kind]
        assert body["personalisation"]["link"].startswith("https://lpc360.example.nhs.uk/")
        assert row.notification_id in notify_server.notifications
        assert row.attempts == 1


def test_a_real_worker_gives_up_at_once_on_an_address_notify_refuses(
    notify_worker, notify_server, leader, programme
):
    from accounts.emails import email_queue

    notify_server.sent.clear()
    notify_server.fail_next(400)
    row = email_queue(
        kind="added_to_programme",
        to=leader.email,
        context={"user_id": leader.pk, "programme_id": programme.pk},
    )
    failed = OutboxEmail.objects.filter(pk=row.pk, state="failed")
    _wait_for(failed.exists, what="the row failed", log=notify_worker["log"])
    row.refresh_from_db()
    assert row.attempts == 1 and "400" in row.last_error
    assert notify_server.sent == []
