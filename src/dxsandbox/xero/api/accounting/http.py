"""The thin HTTP layer: who is calling, for which organisation, with which parameters and body.

Every endpoint is wrapped by `endpoint()`: bearer token (401) and xero-tenant-id (403) first, then the
Idempotency-Key replay for writes, then the handler, which turns request data into calls on the
business modules and their results into Xero's envelope.

Bodies come in JSON or in XML (Xero's default format; clients such as pyxero still send it), and both give the
handler the same dict. Answers follow the Accept header, as Xero's do: JSON or XML, and without an Accept that
chooses, the format the body came in.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from dxsandbox.xero.api.accounting import contacts
from dxsandbox.xero.api.accounting.batch import BadBody, ElementResult, elements_of
from dxsandbox.xero.api.accounting.books import Books, Record
from dxsandbox.xero.api.accounting.envelope import (
    XERO_RESOURCES,
    as_xml,
    not_emulated,
    post_data_invalid,
    query_parse_error,
    validation_message,
)
from dxsandbox.xero.api.accounting.idempotency import MAX_KEY_LENGTH, CachedResponse, KeyReused, fingerprint
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.query import QueryError, parse_bool
from dxsandbox.xero.api.accounting.xml_format import BadXml, looks_like_xml, parse_body, singular
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

    @property
    def body_is_xml(self) -> bool:
        return body_is_xml(self.request, self.body)

    @property
    def answers_in_xml(self) -> bool:
        return answers_in_xml(self.request, self.body_is_xml)

    def body_data(self) -> Any:
        """The body as the dict JSON gives, whether it came in JSON or in XML."""
        if not self.body.strip():
            return {}
        if self.body_is_xml:
            try:
                return parse_body(self.body)
            except BadXml as error:
                raise Refusal(post_data_invalid(str(error))) from None
        try:
            return json.loads(self.body)
        except ValueError:
            raise Refusal(post_data_invalid("The request body is not valid JSON.")) from None

    def elements(self, collection: str) -> list[dict[str, Any]]:
        try:
            return elements_of(self.body_data(), collection)
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


def refuse_as_not_emulated(call: Call) -> Response:
    """A handler for a route served for some methods or kinds only: this call the sandbox does not emulate (Xero's
    501, saying "not emulated"), as CanonicalPaths refuses a route no handler serves."""
    within = call.request.url.path.split(API_PREFIX, 1)[-1]
    return not_emulated(call.request.method, call.request.url.path, within.strip("/").split("/")[0])


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
        response = handler(call)
    except Refusal as refusal:
        response = refusal.response
    except QueryError as error:
        response = query_parse_error(str(error))
    return in_xml_when_asked(call.request, response, xml_body=call.body_is_xml)


def in_xml_when_asked(request: Request, response: Response, *, xml_body: bool = False) -> Response:
    return as_xml(response, element_type(request)) if answers_in_xml(request, xml_body) else response


def body_is_xml(request: Request, body: bytes) -> bool:
    """XML when the Content-Type says so; JSON when it says that; otherwise whatever the body looks like."""
    content_type = request.headers.get("content-type", "").lower()
    if "xml" in content_type:
        return True
    if "json" in content_type:
        return False
    return looks_like_xml(body)


def answers_in_xml(request: Request, xml_body: bool) -> bool:
    """The format the Accept header prefers (by its q-values, then its order); without one, the body's."""
    preferred = preferred_format(request.headers.get("accept", ""))
    return preferred == "xml" if preferred is not None else xml_body


def preferred_format(accept: str) -> str | None:
    best: tuple[float, int, str] | None = None
    for position, media_range in enumerate(accept.split(",")):
        media_type, *parameters = (part.strip() for part in media_range.split(";"))
        kind = _FORMATS.get(media_type.lower())
        if kind is None:
            continue
        quality = _quality(parameters)
        if quality > 0 and (best is None or (quality, -position) > (best[0], best[1])):
            best = (quality, -position, kind)
    return best[2] if best else None


_FORMATS = {"application/json": "json", "text/json": "json", "application/xml": "xml", "text/xml": "xml"}


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def element_type(request: Request) -> str:
    """The record type an ApiException's elements are (`Invoice` for /Invoices…)."""
    path = request.url.path
    within = path.split(API_PREFIX, 1)[-1].strip("/").split("/")
    return singular(within[0]) if within and within[0] else "DataContractBase"


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
    """Xero's resource names are case-insensitive (`/invoices` is `/Invoices`): rewrite them before routing.

    It also keeps the sandbox from being silently wrong about routes: a method and path no route serves is refused
    here, in Xero's error shape and saying "not emulated" (501 under one of Xero's resources, as Xero answers a
    method it has not implemented; 404 elsewhere), rather than reaching the router's generic answers."""

    def __init__(self, app: ASGIApp, names: list[str]):
        self.app = app
        self.names = {name.lower(): name for name in (*XERO_RESOURCES, *names)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            root = scope.get("root_path", "")
            path = scope["path"][len(root) :] if scope["path"].startswith(root) else scope["path"]
            segments = path.split("/")
            for index in (1, 3):  # /{Collection}/{id}/{Action}
                if index < len(segments):
                    segments[index] = self.names.get(segments[index].lower(), segments[index])
            scope = dict(scope, path=root + "/".join(segments))
            if not self._served(scope):
                resource = segments[1] if len(segments) > 1 else ""
                refusal = not_emulated(scope["method"], f"{API_PREFIX}{'/'.join(segments)}", resource)
                request = Request(scope)  # the body is not read: its Content-Type says whether it is XML
                await in_xml_when_asked(request, refusal, xml_body=body_is_xml(request, b""))(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _served(self, scope: Scope) -> bool:
        routes = getattr(self.app, "routes", None)
        if routes is None:
            return True  # not a router: whatever it is answers for itself
        return any(route.matches(scope)[0] is Match.FULL for route in routes)
