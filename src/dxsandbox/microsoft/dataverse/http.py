"""A Web API request and response independent of the ASGI layer, so `$batch` parts run the same code."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dxsandbox.microsoft.dataverse.errors import DataverseError, bad_request
from dxsandbox.microsoft.dataverse.paths import DEFAULT_VERSION

JSON_TYPE = "application/json; odata.metadata=minimal"


@dataclass
class ApiRequest:
    method: str
    path: str  # the resource path after /api/data/v9.2/, percent-decoded
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    base_url: str  # the organisation URL, e.g. https://127.0.0.1:9414
    version: str = DEFAULT_VERSION  # the Web API version the client called (v9.0, v9.1, v9.2): links answer in it

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/data/{self.version}"

    def header(self, name: str) -> str | None:
        value = self.headers.get(name.lower())
        if value is None or value.strip().lower() == "null":  # clients send `If-None-Match: null`
            return None
        return value

    def params(self) -> dict[str, str]:
        return dict(self.query)

    def json(self) -> Any:
        if not self.body.strip():
            raise bad_request("The request body is empty; a JSON object is expected.")
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise bad_request(f"The request body is not valid JSON: {error}.") from None


@dataclass
class ApiResponse:
    status: int
    body: Any = None  # dict/list → JSON, str → text, bytes as they are
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None

    def encoded(self) -> tuple[bytes, str | None]:
        if self.body is None:
            return b"", None
        if isinstance(self.body, bytes):
            return self.body, self.content_type or "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), self.content_type or "text/plain; charset=utf-8"
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode(), self.content_type or JSON_TYPE

    def all_headers(self) -> dict[str, str]:
        headers = {"OData-Version": "4.0", **self.headers}
        _body, content_type = self.encoded()
        if content_type:
            headers["Content-Type"] = content_type
        return headers


def error_response(error: DataverseError) -> ApiResponse:
    return ApiResponse(error.status, error.body(), dict(error.headers))
