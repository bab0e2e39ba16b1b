"""The benchmark's smoke run (``python -m bench.run --smoke``), so the suite cannot rot.

It runs as a subprocess against real PostgreSQL, Redis, gunicorn and a Celery worker, in a
database of its own (``lpc360_bench_smoke``). No timing is asserted: speed is the
benchmark's business; this checks that it completes and reports every figure. Skipped
when PostgreSQL or Redis does not answer, except in CI (CI=true), where that is a failure.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench.database import DatabaseURL, server_answers
from bench.figures import FIGURE_KEYS
from tests.services import REDIS_URL, redis_answers

pytestmark = [pytest.mark.bench, pytest.mark.services]

BASE_DIR = Path(__file__).resolve().parent.parent.parent
TIMEOUT_SECONDS = 420


def _smoke_database_url() -> str:
    """The server of DATABASE_URL when it is PostgreSQL (else loopback), database of our own."""
    url = os.environ.get("DATABASE_URL", "")
    split = urlsplit(url)
    if split.scheme not in ("postgres", "postgresql", "pgsql"):
        split = urlsplit("postgres://postgres@127.0.0.1:5432/")
    return urlunsplit((split.scheme, split.netloc, "/lpc360_bench_smoke", "", ""))


@pytest.fixture(scope="module")
def services():
    database_url = _smoke_database_url()
    missing = []
    if not server_answers(DatabaseURL.parse(database_url)):
        missing.append(f"PostgreSQL at {urlsplit(database_url).netloc}")
    if not redis_answers():
        missing.append(f"Redis at {REDIS_URL}")
    if missing:
        message = f"The benchmark needs {' and '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return database_url


def test_the_smoke_benchmark_completes_and_reports_every_figure(services, tmp_path):
    results = tmp_path / "smoke.json"
    env = {**os.environ, "BENCH_DATABASE_URL": services, "REDIS_URL": REDIS_URL}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--output", str(results)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    output = completed.stdout[-6000:] + completed.stderr[-4000:]
    assert completed.returncode == 0, output
    document = json.loads(results.read_text())
    assert document["mode"] == "smoke"
    figures = {f["key"]: f for f in document["figures"]}
    assert sorted(figures) == sorted(FIGURE_KEYS), output
    for key, figure in figures.items():
        assert not figure["error"], f"{key}: {figure['error']}"
        assert figure["measured"] is not None, key
        assert figure["target"], key
    for key in FIGURE_KEYS:
        assert figures[key]["label"] in completed.stdout  # the printed table has every row
