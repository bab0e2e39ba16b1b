"""What makes a configuration unsafe to serve real people; used by production settings."""

from .base import INSECURE_DEFAULT_SECRET_KEY


def unsafe_configuration(*, debug, secret_key, allowed_hosts):
    """Return the reasons this configuration must not serve real people (empty if none)."""
    problems = []
    if debug:
        problems.append("DEBUG is on; set DEBUG=false.")
    if (
        not secret_key
        or secret_key == INSECURE_DEFAULT_SECRET_KEY
        or secret_key.startswith("django-insecure")
    ):
        problems.append("SECRET_KEY is missing or a default; set a long random SECRET_KEY.")
    elif len(secret_key) < 50 or len(set(secret_key)) < 5:
        problems.append("SECRET_KEY is too short or too simple (50+ varied characters).")
    if not allowed_hosts:
        problems.append("ALLOWED_HOSTS is empty; list the host names this site answers to.")
    return problems
