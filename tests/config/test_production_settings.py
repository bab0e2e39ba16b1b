"""Production settings refuse unsafe configuration and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.safety import unsafe_configuration

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3Y-" + "x7Qp9zLm2Vb8Nc4Rt6Wy1Ua5Se0Dh3Fj" * 2

SAFE = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "lpc360.example.nhs.uk",
    "DEBUG": "false",
    "DATABASE_URL": "sqlite:////tmp/lpc360-deploy-check.sqlite3",
}


def run_manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in SAFE}
    env.update(SAFE)
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_a_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DEBUG": "true"}, "DEBUG is on"),
        ({"SECRET_KEY": None}, "SECRET_KEY is missing or a default"),
        ({"SECRET_KEY": "django-insecure-lpc360-quick-start-only"}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "short"}, "too short"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
    ],
)
def test_production_refuses_to_start_when_unsafe(override, message):
    result = run_manage("check", **override)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert message in result.stderr


OIDC = {
    "OIDC_RP_CLIENT_ID": "lpc360",
    "OIDC_RP_CLIENT_SECRET": "secret-from-the-provider",
    "OIDC_ALLOWED_EMAIL_DOMAINS": "nhs.net",
}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"OIDC_ISSUER": "http://login.example.org/tenant/v2.0"}, "OIDC_ISSUER must be an https"),
        (
            {
                "OIDC_ISSUER": "https://login.example.org/tenant/v2.0",
                "OIDC_OP_TOKEN_ENDPOINT": "http://login.example.org/token",
            },
            "OIDC_OP_TOKEN_ENDPOINT must be an https",
        ),
    ],
)
def test_production_refuses_single_sign_on_over_plain_http(override, message):
    result = run_manage("check", **OIDC, **override)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert message in result.stderr


def test_production_starts_with_single_sign_on_over_https():
    result = run_manage("check", **OIDC, OIDC_ISSUER="https://login.example.org/tenant/v2.0")
    assert result.returncode == 0, result.stderr + result.stdout


def test_every_problem_is_named_at_once():
    problems = unsafe_configuration(debug=True, secret_key="", allowed_hosts=[])
    assert len(problems) == 3


def test_safe_configuration_has_no_problems():
    assert unsafe_configuration(debug=False, secret_key=GOOD_KEY, allowed_hosts=["a"]) == []


PROXY_PROBE = """
from django.test import RequestFactory
from config.client_ip import client_ip
factory = RequestFactory()
forwarded = "10.0.0.1, 198.51.100.7"
via_proxy = factory.get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR=forwarded)
direct = factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
print(client_ip(via_proxy), client_ip(direct))
"""


def test_behind_the_documented_proxy_each_client_has_its_own_address():
    """docker-compose and docs/operations.md set TRUSTED_PROXIES to the compose network."""
    result = run_manage("shell", "-c", PROXY_PROBE, TRUSTED_PROXIES="172.16.0.0/12")
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.splitlines()[-1].split() == ["198.51.100.7", "203.0.113.9"]
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "TRUSTED_PROXIES: 172.16.0.0/12" in compose
    assert "TRUSTED_PROXIES" in (ROOT / "docs" / "operations.md").read_text()


def test_production_refuses_a_trusted_proxy_that_is_not_an_address():
    result = run_manage("check", TRUSTED_PROXIES="proxy.internal")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr


def test_generated_files_go_to_the_storage_the_environment_names():
    show = "from django.conf import settings; print(settings.STORAGES['default'])"
    result = run_manage(
        "shell",
        "-c",
        show,
        FILE_STORAGE_BACKEND="django.core.files.storage.InMemoryStorage",
        FILE_STORAGE_OPTIONS='{"location": "lpc360"}',
    )
    assert result.returncode == 0, result.stderr
    assert "'BACKEND': 'django.core.files.storage.InMemoryStorage'" in result.stdout
    assert "'OPTIONS': {'location': 'lpc360'}" in result.stdout

    default = run_manage("shell", "-c", show)
    assert "FileSystemStorage" in default.stdout, default.stderr
