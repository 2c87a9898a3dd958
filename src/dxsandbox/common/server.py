"""Serve several ASGI apps, one port each, in one asyncio loop: a real socket per emulated host."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import uvicorn

from dxsandbox.common.tls import ServerCertificate

logger = logging.getLogger(__name__)


@dataclass
class Host:
    name: str
    app: Any
    port: int
    tls: bool  # APIs use HTTPS; pages a person opens in a browser use plain http on loopback
    bind: str = "127.0.0.1"

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"


def _server(host: Host, certificate: ServerCertificate) -> uvicorn.Server:
    options: dict[str, Any] = {}
    if host.tls:
        options = {"ssl_certfile": str(certificate.cert_file), "ssl_keyfile": str(certificate.key_file)}
    config = uvicorn.Config(
        host.app,
        host=host.bind,
        port=host.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        timeout_graceful_shutdown=2,
        **options,
    )
    return uvicorn.Server(config)


async def serve(hosts: list[Host], certificate: ServerCertificate, on_ready: Callable[[], None] | None = None) -> None:
    servers = [_server(host, certificate) for host in hosts]
    for server in servers:
        # One handler for all servers (uvicorn's own would leave all but the last one running).
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]

    def stop_all() -> None:
        for server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop_all)
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    while not all(server.started for server in servers):
        if any(task.done() for task in tasks):
            for task in tasks:
                if task.done() and task.exception():
                    raise task.exception()  # type: ignore[misc]
            raise RuntimeError("a sandbox host failed to start (is its port taken?)")
        await asyncio.sleep(0.02)
    if on_ready:
        on_ready()
    try:
        await asyncio.gather(*tasks)
    finally:
        stop_all()
