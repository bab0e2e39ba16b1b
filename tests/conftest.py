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
def _own_media_root(settings, tmp_path):
    """Every test writes reports and exports to a folder of its own. A shared MEDIA_ROOT
    leaked files between tests: SQLite reuses ids, so a later test's report path could hold
    an earlier test's stand-in PDF."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _framework_loaded(sender, **kwargs):
    """The framework (309 queries to load) is in every test database from the start: loaded
    once after migrate, and again after each flush that ends a transactional test (flush
    sends post_migrate), never per test."""
    if sender.name == "framework":
        call_command("load_framework", verbosity=0)


def pytest_configure(config):
    from django.db.models.signals import post_migrate

    post_migrate.connect(_framework_loaded, dispatch_uid="tests-framework-loaded")


@pytest.fixture
def framework(db):
    from framework.models import Framework

    return Framework.objects.get(slug="leadership-for-personalised-care", version="1")


@pytest.fixture
def no_framework(db):
    """For the few tests about a database without a framework: removed in the test's
    transaction, so it is back for the next test."""
    from framework.models import Framework

    Framework.objects.all().delete()


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
