import os

import pytest
from django.core.management import call_command
from django.db import connection

from tests import factories


def pytest_report_header(config):
    db = connection.settings_dict
    return f"database: {connection.vendor} ({db['NAME']}) — set DATABASE_URL to change"


def pytest_sessionstart(session):
    # In CI the suite must run on PostgreSQL; a silent fallback to SQLite would hide that.
    if os.environ.get("REQUIRE_POSTGRES") and connection.vendor != "postgresql":
        raise pytest.UsageError(
            f"REQUIRE_POSTGRES is set but the database is {connection.vendor}; set DATABASE_URL."
        )


@pytest.fixture(autouse=True)
def _framework_outlines_forgotten():
    """Each test starts with no outline cached: a rolled-back database can hand the same
    framework id to different rows in the next test (SQLite reuses ids)."""
    from assessments.services.rating_form import outline_cache_clear

    outline_cache_clear()


@pytest.fixture(autouse=True)
def _throttles_forgotten():
    """Limits count in the cache (rater links, sign-ins, password resets), and a broker
    failure pauses enqueueing: every test starts afresh, whatever ran before it."""
    from django.core.cache import cache

    from config.celery import tasks_enqueue_backoff_reset

    cache.clear()
    tasks_enqueue_backoff_reset()  # a broker failure seen by an earlier test


@pytest.fixture
def framework(db):
    call_command("load_framework", verbosity=0)
    from framework.models import Framework

    return Framework.objects.get(slug="leadership-for-personalised-care", version="1")


@pytest.fixture
def leader(db):
    return factories.UserFactory(full_name="Alex Leader", email="alex.leader@example.nhs.uk")


@pytest.fixture
def programme_admin(db):
    return factories.UserFactory(full_name="Pat Admin", email="pat.admin@example.nhs.uk")


@pytest.fixture
def programme(framework, programme_admin):
    programme = factories.ProgrammeFactory(framework=framework)
    programme.admins.add(programme_admin)
    return programme
