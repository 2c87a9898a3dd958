"""The web server `dxconnector web` runs: waitress, serving the Django app, with the trust in proxies and the request
body cap the settings give (TRUSTED_PROXIES, TRUSTED_PROXY_COUNT, MAX_REQUEST_BYTES).

Waitress's own proxy support parses the forwarding headers; it trusts a single address (or every peer), so the
choice of which peers to believe — any address or network in TRUSTED_PROXIES — is made here, per request, before
its middleware runs: from a trusted peer, X-Forwarded-For and X-Forwarded-Proto set REMOTE_ADDR and
wsgi.url_scheme; from any other, every forwarding header is removed, so that no client can write its own address
or scheme."""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

logger = logging.getLogger("dxconnector.web")

# The headers believed from a trusted proxy. The proxy must set both itself (nginx: $proxy_add_x_forwarded_for and
# $scheme), and pass the Host header on as the client sent it.
TRUSTED_PROXY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto"})
_FORWARDING = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def proxy_warnings() -> list[str]:
    """What `dxconnector check` and `dxconnector web` warn about the proxy settings."""
    if settings.DEBUG or settings.TRUSTED_PROXIES or not settings.SECURE_SSL_REDIRECT:
        return []
    return [
        "No proxy is trusted (BEHIND_TLS_PROXY, TRUSTED_PROXIES) and DEBUG is off: `dxconnector web` serves plain HTTP and "
        "sends every page but /healthz to HTTPS, so it must run behind a TLS proxy it trusts. Set BEHIND_TLS_PROXY=true "
        "for a proxy on this machine, or TRUSTED_PROXIES to the proxy's addresses (see docs/operating.md)."
    ]


def _peer_in(networks: list[Network]) -> Callable[[str], bool]:
    def trusted(peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped  # a dual-stack socket's view of an IPv4 peer
        return any(address in network for network in networks)

    return trusted


def behind_proxies(app: WSGIApp, proxies: list[str], count: int) -> WSGIApp:
    """`app` believing the forwarding headers of the peers in `proxies` (addresses or networks), through `count`
    proxies in a row, and removing them from every other peer's requests."""
    from waitress.proxy_headers import proxy_headers_middleware

    trusted = _peer_in([ipaddress.ip_network(proxy) for proxy in proxies])
    believing = proxy_headers_middleware(
        app, trusted_proxy="*", trusted_proxy_count=count, trusted_proxy_headers=set(TRUSTED_PROXY_HEADERS), clear_untrusted=True
    )
    ignoring = proxy_headers_middleware(app, trusted_proxy=None, clear_untrusted=True)
    warned = threading.Event()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        peer = environ.get("REMOTE_ADDR", "")
        if trusted(peer):
            return believing(environ, start_response)  # type: ignore[no-any-return]
        if not warned.is_set() and any(header in environ for header in _FORWARDING):
            warned.set()  # once a process: a misconfigured proxy would otherwise fill the log
            logger.warning(
                "Ignored the forwarding headers (X-Forwarded-For, X-Forwarded-Proto) of %s, which is not a trusted proxy. "
                "If it is your proxy, add it to TRUSTED_PROXIES (or set BEHIND_TLS_PROXY=true for one on this machine).",
                peer,
            )
        return ignoring(environ, start_response)  # type: ignore[no-any-return]

    return application


def serve(host: str, port: int, threads: int) -> None:
    """Serve the portal on `host`:`port` until stopped."""
    from waitress import serve as waitress_serve

    from dxconnector.config.wsgi import application

    for warning in proxy_warnings():
        logger.warning(warning)
    if settings.TRUSTED_PROXIES:
        logger.info(
            "Trusting X-Forwarded-For and X-Forwarded-Proto from %s (%d proxy hop%s).",
            ", ".join(settings.TRUSTED_PROXIES),
            settings.TRUSTED_PROXY_COUNT,
            "" if settings.TRUSTED_PROXY_COUNT == 1 else "s",
        )
    waitress_serve(
        behind_proxies(application, settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT),
        host=host,
        port=port,
        threads=threads,
        ident="dxconnector",
        # Waitress refuses a body of this size or more: MAX_REQUEST_BYTES itself is still taken.
        max_request_body_size=settings.MAX_REQUEST_BYTES + 1,
        # The proxy headers are handled by `behind_proxies`, which runs inside waitress's own wrapper: that wrapper
        # (which, with no single trusted proxy, would remove them all first) stays out.
        clear_untrusted_proxy_headers=False,
    )
