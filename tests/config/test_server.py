"""The web server's trust in proxies (dxconnector.config.server.behind_proxies): waitress's own proxy-header
handling, applied to requests from the peers in TRUSTED_PROXIES and stripping the headers from everyone else's.
Called here as waitress calls it, with the environ of a request and a WSGI app that reports what it was given; the
whole server behind a real nginx is tests/test_cli_web_behind_tls.py."""

from __future__ import annotations

import json

from dxconnector.config.server import behind_proxies


def seen_by_the_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    forwarded = {key: value for key, value in environ.items() if key.startswith("HTTP_X_FORWARDED") or key == "HTTP_FORWARDED"}
    return [json.dumps({"address": environ["REMOTE_ADDR"], "scheme": environ["wsgi.url_scheme"], **forwarded}).encode()]


def request(app, peer: str, **headers: str) -> tuple[str, dict]:
    environ = {"REMOTE_ADDR": peer, "wsgi.url_scheme": "http", "REQUEST_METHOD": "GET", "PATH_INFO": "/"}
    environ.update({"HTTP_" + name.upper(): value for name, value in headers.items()})
    statuses = []
    body = b"".join(app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    return statuses[0], json.loads(body) if statuses[0].startswith("200") else {}


def test_it_believes_a_proxy_in_a_trusted_network():
    app = behind_proxies(seen_by_the_app, ["10.0.0.0/8", "::1/128"], 1)
    status, seen = request(app, "10.1.2.3", x_forwarded_for="203.0.113.9", x_forwarded_proto="https")
    assert (status, seen["address"], seen["scheme"]) == ("200 OK", "203.0.113.9", "https")


def test_it_takes_the_client_as_many_hops_back_as_there_are_proxies():
    """A client's own X-Forwarded-For entry comes first; each proxy appends the address it saw."""
    two = behind_proxies(seen_by_the_app, ["10.0.0.0/8"], 2)
    _, seen = request(two, "10.0.0.7", x_forwarded_for="198.51.100.66, 203.0.113.9, 10.0.0.6")
    assert seen["address"] == "203.0.113.9"
    one = behind_proxies(seen_by_the_app, ["10.0.0.0/8"], 1)
    _, seen = request(one, "10.0.0.7", x_forwarded_for="198.51.100.66, 203.0.113.9")
    assert seen["address"] == "203.0.113.9"


def test_it_knows_an_ipv4_proxy_on_a_dual_stack_socket():
    app = behind_proxies(seen_by_the_app, ["127.0.0.1/32"], 1)
    _, seen = request(app, "::ffff:127.0.0.1", x_forwarded_for="203.0.113.9", x_forwarded_proto="https")
    assert (seen["address"], seen["scheme"]) == ("203.0.113.9", "https")


def test_it_removes_forwarding_headers_from_any_other_peer():
    app = behind_proxies(seen_by_the_app, ["10.0.0.0/8"], 1)
    status, seen = request(
        app,
        "192.0.2.50",
        x_forwarded_for="203.0.113.9",
        x_forwarded_proto="https",
        x_forwarded_host="evil.example",
        forwarded="for=203.0.113.9;proto=https",
    )
    assert (status, seen) == ("200 OK", {"address": "192.0.2.50", "scheme": "http"})


def test_with_no_proxy_it_believes_nobody():
    app = behind_proxies(seen_by_the_app, [], 1)
    _, seen = request(app, "127.0.0.1", x_forwarded_for="203.0.113.9", x_forwarded_proto="https")
    assert seen == {"address": "127.0.0.1", "scheme": "http"}


def test_it_believes_only_the_address_and_the_scheme_from_a_trusted_proxy():
    app = behind_proxies(seen_by_the_app, ["10.0.0.0/8"], 1)
    _, seen = request(app, "10.0.0.7", x_forwarded_for="203.0.113.9", x_forwarded_host="evil.example", x_forwarded_port="8443")
    assert "HTTP_X_FORWARDED_HOST" not in seen and "HTTP_X_FORWARDED_PORT" not in seen
    assert seen["address"] == "203.0.113.9"


def test_it_refuses_a_scheme_it_cannot_use_from_a_trusted_proxy():
    app = behind_proxies(seen_by_the_app, ["10.0.0.0/8"], 1)
    status, _ = request(app, "10.0.0.7", x_forwarded_proto="gopher")
    assert status.startswith("400")
