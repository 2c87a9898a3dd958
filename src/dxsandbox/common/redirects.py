"""Which redirect URIs an app registration accepts (shared by the Xero and Microsoft sign-in pages)."""

from __future__ import annotations

from urllib.parse import urlsplit


def redirect_uri_allowed(registered: list[str], candidate: str) -> bool:
    if candidate in registered:
        return True
    wanted = urlsplit(candidate)
    if wanted.hostname not in ("127.0.0.1", "localhost", "::1"):
        return False
    # Loopback leniency (as RFC 8252 allows for native apps): any port, same scheme, host and path.
    return any(
        (parts.scheme, parts.hostname, parts.path) == (wanted.scheme, wanted.hostname, wanted.path)
        for parts in map(urlsplit, registered)
    )
