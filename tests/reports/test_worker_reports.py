"""Theme reports rendered by a real Celery worker, over real Redis, into the test database.

Skipped when Redis does not answer, except in CI (CI=true), where that is a failure.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from kombu import pools as kombu_pools

from config.celery import app as celery_app
from reports.models import ThemeReport
from reports.services import reports_generate
from tests.reports.test_pdf_report import assessment_with_feedback
from tests.services import worker_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

READY_TIMEOUT = 60
Status = ThemeReport.Status


class Workers:
    """Starts `celery worker -Q reports -c 1` processes; kills every one it started."""

    def __init__(self, redis_url, database_url, log_dir: Path):
        self.redis_url = redis_url
        self.database_url = database_url
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(self, **extra_env) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reports.worker_settings",
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": self.redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **{key: str(value) for key, value in extra_env.items()},
        }
        log = open(self.log_dir / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "reports",
                "-c",
                "1",
                "--pool",
                "prefork",
                "-n",
                f"reports-test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def log(self, tail: int | None = None) -> str:
        logs = sorted(self.log_dir.glob("worker-*.log"))
        return "\n".join(p.read_text(errors="replace")[-tail if tail else 0 :] for p in logs)

    def children(self, process) -> list[int]:
        result = subprocess.run(
            ["ps", "--ppid", str(process.pid), "-o", "pid="],
            capture_output=True,
            text=True,
            check=False,
            timeout=5,
        )
        return [int(pid) for pid in result.stdout.split()]

    def stop(self, process, timeout=20):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def kill_all(self):
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@pytest.fixture
def workers(redis_url, tmp_path):
    """Workers against real Redis; this process sends tasks to the broker, not in process."""
    database_url = worker_database_url(refuse=pytest.skip)
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url=redis_url)
    _forget_connections()
    pool = Workers(redis_url, database_url, tmp_path)
    yield pool
    pool.kill_all()
    celery_app.conf.update(saved)
    _forget_connections()


def _forget_connections():
    """Drop the app's broker connections, so the next message uses the broker now set."""
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _wait_until(predicate, *, timeout, what, workers):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(
        f"Timed out after {timeout} s waiting for {what}.\nWorker log:\n{workers.log(4000)}"
    )


def _all_ready(assessment):
    reports = ThemeReport.objects.filter(assessment=assessment)
    return reports.count() == 4 and all(r.status == Status.READY for r in reports)


def _report_files(assessment) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "reports" / str(assessment.programme_id) / str(assessment.pk)
    return sorted(root.iterdir()) if root.exists() else []


def test_a_real_worker_renders_every_theme_report(framework, leader, workers):
    assessment = assessment_with_feedback(framework=framework, leader=leader)
    workers.start()

    started = time.monotonic()
    reports_generate(assessment=assessment)
    _wait_until(
        lambda: _all_ready(assessment),
        timeout=READY_TIMEOUT,
        what="4 ready reports",
        workers=workers,
    )
    print(f"\n4 theme reports ready through the worker in {time.monotonic() - started:.1f} s")

    reports = ThemeReport.objects.filter(assessment=assessment)
    names = sorted(Path(settings.MEDIA_ROOT, r.file.name) for r in reports)
    assert _report_files(assessment) == names
    assert all(name.read_bytes().startswith(b"%PDF") for name in names)


def test_a_worker_killed_mid_render_loses_no_report(framework, leader, workers, tmp_path):
    assessment = assessment_with_feedback(framework=framework, leader=leader)
    marker = tmp_path / "slow-render-started"
    first = workers.start(
        REPORTS_TEST_SLOW_RENDER_SECONDS=90, REPORTS_TEST_SLOW_RENDER_MARKER=marker
    )

    reports_generate(assessment=assessment)
    _wait_until(
        lambda: (
            marker.exists()
            and ThemeReport.objects.filter(assessment=assessment, status=Status.RENDERING).exists()
        ),
        timeout=30,
        what="a render to start",
        workers=workers,
    )
    slow = ThemeReport.objects.get(assessment=assessment, status=Status.RENDERING)
    children = workers.children(first)
    assert children, "the worker has no child process"
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    workers.stop(first)
    workers.start()

    _wait_until(
        lambda: _all_ready(assessment),
        timeout=READY_TIMEOUT,
        what="4 ready reports",
        workers=workers,
    )
    slow.refresh_from_db()
    assert "WorkerLostError" in workers.log()  # it died while running the render
    assert slow.attempts >= 2  # the killed attempt counted, then one that finished
    reports = ThemeReport.objects.filter(assessment=assessment)
    assert _report_files(assessment) == sorted(
        Path(settings.MEDIA_ROOT, r.file.name) for r in reports
    )
