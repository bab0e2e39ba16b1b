"""Secrets that must never reach a log line: rater link tokens and password-reset tokens.

Django logs the path of every response with status 400 or more ("Gone: /feedback/<token>/"),
and the development server logs every request. Those paths can carry a live link, so
records are rewritten before any handler sees them.
"""

import logging
import re

REDACTED = "[redacted]"

_SECRETS = [
    # /feedback/<token>/: anything there that is not one of the token-free form pages.
    (re.compile(r"(/feedback/)(?!(?:form|done|decline)(?:[/?#\s\"']|$))[^/?#\s\"']+"), REDACTED),
    # /accounts/set-password/<uidb64>/<token>/ (Django swaps the token for "set-password").
    (re.compile(r"(/set-password/[^/?#\s\"']+/)(?!set-password/)[^/?#\s\"']+"), REDACTED),
]
# A bare token or nonce anywhere: 43 URL-safe base64 characters standing alone.
_BARE_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(r"\g<1>" + replacement, text)
    return _BARE_TOKEN.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message (and its traceback) with the secrets taken out."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: logging reports it later
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def redact_server_logs() -> None:
    """Filter the loggers of the WSGI server (gunicorn), which Django's LOGGING does not
    configure: its access log writes the path of every request."""
    for name in ("gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
