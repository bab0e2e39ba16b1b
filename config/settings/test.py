"""Tests: the base settings with a fast password hasher and mail kept in memory."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="lpc360-media-"))
# The test server (DEBUG off) serves static files straight from static/.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A file, not memory, so that a real Celery worker process can share the test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / f".pytest-db-{os.getpid()}.sqlite3")  # noqa: F405
    }

# django-axes as in production, except that Django's test Client.login() (which passes no
# request) may sign in: see tests/security/client_login.py.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.AddressThrottleBackend",
    "tests.security.client_login.AxesBackendForTestClient",
    "django.contrib.auth.backends.ModelBackend",
]
