"""The Dataverse Web API of one organisation (`/api/data/v9.2/`, and v9.0 and v9.1 alike), as an ASGI app.

Every call needs a bearer token the identity side issued for this organisation's URL; its `oid` (or an
application user's `appid`) picks the systemuser it runs as. Calls then pass the service protection
limits and run in a worker thread against the organisation's `DataverseService`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dxsandbox.common.clock import ScaledClock
from dxsandbox.common.store import DocumentStore
from dxsandbox.microsoft.contracts import TokenValidator
from dxsandbox.microsoft.dataverse import errors
from dxsandbox.microsoft.dataverse.errors import DataverseError
from dxsandbox.microsoft.dataverse.http import ApiRequest, error_response
from dxsandbox.microsoft.dataverse.paths import API_VERSIONS
from dxsandbox.microsoft.dataverse.service import DataverseService, service_for
from dxsandbox.microsoft.dataverse.settings import DataverseSettings

logger = logging.getLogger(__name__)

METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]


def build_dataverse_app(
    org: dict[str, Any],
    store: DocumentStore,
    tokens: TokenValidator,
    *,
    settings: DataverseSettings | None = None,
    clock: ScaledClock | None = None,
) -> Starlette:
    """`org` is one entry of microsoft/seed.py ORGANISATIONS; `store` is this organisation's storage.

    `settings` (limits, seed size, users) and `clock` (the time scale of the limits' window) are
    optional; the app's service is `app.state.dataverse` (its `.api` is the in-process API).
    """
    service = service_for(org, store, settings=settings, clock=clock)

    async def endpoint(request: Request) -> Response:
        return await handle(service, tokens, request)

    app = Starlette(
        routes=[
            Route("/api/data/{version}", endpoint, methods=METHODS),
            Route("/api/data/{version}/{path:path}", endpoint, methods=METHODS),
        ]
    )
    app.state.dataverse = service
    return app


def _error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=dict(headers or {}))


async def handle(service: DataverseService, tokens: TokenValidator, request: Request) -> Response:
    base_url = str(request.base_url).rstrip("/")
    version = request.path_params.get("version", "")
    if version not in API_VERSIONS:
        return _error(
            404,
            errors.RESOURCE_NOT_FOUND,
            f"The Web API version '{version}' is not emulated by this sandbox: it serves {', '.join(API_VERSIONS)}.",
        )
    authorization = request.headers.get("authorization", "")
    token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
    claims = tokens.validate(token, base_url) if token else None
    if claims is None:
        challenge = f"Bearer authorization_uri={service.org.get('authorization_uri', '')}, resource_id={base_url}/"
        return _error(
            401,
            errors.NOT_A_MEMBER,
            "The access token is missing, invalid or expired, or was not issued for this organization.",
            {"WWW-Authenticate": challenge},
        )
    caller = await run_in_threadpool(service.caller_for_claims, claims)
    if caller is None:
        return _error(
            403, errors.NOT_A_MEMBER, f"The user with object id {claims.get('oid')} is not a member of the organization."
        )
    try:
        admission = service.protection.admit(caller.user_id)
    except DataverseError as refusal:
        return _error(refusal.status, refusal.code, refusal.message, refusal.headers)
    try:
        api_request = ApiRequest(
            request.method,
            request.path_params.get("path", ""),
            request.query_params.multi_items(),
            {name.lower(): value for name, value in request.headers.items()},
            await request.body(),
            base_url,
            version,
        )
        try:
            response = await run_in_threadpool(service.handle, api_request, caller)
        except Exception:  # a bug must still answer like the service does, not drop the connection
            logger.exception("Dataverse sandbox failed on %s %s", request.method, request.url.path)
            response = error_response(errors.unexpected())
    finally:
        service.protection.finish(admission)
    body, _ = response.encoded()
    headers = {**response.all_headers(), **service.protection.headers(admission)}
    if response.status == 304:
        body = b""
    return Response(body, status_code=response.status, headers=headers)
