"""`$batch` (FACTS §4): a multipart/mixed body of requests and change sets, at most 1,000 requests.

Requests outside change sets run one by one. A change set is atomic: its requests run in one
transaction, may refer to rows created earlier in it as `$<Content-ID>` (in the URL or an
`@odata.bind`), and if one fails the whole change set rolls back and answers with that one error.
Without `Prefer: odata.continue-on-error` the batch stops at the first failure and answers 400 (the
parts so far, then the error); with it, every item runs and the batch answers 200.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

from dxsandbox.microsoft.dataverse.errors import DataverseError, bad_request
from dxsandbox.microsoft.dataverse.http import ApiRequest, ApiResponse, error_response
from dxsandbox.microsoft.dataverse.paths import parse_reference, strip_api_prefix
from dxsandbox.microsoft.dataverse.security import Caller
from dxsandbox.microsoft.dataverse.serialize import parse_prefer

if TYPE_CHECKING:
    from dxsandbox.microsoft.dataverse.service import DataverseService

MAX_REQUESTS = 1000
_BOUNDARY = re.compile(r'boundary="?([^";,\s]+)"?', re.IGNORECASE)


class _ChangeSetFailed(Exception):
    def __init__(self, response: ApiResponse, content_id: str | None):
        self.response = response
        self.content_id = content_id


@dataclass
class Part:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    content_id: str | None = None


@dataclass
class ChangeSet:
    parts: list[Part] = field(default_factory=list)


def boundary_of(content_type: str) -> str | None:
    match = _BOUNDARY.search(content_type or "")
    return match.group(1) if match else None


def split_multipart(body: bytes, boundary: str) -> list[bytes]:
    """The parts between `--boundary` lines (CRLF or LF line ends), without the closing delimiter."""
    delimiter = b"--" + boundary.encode()
    parts, current, inside = [], [], False
    for line in body.split(b"\n"):
        stripped = line.rstrip(b"\r")
        if stripped == delimiter or stripped == delimiter + b"--":
            if inside:
                parts.append(b"\n".join(current))
            current, inside = [], stripped == delimiter
            if stripped.endswith(b"--") and stripped != delimiter:
                break
            continue
        if inside:
            current.append(line)
    return parts


def _headers_and_rest(raw: bytes) -> tuple[dict[str, str], bytes]:
    """MIME-style headers up to the first blank line, and what follows it."""
    text = raw.replace(b"\r\n", b"\n")
    if text.startswith(b"\n"):
        return {}, text[1:]
    head, separator, rest = text.partition(b"\n\n")
    headers = {}
    for line in head.decode("utf-8", "replace").split("\n"):
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return headers, rest if separator else b""


def parse_batch(body: bytes, content_type: str) -> list[Part | ChangeSet]:
    boundary = boundary_of(content_type)
    if not content_type.lower().startswith("multipart/mixed") or boundary is None:
        raise bad_request("A $batch request needs Content-Type: multipart/mixed with a boundary.")
    items: list[Part | ChangeSet] = []
    for raw in split_multipart(body, boundary):
        headers, rest = _headers_and_rest(raw)
        inner_type = headers.get("content-type", "")
        if inner_type.lower().startswith("multipart/mixed"):
            inner_boundary = boundary_of(inner_type)
            if inner_boundary is None:
                raise bad_request("A change set needs a boundary.")
            change_set = ChangeSet([_part(part_raw) for part_raw in split_multipart(rest, inner_boundary)])
            for part in change_set.parts:
                if part.method == "GET":
                    raise bad_request("A change set cannot contain GET requests.")
            items.append(change_set)
        else:
            items.append(_part(raw, headers, rest))
    count = sum(len(item.parts) if isinstance(item, ChangeSet) else 1 for item in items)
    if count > MAX_REQUESTS:
        raise bad_request(f"The number of requests in the batch ({count}) exceeds the limit of {MAX_REQUESTS}.")
    return items


def _part(raw: bytes, headers: dict[str, str] | None = None, rest: bytes | None = None) -> Part:
    if headers is None or rest is None:
        headers, rest = _headers_and_rest(raw)
    request_line, _, remainder = rest.replace(b"\r\n", b"\n").lstrip(b"\n").partition(b"\n")
    pieces = request_line.decode("utf-8", "replace").strip().split(" ")
    if len(pieces) < 2:
        raise bad_request(f"The batch part '{request_line.decode('utf-8', 'replace')}' has no request line.")
    inner_headers, body = _headers_and_rest(remainder)
    method = pieces[0].upper()
    if method not in ("GET", "POST", "PATCH", "PUT", "DELETE"):
        raise bad_request(f"The batch part method '{method}' is not supported.")
    content_id = headers.get("content-id") or inner_headers.get("content-id")
    return Part(method, pieces[1], inner_headers, body.rstrip(b"\n"), content_id)


def _inner_request(part: Part, outer: ApiRequest) -> ApiRequest:
    url = part.url
    path_and_query = urlsplit(url) if "://" in url else urlsplit("http://x/" + url.lstrip("/"))
    path = strip_api_prefix(unquote(path_and_query.path)).lstrip("/")
    if path.strip("/") == "$batch":
        raise bad_request("A batch cannot contain another batch.")
    return ApiRequest(
        part.method,
        path,
        parse_qsl(path_and_query.query, keep_blank_values=True),
        dict(part.headers),
        part.body,
        outer.base_url,
        outer.version,
    )


def run_batch(service: DataverseService, request: ApiRequest, caller: Caller) -> ApiResponse:
    if request.method != "POST":
        raise DataverseError(405, "0x80060888", "$batch accepts POST only.")
    items = parse_batch(request.body, request.headers.get("content-type", ""))
    continue_on_error = "odata.continue-on-error" in parse_prefer(request.header("prefer"))
    batch_boundary = f"batchresponse_{uuid.uuid4()}"
    chunks: list[str] = []
    failed = False
    for item in items:
        if isinstance(item, ChangeSet):
            chunk, ok = _run_change_set(service, item, request, caller)
        else:
            response = _run_one(service, item, request, caller, None)
            chunk, ok = _http_part(response, item.content_id, request), response.status < 400
        chunks.append(chunk)
        if not ok:
            failed = True
            if not continue_on_error:
                break
    body = "".join(f"--{batch_boundary}\r\n{chunk}" for chunk in chunks) + f"--{batch_boundary}--\r\n"
    headers = {"Preference-Applied": "odata.continue-on-error"} if continue_on_error else {}
    status = 400 if failed and not continue_on_error else 200
    return ApiResponse(status, body.encode(), headers, content_type=f"multipart/mixed; boundary={batch_boundary}")


def _run_one(
    service: DataverseService, part: Part, outer: ApiRequest, caller: Caller, content_ids: dict[str, tuple[str, str]] | None
) -> ApiResponse:
    try:
        return service.router.dispatch(_inner_request(part, outer), caller, content_ids)
    except DataverseError as error:
        return error_response(error)


def _run_change_set(service: DataverseService, change_set: ChangeSet, outer: ApiRequest, caller: Caller) -> tuple[str, bool]:
    boundary = f"changesetresponse_{uuid.uuid4()}"
    content_ids: dict[str, tuple[str, str]] = {}
    responses: list[tuple[ApiResponse, str | None]] = []
    try:
        with service.storage.transaction():
            for part in change_set.parts:
                response = _run_one(service, part, outer, caller, content_ids)
                if response.status >= 400:
                    raise _ChangeSetFailed(response, part.content_id)
                responses.append((response, part.content_id))
                entity_id = response.headers.get("OData-EntityId")
                if part.content_id and entity_id:
                    entity_set, key = parse_reference(entity_id)
                    content_ids[part.content_id] = (entity_set, key if isinstance(key, str) else "")
    except _ChangeSetFailed as failure:
        responses, ok = [(failure.response, failure.content_id)], False
    else:
        ok = True
    inner = "".join(f"--{boundary}\r\n{_http_part(response, content_id, outer)}" for response, content_id in responses)
    return f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n{inner}--{boundary}--\r\n", ok


def _http_part(response: ApiResponse, content_id: str | None, outer: ApiRequest) -> str:
    body, _ = response.encoded()
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id:
        lines.append(f"Content-ID: {content_id}")
    reason = HTTPStatus(response.status).phrase if response.status in HTTPStatus._value2member_map_ else ""
    inner = [f"HTTP/1.1 {response.status} {reason}"]
    headers = response.all_headers()
    if "OData-EntityId" in headers:
        headers.setdefault("Location", headers["OData-EntityId"])
    inner += [f"{name}: {value}" for name, value in headers.items()]
    text = body.decode("utf-8")
    return "\r\n".join(lines) + "\r\n\r\n" + "\r\n".join(inner) + "\r\n\r\n" + text + "\r\n"
