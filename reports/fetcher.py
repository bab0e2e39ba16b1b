"""What WeasyPrint may fetch while it renders a report: our own static files, nothing else.

Reports contain text typed by raters. An ``<img src="http://…">`` or ``file:///etc/passwd``
slipped into that text is escaped by the templates, but the renderer must refuse such URLs
anyway: a PDF is never a way to read the server's disk or to reach the network.

WeasyPrint is imported only inside ``url_fetcher()``, which only the PDF renderer calls, so
importing this module costs web processes nothing.
"""

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

# Relative URLs in report HTML are resolved against this base. It names no real host: the
# fetcher maps it to the static directories and WeasyPrint never opens a connection for it.
BASE_URL = "https://report.lpc360.invalid/"


def static_roots() -> list[Path]:
    """The directories report HTML may read from: STATICFILES_DIRS and STATIC_ROOT."""
    roots = []
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, tuple | list) else entry))
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def _within(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def _relative_static_path(url_path: str) -> str:
    """``/static/reports/report.css`` → ``reports/report.css``; refuses anything else."""
    static_url = urlsplit(settings.STATIC_URL).path or "/static/"
    if not static_url.endswith("/"):
        static_url += "/"
    if not url_path.startswith(static_url):
        raise ValueError(f"Not a static file URL: {url_path!r}")
    relative = url_path[len(static_url) :]
    parts = relative.split("/")
    if not relative or any(part in ("", ".", "..") for part in parts) or "\\" in relative:
        raise ValueError(f"Refusing an unusual static path: {url_path!r}")
    return relative


def static_file_for_url(url: str) -> Path:
    """The file a report URL stands for, if it is one of our static files.

    Accepted: ``/static/…`` paths (relative or on ``BASE_URL``) and ``file://`` URLs inside a
    static directory. Everything else — other hosts, ``data:``, path traversal, files outside
    the static directories, files that do not exist — raises ``ValueError``.
    """
    split = urlsplit(url)
    scheme = split.scheme.lower()
    roots = static_roots()
    path = unquote(split.path)
    if scheme == "file":
        if split.netloc not in ("", "localhost"):
            raise ValueError(f"Refusing a remote file URL: {url!r}")
        candidate = Path(posixpath.normpath(path)).resolve()
        if ".." in path.split("/"):
            raise ValueError(f"Refusing path traversal: {url!r}")
    elif (scheme == "" and not split.netloc) or url.startswith(BASE_URL):
        relative = _relative_static_path(path)
        candidates = [(root / relative).resolve() for root in roots]
        if not candidates:
            raise ValueError("No static directory is configured.")
        candidate = next((c for c in candidates if c.is_file()), candidates[0])
    else:
        raise ValueError(f"Refusing to fetch {scheme or 'a'} URL in a report: {url[:80]!r}")
    if not _within(candidate, roots):
        raise ValueError(f"Refusing a file outside the static directories: {url!r}")
    if not candidate.is_file():
        raise ValueError(f"No such static file: {url!r}")
    return candidate


def url_fetcher():
    """A WeasyPrint URL fetcher serving only ``static_file_for_url`` files."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file_for_url(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesOnlyFetcher()
