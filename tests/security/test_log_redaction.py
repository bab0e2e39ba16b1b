"""Link and password-reset tokens are taken out of log lines, the web server's access log
included (config/log_filters.py)."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from config.log_filters import redact

ROOT = Path(__file__).resolve().parents[2]
# Shaped like secrets.token_urlsafe(32); fixed, so that every xdist worker collects the same
# test ids (the parametrize ids contain it).
TOKEN = "3Wr0b7xu8z8Ip9juh5CPyQRs7xf-hh0bj6zKZWxteSM"


@pytest.mark.parametrize(
    ("line", "cleaned"),
    [
        (f"Gone: /feedback/{TOKEN}/", "Gone: /feedback/[redacted]/"),
        ("Not Found: /feedback/short/", "Not Found: /feedback/[redacted]/"),
        (f"GET /feedback/{TOKEN}/?utm=x HTTP/1.1", "GET /feedback/[redacted]/?utm=x HTTP/1.1"),
        (f"/set-password/MQ/{'c' * 6}-{'d' * 32}/", "/set-password/MQ/[redacted]/"),
        (f"a token {TOKEN} alone", "a token [redacted] alone"),
        # Token-free pages, and other long values, stay as they are.
        ("GET /feedback/form/being/", "GET /feedback/form/being/"),
        ("GET /feedback/form/review/", "GET /feedback/form/review/"),
        ("POST /feedback/decline/", "POST /feedback/decline/"),
        ("GET /feedback/done/", "GET /feedback/done/"),
        ("/accounts/set-password/MQ/set-password/", "/accounts/set-password/MQ/set-password/"),
        ("/accounts/set-password/done/", "/accounts/set-password/done/"),
        ("sha256 " + "a" * 64, "sha256 " + "a" * 64),
    ],
)  # fmt: skip
def test_secrets_are_taken_out_of_a_line(line, cleaned):
    assert redact(line) == cleaned


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_gunicorn_access_log_does_not_write_rater_tokens(tmp_path):
    """gunicorn as the Dockerfile runs it, access log on stdout."""
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}/feedback/{TOKEN}/nothing-here/"
            status = None
            for _ in range(100):
                try:
                    status = urllib.request.urlopen(url, timeout=5).status
                except urllib.error.HTTPError as error:
                    status = error.code
                except OSError:
                    time.sleep(0.1)
                    continue
                break
            assert status == 404
            time.sleep(0.3)  # let the access line be written
        finally:
            server.terminate()
            server.wait(timeout=10)
    written = log.read_text()
    assert "GET /feedback/[redacted]/nothing-here/" in written, written[-2000:]
    assert TOKEN not in written
