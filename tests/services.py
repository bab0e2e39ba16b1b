"""What tests that start real processes (Celery workers, the benchmark) need to reach the
same services as the test run: Redis, and the test database under a URL another process can
open."""

import os
from urllib.parse import quote

import pytest
from django.db import connection

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable(reason: str):
    """Skip, or in CI (CI=true, where everything must run) fail."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: required)", pytrace=False)
    pytest.skip(reason)


def redis_answers(url: str = REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def worker_database_url(*, refuse) -> str:
    """The test database as a worker process opens it; ``refuse(reason)`` (a skip or a
    failure) when there is none it can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if "memory" in name or not name:
            refuse(
                "The worker needs a database it can open: run on PostgreSQL "
                "(DATABASE_URL) or give the SQLite test database a file name."
            )
        return f"sqlite:///{name}"
    if connection.vendor != "postgresql":
        refuse(f"No worker database URL for {connection.vendor}")
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"
