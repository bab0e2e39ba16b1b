"""Static file storages that remember the URLs they give, once per process.

Every page's layout asks for eight static URLs (``{% static %}``); each is rebuilt from the
file name every time (quoting and joining, and in production a look-up in the manifest of
hashed names). The answer depends only on the name while the process runs, so it is kept.
A name that fails (a file missing from the manifest) raises as before and is not kept. With
DEBUG on, the manifest storage gives unhashed names, so DEBUG is part of the key.
"""

from django.conf import settings
from django.contrib.staticfiles import storage
from whitenoise.storage import CompressedManifestStaticFilesStorage as WhiteNoiseManifest

_LIMIT = 4096  # names kept at most: a site has a few dozen; a stray lookup cannot grow it


class RememberedURLs:
    def url(self, name, *args, **kwargs):
        if args or kwargs:  # force=True and the like: as asked, not remembered
            return super().url(name, *args, **kwargs)
        urls = self.__dict__.setdefault("_remembered_urls", {})
        key = (name, settings.DEBUG)
        found = urls.get(key)
        if found is None:
            found = super().url(name)
            if len(urls) < _LIMIT:
                urls[key] = found
        return found


class StaticFilesStorage(RememberedURLs, storage.StaticFilesStorage):
    """Django's, for the quick start, the tests and the benchmark."""


class CompressedManifestStaticFilesStorage(RememberedURLs, WhiteNoiseManifest):
    """WhiteNoise's, for production."""
