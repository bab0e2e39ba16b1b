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


def trusted_proxy_problems(proxies) -> list[str]:
    """Each TRUSTED_PROXIES entry must be an address or a network (a host name would be
    refused at the first request, as a 500 for everyone)."""
    import ipaddress

    problems = []
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy.strip(), strict=False)
        except ValueError:
            problems.append(
                f"TRUSTED_PROXIES has {proxy!r}, which is not an IP address or network."
            )
    return problems


def oidc_problems(*, client_id: str, urls: dict[str, str]) -> list[str]:
    """With single sign-on on, the provider's addresses must be https: over plain http the
    id token, the code and the client secret could be read or changed on the way."""
    if not client_id:
        return []
    return [
        f"{name} must be an https address, not {url!r}."
        for name, url in urls.items()
        if url and not url.lower().startswith("https://")
    ]
