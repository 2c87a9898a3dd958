"""The recorded answers the session checks against Xero's OpenAPI files are the ones a client received."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dxsandbox.common.recording import RecordingMiddleware, ResponseLog


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"read": len(await request.body())})


def call(app, messages: list[dict]) -> list[dict]:
    """One HTTP request through `app`, its body messages as given; what the app sent."""
    sent: list[dict] = []
    incoming = iter(messages)

    async def receive() -> dict:
        return next(incoming)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "PUT", "path": "/Contacts", "query_string": b"", "headers": [], "http_version": "1.1"}
    # In a thread of its own: the browser tests leave an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, app(scope, receive, send)).result()
    return sent


def recorded(log: ResponseLog) -> list[dict]:
    return [json.loads(line) for line in log.path.read_text().splitlines()] if log.path.exists() else []


def test_an_answer_the_client_received_is_recorded(tmp_path):
    log = ResponseLog(tmp_path / "responses.jsonl")
    app = RecordingMiddleware(Starlette(routes=[Route("/Contacts", echo, methods=["PUT"])]), log, "xero-api")
    call(app, [{"type": "http.request", "body": b"{}", "more_body": False}])
    assert [entry["status"] for entry in recorded(log)] == [200]


def test_a_client_gone_before_its_request_was_read_leaves_no_answer_to_judge(tmp_path):
    log = ResponseLog(tmp_path / "responses.jsonl")
    app = RecordingMiddleware(Starlette(routes=[Route("/Contacts", echo, methods=["PUT"])]), log, "xero-api")
    with pytest.raises(ClientDisconnect):
        call(app, [{"type": "http.request", "body": b"{", "more_body": True}, {"type": "http.disconnect"}])
    assert recorded(log) == []  # Starlette's 500 went to nobody
