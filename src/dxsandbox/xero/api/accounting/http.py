"""The thin HTTP layer: who is calling, for which organisation, with which parameters and body.

Every endpoint is wrapped by `endpoint()`: bearer token (401) and xero-tenant-id (403) first, then the
Idempotency-Key replay for writes, then the handler, which turns request data into calls on the
business modules and their results into Xero's envelope.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from dxsandbox.xero.api.accounting import contacts
from dxsandbox.xero.api.accounting.batch import BadBody, ElementResult, elements_of
from dxsandbox.xero.api.accounting.books import Books, Record
from dxsandbox.xero.api.accounting.envelope import post_data_invalid, query_parse_error, validation_message
from dxsandbox.xero.api.accounting.idempotency import MAX_KEY_LENGTH, CachedResponse, KeyReused, fingerprint
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.query import QueryError, parse_bool
from dxsandbox.xero.api.auth import ApiRefusal, bearer_grant, tenant_for

if TYPE_CHECKING:
    from dxsandbox.xero.api.accounting.service import AccountingApi

API_PREFIX = "/api.xro/2.0"
WRITE_METHODS = ("PUT", "POST", "PATCH")
T = TypeVar("T")


class Refusal(Exception):
    """A handler's way out with a finished error response (404, 400…)."""

    def __init__(self, response: Response):
        self.response = response


@dataclass
class Call:
    api: AccountingApi
    request: Request
    grant: dict[str, Any]
    tenant_id: str
    body: bytes
    _contacts: dict[str, Record | None] = field(default_factory=dict)

    @cached_property
    def books(self) -> Books:
        return self.api.books(self.tenant_id)

    def param(self, name: str) -> str | None:
        """Query parameters by name, ignoring case (`pageSize`, `pagesize`)."""
        wanted = name.lower()
        return next((value for key, value in self.request.query_params.multi_items() if key.lower() == wanted), None)

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    @property
    def unitdp(self) -> int:
        return 4 if (self.param("unitdp") or "").strip() == "4" else 2

    @property
    def summarize_errors(self) -> bool:
        return parse_bool(self.param("summarizeErrors"), default=True)

    @property
    def provider_name(self) -> str:
        app = self.api.identity.app(self.grant["client_id"]) or {}
        return app.get("name", "Xero API Partner")

    @property
    def api_base(self) -> str:
        return f"{self.request.url.scheme}://{self.request.url.netloc}{API_PREFIX}"

    def json_body(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            raise Refusal(post_data_invalid("The request body is not valid JSON.")) from None

    def elements(self, collection: str) -> list[dict[str, Any]]:
        try:
            return elements_of(self.json_body(), collection)
        except BadBody as error:
            raise Refusal(post_data_invalid(str(error))) from None

    def commit(self, change: Callable[[Work], T]) -> T:
        return self.api.commit(
            self.tenant_id, change, api_base=self.api_base, unitdp=self.unitdp, client_id=self.grant["client_id"]
        )

    def commit_each(
        self, elements: list[dict[str, Any]], change: Callable[[Work, dict[str, Any]], Record]
    ) -> list[ElementResult]:
        return self.api.commit_each(
            self.tenant_id, elements, change, api_base=self.api_base, unitdp=self.unitdp, client_id=self.grant["client_id"]
        )

    def contact_of(self, contact_id: str) -> Record | None:
        """Contacts by id, remembered for the rest of the call (lists show one contact many times)."""
        if contact_id not in self._contacts:
            self._contacts[contact_id] = self.books.get(contacts.KIND, contact_id)
        return self._contacts[contact_id]


Handler = Callable[[Call], Response]


def endpoint(api: AccountingApi, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        try:
            grant = bearer_grant(api.identity, request)
            tenant_id = tenant_for(api.identity, request, grant)
        except ApiRefusal as refusal:
            return refusal.response
        body = await request.body() if request.method in WRITE_METHODS else b""
        call = Call(api, request, grant, tenant_id, body)
        key = request.headers.get("idempotency-key")
        if request.method in WRITE_METHODS and key is not None:
            return _idempotent(call, key, handler)
        return _handle(call, handler)

    return run


def _handle(call: Call, handler: Handler) -> Response:
    try:
        return handler(call)
    except Refusal as refusal:
        return refusal.response
    except QueryError as error:
        return query_parse_error(str(error))


def _idempotent(call: Call, key: str, handler: Handler) -> Response:
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        return validation_message(f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} characters long.")
    request = call.request
    request_fingerprint = fingerprint(
        request.method, request.url.path, request.query_params.multi_items(), call.tenant_id, call.body
    )
    client_id = call.grant["client_id"]
    try:
        cached = call.api.idempotency.replay(client_id, key, request_fingerprint)
    except KeyReused:
        return validation_message(f"The Idempotency-Key '{key}' has already been used for a different request.")
    if cached is not None:
        return Response(cached.body, status_code=cached.status_code, media_type=cached.media_type)
    response = _handle(call, handler)
    call.api.idempotency.remember(
        client_id, key, request_fingerprint, CachedResponse(response.status_code, bytes(response.body), response.media_type)
    )
    return response


class CanonicalPaths:
    """Xero's resource names are case-insensitive (`/invoices` is `/Invoices`): rewrite them before routing."""

    def __init__(self, app: ASGIApp, names: list[str]):
        self.app = app
        self.names = {name.lower(): name for name in names}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            root = scope.get("root_path", "")
            path = scope["path"][len(root) :] if scope["path"].startswith(root) else scope["path"]
            segments = path.split("/")
            for index in (1, 3):  # /{Collection}/{id}/{Action}
                if index < len(segments):
                    segments[index] = self.names.get(segments[index].lower(), segments[index])
            scope = dict(scope, path=root + "/".join(segments))
        await self.app(scope, receive, send)
