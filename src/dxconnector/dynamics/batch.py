"""`$batch`: many Web API writes in one call (FACTS §4), each answered on its own.

Requests go as independent parts (no change sets) with `Prefer: odata.continue-on-error`, so one refused
write does not stop the others. At most 1,000 requests per call; longer lists take more calls.

A `$batch` call is retried as a whole like any other call (dynamics/client.py): after a lost answer
(timeout, connection dropped) the service may already have applied every part, and applies them again.
That is harmless only for repeatable parts — PATCH by id (an upsert), PATCH with `If-Match: *`, DELETE —
so batch nothing else that must not happen twice. A part written on a version (`If-Match: <etag>`) then
answers 412 on the retry; its `BatchResponse.after_lost_answer` says the 412 may be our own first write.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dxconnector.dynamics.client import API_PATH, DataverseClient
from dxconnector.dynamics.errors import PermanentError

MAX_REQUESTS = 1000
_BOUNDARY = re.compile(r'boundary="?([^";,\s]+)"?', re.IGNORECASE)
_STATUS_LINE = re.compile(r"^HTTP/1\.1 (\d{3})")


@dataclass(frozen=True)
class BatchRequest:
    method: str
    path: str  # relative to the Web API root, e.g. "invoices(<id>)"
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchResponse:
    status: int
    headers: dict[str, str]
    body: Any
    after_lost_answer: bool = False  # the batch was sent again after an attempt whose answer was lost

    @property
    def maybe_own_write(self) -> bool:
        """A refusal that may only be our own earlier attempt already applied (412 on a version, 404 on a delete)."""
        return self.after_lost_answer and self.status in (404, 412)

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def error(self) -> str:
        if self.ok:
            return ""
        error = self.body.get("error", {}) if isinstance(self.body, dict) else {}
        return str(error.get("message") or self.body or f"Dynamics answered {self.status}")[:500]


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # Dataverse takes money and decimals as JSON numbers
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode(requests: Sequence[BatchRequest], base_url: str, boundary: str) -> bytes:
    parts = []
    for number, request in enumerate(requests, start=1):
        lines = [
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            f"Content-ID: {number}",
            "",
            f"{request.method} {base_url}{request.path} HTTP/1.1",
        ]
        headers = dict(request.headers)
        if request.body is not None:
            headers.setdefault("Content-Type", "application/json; type=entry")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        body = json.dumps(request.body, default=_json_value, ensure_ascii=False) if request.body is not None else ""
        parts.append(f"--{boundary}\r\n" + "\r\n".join(lines) + "\r\n\r\n" + body + "\r\n")
    return ("".join(parts) + f"--{boundary}--\r\n").encode("utf-8")


def _split(body: bytes, boundary: str) -> Iterator[bytes]:
    delimiter = b"--" + boundary.encode()
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            return
        yield chunk.strip(b"\r\n")


def _head_and_rest(raw: bytes) -> tuple[dict[str, str], bytes]:
    text = raw.replace(b"\r\n", b"\n")
    head, _, rest = text.partition(b"\n\n")
    headers = {}
    for line in head.decode("utf-8", "replace").split("\n"):
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return headers, rest


def _response(raw: bytes) -> BatchResponse:
    _, inner = _head_and_rest(raw)  # the part's own headers (application/http)
    status_line, _, rest = inner.lstrip(b"\n").partition(b"\n")
    match = _STATUS_LINE.match(status_line.decode("utf-8", "replace"))
    headers, body = _head_and_rest(rest)
    text = body.strip()
    try:
        parsed: Any = json.loads(text, parse_float=Decimal) if text else None
    except ValueError:
        parsed = text.decode("utf-8", "replace")
    return BatchResponse(int(match.group(1)) if match else 0, headers, parsed)


def decode(body: bytes, content_type: str) -> list[BatchResponse]:
    """The batch answer's parts in order (change-set answers, which we do not send, are not unfolded)."""
    match = _BOUNDARY.search(content_type or "")
    if match is None:
        return []
    return [_response(part) for part in _split(body, match.group(1))]


def execute(client: DataverseClient, requests: Sequence[BatchRequest]) -> list[BatchResponse]:
    """Send the requests in as few `$batch` calls as the limit allows; one answer per request, in order.

    A whole call that still fails after the client's retries (network, 429, 5xx) raises; make every request
    in it repeatable (upserts by id) so that sending the batch again, here or in the next run, is harmless.
    """
    answers: list[BatchResponse] = []
    base_url = client.org_url + API_PATH
    for start in range(0, len(requests), MAX_REQUESTS):
        chunk = requests[start : start + MAX_REQUESTS]
        boundary = f"batch_{uuid.uuid4()}"
        answer = client.call(
            "POST",
            "$batch",
            content=encode(chunk, base_url, boundary),
            headers={
                "Content-Type": f'multipart/mixed; boundary="{boundary}"',
                "Prefer": "odata.continue-on-error",
            },
        )
        response = answer.response
        found = decode(response.content, response.headers.get("content-type", ""))
        if len(found) != len(chunk):
            raise PermanentError(f"Dynamics answered {len(found)} parts for a batch of {len(chunk)}", response.status_code)
        answers += [replace(part, after_lost_answer=True) for part in found] if answer.lost_answers else found
    return answers
