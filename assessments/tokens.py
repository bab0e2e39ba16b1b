"""Rater link tokens.

A token is HMAC-SHA256(secret key, nonce) in URL-safe base64, where the nonce comes from
``secrets.token_urlsafe(32)``. The database keeps the nonce and the token's SHA-256, never
the token: a stolen copy of the database opens no form (the secret key is not in it), a
link can be looked up by hashing what the rater presents, and a resend can rebuild the same
link. Reissuing draws a new nonce, which kills the old link.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

_KEY_PURPOSE = b"lpc360.invitation-token.v1"


def _key() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), _KEY_PURPOSE, hashlib.sha256).digest()


def token_new_nonce() -> str:
    return secrets.token_urlsafe(32)


def token_from_nonce(nonce: str) -> str:
    digest = hmac.new(_key(), nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_looks_valid(token: str) -> bool:
    """Cheap shape check before any database work: 43 URL-safe base64 characters."""
    return len(token) == 43 and all(c.isalnum() or c in "-_" for c in token)
