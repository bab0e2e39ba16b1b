"""Settings for the real Celery worker that tests/accounts/test_emails_worker.py starts.

The test settings, with tasks really queued, email written to files the test can read,
and the test database (whose name is only known once pytest has created it).
"""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["LPC360_WORKER_BROKER_URL"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["LPC360_WORKER_EMAIL_DIR"]
DATABASES["default"]["NAME"] = os.environ["LPC360_WORKER_DB_NAME"]
SITE_URL = os.environ.get("LPC360_WORKER_SITE_URL", "https://lpc360.example.nhs.uk")
