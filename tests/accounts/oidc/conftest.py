"""A real OpenID Connect provider on loopback (tests/oidc_provider/: django-oauth-toolkit in its
own process, with an RS256 key generated here), and LPC 360 set up to sign in through it."""

import base64
import hashlib
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts import oidc

ROOT = Path(__file__).resolve().parents[3]
CLIENT_ID = "lpc360"
CLIENT_SECRET = "lpc360-test-secret-" + "x" * 20
TEST_CALLBACK = "http://testserver/accounts/oidc/callback/"
DOMAINS = ["nhs.net", "example.nhs.uk"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    url: str
    issuer: str
    log: Path
    database: Path

    def expire_code(self, code: str) -> None:
        """Makes an issued code an hour old, as if the person had taken that long."""
        with closing(sqlite3.connect(self.database)) as db, db:
            changed = db.execute(
                "UPDATE oauth2_provider_grant SET expires = datetime('now', '-1 hour') "
                "WHERE code = ?",
                (code,),
            ).rowcount
        assert changed == 1

    def register(self, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
        response = requests.post(
            f"{self.url}/register/",
            data=json.dumps(
                {
                    "client_id": client_id,
                    "client_secret": client_secret,
                    "redirect_uris": redirect_uris,
                }
            ),
            timeout=10,
        )
        response.raise_for_status()

    def signed_in(self, email: str, *, verified: bool = True) -> requests.Session:
        """A browser-like session signed in at the provider as ``email``."""
        session = requests.Session()
        response = session.post(
            f"{self.url}/login/",
            data={"email": email, "verified": "yes" if verified else "no"},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text
        return session

    def authorize(self, session: requests.Session, authorize_url: str) -> dict[str, str]:
        """Follows the authorisation request; returns the query LPC 360's callback gets."""
        response = session.get(authorize_url, allow_redirects=False, timeout=10)
        assert response.status_code == 302, (response.status_code, response.text[:500])
        location = response.headers["Location"]
        return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    work = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OIDC_PROVIDER_DB": str(work / "provider.sqlite3"),
        "OIDC_PROVIDER_KEY": pem,
        "OIDC_PROVIDER_ISSUER": f"{url}/o",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    log = work / "provider.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    provider = Provider(url=url, issuer=f"{url}/o", log=log, database=work / "provider.sqlite3")
    try:
        deadline = time.monotonic() + 60
        discovery = f"{provider.issuer}/.well-known/openid-configuration"
        while True:
            try:
                if requests.get(discovery, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The test provider did not start: {log.read_text()}")
            time.sleep(0.2)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def sso(settings, oidc_provider):
    """LPC 360 with single sign-on through the test provider (password sign-in still on)."""
    oidc_provider.register(CLIENT_ID, CLIENT_SECRET, [TEST_CALLBACK])
    oidc._metadata.clear()
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = DOMAINS
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, oidc.BACKEND]
    yield oidc_provider
    oidc._metadata.clear()


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
