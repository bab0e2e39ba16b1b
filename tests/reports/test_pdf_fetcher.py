"""What WeasyPrint may fetch while rendering a report: our static files, and nothing else."""

import http.server
import io
import logging
import threading

import pytest
from django.test import override_settings
from pypdf import PdfReader

from reports.fetcher import BASE_URL, static_file_for_url
from reports.pdf import pdf_render

STATIC_IMAGE = "/static/nhsuk/assets/images/nhsuk-icon-180.png"


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        RecordingHandler.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listening_server():
    """A local HTTP server that records every request it gets."""
    RecordingHandler.requests = []
    server = http.server.HTTPServer(("127.0.0.1", 0), RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _render(html: str) -> bytes:
    templates = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", {"page.html": html})]
            },
        }
    ]
    with override_settings(TEMPLATES=templates):
        return pdf_render(template_name="page.html", context={})


def _image_count(pdf: bytes) -> int:
    count = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        count += len(page.images)
    return count


@pytest.mark.parametrize(
    "url", ["/static/reports/report.css", BASE_URL + "static/reports/report.css"]
)
def test_static_urls_are_served_from_the_static_directory(url, settings):
    path = static_file_for_url(url)
    assert path == (settings.BASE_DIR / "static/reports/report.css").resolve()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/x.png",
        "https://example.org/x.png",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/static/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "/static/../config/settings/base.py",
        "/static/reports/../../config/settings/base.py",
        "/static/%2e%2e/config/settings/base.py",
        "/media/reports/1/2/x.pdf",
        "/etc/passwd",
        "ftp://example.org/x",
        "/static/reports/no-such-file.css",
        BASE_URL + "media/x.pdf",
    ],
)
def test_everything_else_is_refused(url):
    with pytest.raises(ValueError):
        static_file_for_url(url)


def test_a_file_url_inside_the_static_directory_is_served(settings):
    path = (settings.BASE_DIR / "static/reports/report.css").resolve()
    assert static_file_for_url(path.as_uri()) == path


def test_a_file_url_escaping_the_static_directory_is_refused(settings):
    inside = (settings.BASE_DIR / "static").resolve().as_uri()
    with pytest.raises(ValueError):
        static_file_for_url(inside + "/../config/settings/base.py")


def test_the_renderer_embeds_our_own_static_image():
    pdf = _render(f'<p>Logo</p><img src="{STATIC_IMAGE}" alt="">')
    assert _image_count(pdf) == 1


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_the_renderer_fetches_neither_the_network_nor_the_disk(listening_server):
    html = (
        "<p>Report</p>"
        '<img src="http://127.0.0.1:1/x.png" alt="">'
        f'<img src="{listening_server}/tracker.png" alt="">'
        f'<link rel="stylesheet" href="{listening_server}/evil.css">'
        '<img src="file:///etc/passwd" alt="">'
        '<img src="/static/../../../../etc/passwd" alt="">'
        f"<style>p {{ background: url({listening_server}/bg.png) }}</style>"
    )
    # WeasyPrint logs each refused fetch. Listen on its own logger: what reaches the root
    # logger (caplog) depends on the logging configuration other tests leave behind.
    weasyprint_log, records = logging.getLogger("weasyprint"), _Records()
    weasyprint_log.addHandler(records)
    level, disabled = weasyprint_log.level, weasyprint_log.disabled
    weasyprint_log.setLevel(logging.WARNING)
    weasyprint_log.disabled = False
    try:
        pdf = _render(html)
    finally:
        weasyprint_log.removeHandler(records)
        weasyprint_log.setLevel(level)
        weasyprint_log.disabled = disabled

    assert pdf.startswith(b"%PDF")
    assert "Report" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert RecordingHandler.requests == []
    assert _image_count(pdf) == 0
    assert b"root:" not in pdf
    assert any("Refusing" in message for message in records.messages)
