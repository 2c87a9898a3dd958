"""A real HTTP server of a test's own on 127.0.0.1 that records every request reaching it: "another host" for the tests
that check the connector sends nothing, token least of all, where it must not."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorder:
    """An HTTP server on 127.0.0.1 answering every GET with the next of `pages` (JSON), recording each request."""

    pages: list[dict] = field(default_factory=list)
    seen: list[tuple[str, str]] = field(default_factory=list)  # (path, Authorization header)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Recorder:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.seen.append((self.path, self.headers.get("Authorization", "")))
                body = json.dumps(recorder.pages.pop(0) if recorder.pages else {"value": []}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
