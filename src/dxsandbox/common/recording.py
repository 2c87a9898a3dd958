"""Opt-in recording of the answers a host gives, so they can be checked against the service's spec afterwards.

When `DXCONNECTOR_SANDBOX_RECORD` names a directory, each recorded host appends one JSON line per response
to `responses-<pid>.jsonl` there: one file per sandbox process, shared by its hosts, each line written whole
under a lock. A line holds the host's name, method, path, query, status, content type and body (text, or
`body_base64` when it is not UTF-8).

Only answers that reach the client are recorded: the control routes (/_sandbox/) are left out, and a call
the fault injector drops on purpose (a timeout, or an answer cut off after its change was committed) sends
no complete response, so it leaves no line.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dxsandbox.common.control import PREFIX as CONTROL_PREFIX
from dxsandbox.common.faults import ExposeTransport

RECORD_ENV = "DXCONNECTOR_SANDBOX_RECORD"


class ResponseLog:
    """A JSON-lines file that concurrent requests append to; each line is written whole, then flushed."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._fd: int | None = None

    def append(self, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        with self._lock:
            if self._fd is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view) :]

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


_logs: dict[Path, ResponseLog] = {}
_logs_lock = threading.Lock()


def response_log(directory: str | os.PathLike[str] | None = None) -> ResponseLog | None:
    """This process's log in `directory` (default: $DXCONNECTOR_SANDBOX_RECORD), or None when recording is off."""
    directory = directory or os.environ.get(RECORD_ENV, "").strip()
    if not directory:
        return None
    path = Path(directory).resolve() / f"responses-{os.getpid()}.jsonl"
    with _logs_lock:
        return _logs.setdefault(path, ResponseLog(path))


class RecordingMiddleware:
    """Records each complete HTTP response of the wrapped app, after it has been sent."""

    def __init__(
        self,
        app: ASGIApp,
        log: ResponseLog,
        host: str,
        *,
        paths: Iterable[str] | None = None,
        exclude_prefixes: Iterable[str] = (CONTROL_PREFIX,),
    ):
        self.app = app
        self.log = log
        self.host = host
        self.paths = None if paths is None else frozenset(paths)  # None: every path
        self.exclude_prefixes = tuple(exclude_prefixes)

    def records(self, path: str) -> bool:
        if any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in self.exclude_prefixes):
            return False
        return self.paths is None or path in self.paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.records(scope["path"]):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        answered: list[dict[str, Any]] = []

        async def recording_send(message: Message) -> None:
            nonlocal start
            await send(message)
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    answered.append(self._entry(scope, start, b"".join(chunks)))

        disconnected = False
        try:
            await self.app(scope, receive, recording_send)
        except ClientDisconnect:
            # The client went away before its request was read (a killed worker): the 500 Starlette answered reached
            # nobody, so it is no answer of the API's to judge.
            disconnected = True
            raise
        finally:
            for entry in [] if disconnected else answered:
                self.log.append(entry)

    def _entry(self, scope: Scope, start: Message, body: bytes) -> dict[str, Any]:
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in start.get("headers", [])}
        entry: dict[str, Any] = {
            "host": self.host,
            "method": scope["method"],
            "path": scope["path"],
            "query": scope.get("query_string", b"").decode("latin-1"),
            "status": start["status"],
            "content_type": headers.get("content-type"),
        }
        try:
            entry["body"] = body.decode()
        except UnicodeDecodeError:
            entry["body_base64"] = base64.b64encode(body).decode()
        return entry


def record_responses(app: ASGIApp, host: str, *, paths: Iterable[str] | None = None) -> ASGIApp:
    """`app` itself when recording is off; otherwise `app` with its responses recorded.

    The server's connection is picked up before the recorder wraps `send` (see ExposeTransport), so a fault
    injector further in can still cut it.
    """
    log = response_log()
    if log is None:
        return app
    return ExposeTransport(RecordingMiddleware(app, log, host, paths=paths))
