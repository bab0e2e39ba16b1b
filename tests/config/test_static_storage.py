"""Static URLs remembered per process (config/static_storage.py) are the storages' own."""

import pytest
from django.contrib.staticfiles import storage as django_storage
from django.templatetags.static import static

from config.static_storage import CompressedManifestStaticFilesStorage, StaticFilesStorage


def test_the_site_uses_the_remembering_storage():
    assert static("css/site.css") == "/static/css/site.css"
    assert isinstance(django_storage.staticfiles_storage._wrapped, StaticFilesStorage)


@pytest.mark.parametrize("name", ["css/site.css", "nhsuk/assets/images/favicon.ico", "a b/ü.js"])
def test_a_url_is_the_one_djangos_storage_gives(name):
    remembered, plain = StaticFilesStorage(), django_storage.StaticFilesStorage()
    assert remembered.url(name) == remembered.url(name) == plain.url(name)


def test_the_manifest_storage_gives_hashed_names_and_unhashed_with_debug_on(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "site.css").write_text("body{}")
    storage = CompressedManifestStaticFilesStorage(location=tmp_path)
    storage.hashed_files = {"site.css": "site.0123456789ab.css"}
    settings.DEBUG = False
    assert storage.url("site.css") == "/static/site.0123456789ab.css"
    settings.DEBUG = True
    assert storage.url("site.css") == "/static/site.css"
    settings.DEBUG = False
    with pytest.raises(ValueError):  # missing from the manifest: raises, every time
        storage.url("missing.css")
    with pytest.raises(ValueError):
        storage.url("missing.css")
