"""Settings for the real Celery worker that tests/reports/test_worker_reports.py starts.

The test settings with tasks really sent to the broker, and the database, broker and media
directory the test gives through the environment. ``REPORTS_TEST_SLOW_RENDER_SECONDS``
makes the first render in this worker slow (once, marked by a file), so a test can kill the
worker in the middle of it.
"""

import os
import time
from pathlib import Path

from config.settings.test import *  # noqa: F403
from config.settings.test import env

CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
MEDIA_ROOT = env.path("MEDIA_ROOT")
# DATABASE_URL (the test database) is read by config.settings.base.

SLOW_RENDER_SECONDS = env.float("REPORTS_TEST_SLOW_RENDER_SECONDS", default=0)
SLOW_RENDER_MARKER = env("REPORTS_TEST_SLOW_RENDER_MARKER", default="")


def _slow_first_render(**kwargs):
    """In each worker child: the first render anywhere in this test sleeps before rendering."""
    from reports import services

    render = services.pdf_render

    def slow_render(**render_kwargs):
        marker = Path(SLOW_RENDER_MARKER)
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return render(**render_kwargs)
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        time.sleep(SLOW_RENDER_SECONDS)
        return render(**render_kwargs)

    services.pdf_render = slow_render


if SLOW_RENDER_SECONDS and SLOW_RENDER_MARKER:
    from celery.signals import worker_process_init

    worker_process_init.connect(_slow_first_render, weak=False)
