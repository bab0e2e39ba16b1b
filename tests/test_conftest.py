"""The suite's own machinery (tests/conftest.py): the framework loaded once per test
database, one media folder per test, and the xdist groups."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from framework.models import Framework, Statement
from tests import conftest
from tests.services import unavailable


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


def test_a_missing_service_skips_but_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        unavailable("needs something")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        unavailable("needs something")


def test_without_chromium_the_browser_fixture_fails_in_ci(monkeypatch, request):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(conftest, "CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(pytest.fail.Exception, match="chromium"):
        next(conftest.browser.__wrapped__())


def _group_of(request):
    marks = [mark.args[0] for mark in request.node.iter_markers("xdist_group")]
    under_loadgroup = hasattr(request.config, "workerinput") and request.config.getvalue(
        "loadgroup"
    )
    return marks, request.node.nodeid, under_loadgroup


@pytest.mark.browser
def test_browser_tests_run_in_one_xdist_group(request):
    marks, nodeid, under_loadgroup = _group_of(request)
    assert marks == ["browser"]
    if under_loadgroup:
        assert nodeid.endswith("@browser")


@pytest.mark.browser
@pytest.mark.services
def test_tests_with_a_real_worker_run_in_their_own_group_even_with_a_browser(request):
    marks, nodeid, under_loadgroup = _group_of(request)
    assert marks == ["services"]
    if under_loadgroup:
        assert nodeid.endswith("@services")


def test_other_tests_are_in_no_group(request):
    marks, nodeid, _ = _group_of(request)
    assert marks == [] and "@" not in nodeid


def test_fake_pdf_gives_a_valid_pdf_titled_like_the_document(fake_pdf):
    from io import BytesIO

    from pypdf import PdfReader
    from weasyprint import HTML

    pdf = HTML(string="<title>Being – Alex Leader</title><p>Body</p>").write_pdf()
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    assert "Alex Leader" in reader.pages[0].extract_text()


@pytest.mark.real_pdf
def test_real_pdf_keeps_weasyprint(fake_pdf):
    from io import BytesIO

    from pypdf import PdfReader
    from weasyprint import HTML

    pdf = HTML(string="<p>Only a real render has this body text</p>").write_pdf()
    assert "body text" in PdfReader(BytesIO(pdf)).pages[0].extract_text()
