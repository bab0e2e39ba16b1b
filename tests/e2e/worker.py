"""A real Celery worker for the journeys, and the emails it sends, read from its files."""

import contextlib
import email
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest
from django.conf import settings

from tests.services import unavailable, worker_database_url

from .browsing import WAIT_SECONDS

# The paths of the links people are emailed.
FEEDBACK_LINK = r"/feedback/[A-Za-z0-9_-]{43}/"
SET_PASSWORD_LINK = r"/accounts/set-password/[^/\s]+/[^/\s]+/"


# Emails --------------------------------------------------------------------------------

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


@dataclass(frozen=True)
class SentEmail:
    to: str
    subject: str
    text: str

    def link(self, pattern: str) -> str:
        """The one link in the text whose path matches ``pattern`` (a regex)."""
        found = sorted(set(re.findall(rf"https?://\S+?{pattern}", self.text)))
        assert len(found) == 1, f"expected one link like {pattern} in:\n{self.text}"
        return found[0]


class Mailbox:
    """The emails a worker wrote with Django's file-based backend, read from its folder."""

    def __init__(self, folder: Path):
        self.folder = folder

    def all(self) -> list[SentEmail]:
        found = []
        for path in sorted(self.folder.glob("*.log")):
            # Only whole messages: one still being written has no separator yet.
            for chunk in path.read_bytes().split(SEPARATOR)[:-1]:
                message = email.message_from_bytes(chunk.lstrip(b"\n"), policy=policy.default)
                text = message.get_body(preferencelist=("plain",)).get_content()
                found.append(SentEmail(str(message["To"]), str(message["Subject"]), text))
        return found

    def wait_for(self, to: str, subject: str = "", *, timeout=WAIT_SECONDS, worker=None):
        """The latest email to ``to`` whose subject contains ``subject``, once it is sent."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [
                m for m in self.all() if m.to.lower() == to.lower() and subject in m.subject
            ]
            if matching:
                return matching[-1]
            if worker is not None:
                worker.assert_alive()
            if time.monotonic() > deadline:
                sent = [(m.to, m.subject) for m in self.all()]
                log = f"\nWorker log:\n{worker.log(6000)}" if worker else ""
                pytest.fail(f"No email to {to} ({subject!r}) after {timeout} s; sent: {sent}{log}")
            time.sleep(0.3)


# Redis and a real Celery worker ----------------------------------------------------------


class Worker:
    """One `celery worker` process on the queues default and reports, killed at the end."""

    def __init__(self, *, redis_url: str, site_url: str, mail_dir: Path, log_path: Path):
        self.log_path = log_path
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.e2e.worker_settings",
            "DATABASE_URL": worker_database_url(refuse=unavailable),
            "CELERY_BROKER_URL": redis_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "EMAIL_FILE_PATH": str(mail_dir),
            "SITE_URL": site_url,
        }
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "default,reports",
                "-c",
                "2",
                "--pool",
                "prefork",
                "-n",
                f"e2e-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self, tail: int = 0) -> str:
        text = self.log_path.read_text(errors="replace")
        return text[-tail:] if tail else text

    def assert_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"The Celery worker exited ({self.process.returncode}):\n{self.log(6000)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        # Children left behind by a killed main process.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()


def forget_broker_connections(app) -> None:
    """Drop the app's broker connections, so the next message uses the broker now set."""
    from kombu import pools as kombu_pools

    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
