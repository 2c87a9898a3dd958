"""A webhook receiver for tests: an http.server on loopback (optionally HTTPS) that records what it gets.

`answer(body, headers)` decides each response as (status, body); the default checks the HMAC-SHA256
signature the way a correct receiver does (200 with no body, or 401).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[bytes, dict[str, str]], tuple[int, bytes]]


def signature(key: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def signature_checker(key: str, header: str = "x-xero-signature") -> Answer:
    def answer(body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        good = hmac.compare_digest(headers.get(header, ""), signature(key, body))
        return (200, b"") if good else (401, b"")

    return answer


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    answer: Answer
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """The first `count` requests, waiting for them if need be."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received[:count])
            time.sleep(0.01)
        raise AssertionError(f"expected {count} webhook request(s), got {len(self.received)}")

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [event for request in self.received for event in request.json["events"]]


@contextmanager
def webhook_receiver(
    answer: Answer, *, certificate: tuple[str, str] | None = None, path: str = "/webhooks/xero"
) -> Iterator[Receiver]:
    receiver = Receiver("", answer)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            with receiver.lock:
                receiver.received.append(Received(body, headers))
            status, reply = receiver.answer(body, headers)
            self.send_response(status)
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    scheme = "http"
    if certificate is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*certificate)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    receiver.url = f"{scheme}://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
