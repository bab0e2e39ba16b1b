"""The quick start (no environment at all): no Redis is needed, and nothing says it is."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# An email queued in the quick start: its task runs in process, as every task there does.
QUEUE_AN_EMAIL = """
import django
django.setup()
from django.conf import settings
from accounts.outbox import outbox_enqueue
print("eager", settings.CELERY_TASK_ALWAYS_EAGER)
# The database is empty (no tables): the task runs in process, fails and logs that (an
# ERROR line), which is all this needs; nothing may warn about the broker.
print("handed over", outbox_enqueue(outbox_id=0))
"""


def test_tasks_run_in_process_without_a_broker_warning(tmp_path):
    unset = ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "EMAIL_URL", "CI")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=f"sqlite:///{tmp_path / 'quick.sqlite3'}",
    )
    run = subprocess.run(
        [sys.executable, "-c", QUEUE_AN_EMAIL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "eager True" in run.stdout, run.stderr
    assert "handed over" in run.stdout, run.stderr
    assert "kombu" not in run.stderr
    assert "No hostname was supplied" not in run.stderr
    assert "WARNING" not in run.stderr, run.stderr
    assert "Email 0 left queued" in run.stderr  # the task did run, in process
