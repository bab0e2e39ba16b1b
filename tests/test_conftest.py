"""The suite's own machinery (tests/conftest.py): the framework loaded once per test
database, one media folder per test, and the xdist groups."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from framework.models import Framework, Statement


def test_the_framework_is_read_not_loaded_per_test(db, request, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        framework = request.getfixturevalue("framework")
    assert framework.slug == "leadership-for-personalised-care"
    assert Statement.objects.filter(quality__theme__framework=framework).count() == 39


def test_the_framework_is_back_after_a_transactional_test_flushes(transactional_db):
    call_command("flush", interactive=False, verbosity=0)
    assert Framework.objects.filter(slug="leadership-for-personalised-care").exists()
    assert Statement.objects.count() == 39


def test_no_framework_removes_it_for_one_test(no_framework):
    assert not Framework.objects.exists()


def test_each_test_has_its_own_media_root(tmp_path):
    assert Path(settings.MEDIA_ROOT) == tmp_path / "media"
