"""Sealed boxes: answers encrypted at rest with a key that lives outside the database.

A draft and a submitted envelope hold a rater's answers next to (for a draft) the invitation
they belong to. Whoever reads the tables, a dump, or the dead rows PostgreSQL keeps until a
VACUUM sees only ciphertext. AES-256-GCM; the purpose ("draft", "envelope") is bound in as
associated data, so a box cannot be moved from one use to another. Every box is padded to
one size, so its length says nothing about how much was written.

The key is ``settings.ANSWERS_KEY`` (base64 of 32 bytes), or derived from ``SECRET_KEY``
when that is not set. ``ANSWERS_PREVIOUS_KEYS`` are tried when opening, so keys can be
rotated; ``manage.py answers_key`` prints a new key.
"""

import base64
import json
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

NONCE_BYTES = 12
# Every plaintext is padded to a multiple of this, so a box's size tells nothing about its
# answers: every draft of a framework is one size, however much of it was filled in.
PAD_TO = 40 * 1024
VERSION = b"\x01"


class BoxUnreadable(Exception):
    """No configured key opens the box, or it was tampered with."""


def key_new() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _derived(secret: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"lpc360-answers", info=b"answers-key-v1"
    ).derive(secret.encode())


@lru_cache(maxsize=8)
def _keys(current: str, previous: tuple[str, ...], secret: str) -> tuple[bytes, ...]:
    keys = [base64.b64decode(current) if current else _derived(secret)]
    keys += [base64.b64decode(key) for key in previous if key]
    if any(len(key) != 32 for key in keys):
        raise ValueError("ANSWERS_KEY and ANSWERS_PREVIOUS_KEYS must be base64 of 32 bytes.")
    return tuple(keys)


def keys() -> tuple[bytes, ...]:
    return _keys(settings.ANSWERS_KEY, tuple(settings.ANSWERS_PREVIOUS_KEYS), settings.SECRET_KEY)


def box_seal(contents: dict, *, purpose: str) -> bytes:
    plain = json.dumps(contents, separators=(",", ":"), sort_keys=True).encode()
    padded = plain + b" " * (-len(plain) % PAD_TO if len(plain) else PAD_TO)
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(keys()[0]).encrypt(nonce, padded, purpose.encode())


def box_open(box: bytes, *, purpose: str) -> dict:
    box = bytes(box)
    if not box.startswith(VERSION):
        raise BoxUnreadable("Unknown box format.")
    nonce, sealed = box[1 : 1 + NONCE_BYTES], box[1 + NONCE_BYTES :]
    for key in keys():
        try:
            plain = AESGCM(key).decrypt(nonce, sealed, purpose.encode())
        except Exception:  # noqa: S112 - try the next key
            continue
        return json.loads(plain.decode().rstrip(" "))
    raise BoxUnreadable("No configured key opens this box.")
