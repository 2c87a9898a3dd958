"""An organisation's Web API on a real HTTPS socket in a background thread (for clients that need TLS)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from dxsandbox.common.tls import issue_server_certificate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HttpsServer:
    def __init__(self, app: Any, tls_dir: Path):
        self.certificate = issue_server_certificate(tls_dir)
        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            ssl_certfile=str(self.certificate.cert_file),
            ssl_keyfile=str(self.certificate.key_file),
        )
        self.server = uvicorn.Server(config)
        self.server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]  # signals belong to the main thread
        self.thread = threading.Thread(target=self.server.run, name="dataverse-https", daemon=True)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> str:
        return str(self.certificate.ca_file)

    def start(self) -> HttpsServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the Dataverse test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.server.force_exit = True  # don't wait for idle keep-alive connections
        self.thread.join(timeout=10)
