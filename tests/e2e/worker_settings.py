"""Settings for the real Celery worker that the end-to-end journeys start (tests/e2e).

The test settings, with tasks really taken from the broker, the test database and media
directory the test gives through the environment, and emails written to files (one a
message) in ``EMAIL_FILE_PATH``, where the journey reads the links people are sent.
``SITE_URL`` (read by the base settings) is the live server's address, so those links lead
to it.
"""

from config.settings.test import *  # noqa: F403
from config.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
MEDIA_ROOT = env.path("MEDIA_ROOT")
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
# DATABASE_URL (the test database) and SITE_URL are read by config.settings.base.

# On SQLite the worker's two processes and the live server write to one file: each waits
# for the write lock (taken when a transaction begins) rather than failing at once.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {}).update(  # noqa: F405
        timeout=30, transaction_mode="IMMEDIATE"
    )
