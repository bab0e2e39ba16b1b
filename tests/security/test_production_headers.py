"""Headers and cookies as production sends them: the production settings module, loaded in a
process of its own with a production environment (production_probe.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.config.test_production_settings import SAFE

ROOT = Path(__file__).resolve().parents[2]
ONE_YEAR = 365 * 24 * 60 * 60


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """What the production settings answer, by label (see production_probe.py)."""
    database = tmp_path_factory.mktemp("production") / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(SAFE, DATABASE_URL=f"sqlite:///{database}", REDIS_URL="")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "security" / "production_probe.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["debug"] is False
    return report | {r["label"]: r for r in report.pop("responses")}


def test_plain_http_is_sent_to_https(production):
    response = production["plain http"]
    assert response["status"] == 301
    assert response["headers"]["Location"].startswith("https://")


def test_https_responses_carry_hsts_of_at_least_a_year(production):
    for label in ["login page", "signed-in page", "home", "rater link", "rater form"]:
        hsts = production[label]["headers"]["Strict-Transport-Security"]
        max_age = int(hsts.split("max-age=")[1].split(";")[0])
        assert max_age >= ONE_YEAR, label
        assert "includeSubDomains" in hsts and "preload" in hsts


def test_every_page_forbids_inline_script_framing_and_sniffing(production):
    for label, response in _responses(production):
        if label == "plain http":
            continue
        headers = response["headers"]
        directives = {
            d.strip().split(" ", 1)[0]: d.strip()
            for d in headers["Content-Security-Policy"].split(";")
        }
        assert directives["script-src"] == "script-src 'self'", label
        assert "unsafe-inline" not in headers["Content-Security-Policy"], label
        assert directives["frame-ancestors"] == "frame-ancestors 'none'", label
        assert directives["object-src"] == "object-src 'none'", label
        assert headers["X-Content-Type-Options"] == "nosniff", label
        assert headers["X-Frame-Options"] == "DENY", label
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", label


def test_referrers_are_same_origin_and_none_at_all_from_rater_links(production):
    assert production["home"]["headers"]["Referrer-Policy"] == "same-origin"
    assert production["login page"]["headers"]["Referrer-Policy"] == "same-origin"
    for label in ["rater link", "unknown rater link", "rater start", "rater form"]:
        assert production[label]["headers"]["Referrer-Policy"] == "no-referrer", label


def test_signed_in_and_token_pages_are_never_stored(production):
    signed_in = ["login page", "login post", "signed-in page", "home, signed in", "admin login"]
    token_pages = ["rater link", "unknown rater link", "rater start", "rater form"]
    for label in signed_in + token_pages:
        assert "no-store" in production[label]["headers"]["Cache-Control"], label
    # A public page seen by nobody in particular may be cached.
    assert "no-store" not in production["home"]["headers"].get("Cache-Control", "")


def test_the_csrf_cookie_is_secure_httponly_samesite_and_host_only(production):
    cookie = production["login page"]["cookies"]["__Host-csrftoken"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/" and cookie["domain"] == ""


def test_signing_in_sets_a_secure_httponly_samesite_session_cookie(production):
    posted = production["login post"]
    assert posted["status"] == 302, posted["body"][:2000]
    cookies = posted["cookies"]
    assert set(cookies) >= {"__Host-sessionid", "__Host-csrftoken"}  # both rotated
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        assert cookies[name]["secure"] and cookies[name]["httponly"], name
        assert cookies[name]["samesite"] == "Lax", name
        assert cookies[name]["path"] == "/" and cookies[name]["domain"] == "", name
    assert production["signed-in page"]["status"] == 200


def test_starting_a_rater_link_sets_a_secure_session_cookie(production):
    assert production["rater link"]["status"] == 200
    assert production["rater start"]["status"] == 302
    cookie = production["rater start"]["cookies"]["__Host-sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert production["rater form"]["status"] == 200


def test_sign_in_is_guarded_by_the_address_limit_then_django_axes_itself(production):
    assert production["backends"][:2] == [
        "accounts.backends.AddressThrottleBackend",
        "axes.backends.AxesStandaloneBackend",
    ]
    assert production["axes"] == [True, 5, 3600]


def test_no_page_sets_a_cookie_without_the_secure_flag(production):
    for label, response in _responses(production):
        for name, cookie in response["cookies"].items():
            assert cookie["secure"], (label, name)


def _responses(production):
    return [(label, seen) for label, seen in production.items() if isinstance(seen, dict)]
