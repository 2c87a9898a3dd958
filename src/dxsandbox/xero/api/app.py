"""api.xero.com: /connections, and the Accounting API under /api.xro/2.0 (the `accounting` package, passed in as extra_routes)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from dxsandbox.xero.api.auth import ApiRefusal, bearer_grant
from dxsandbox.xero.oauth import XeroIdentity


class CaseInsensitiveConnections:
    """The SDK calls /Connections; Xero routes identity paths case-insensitively."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].lower().startswith("/connections"):
            scope = dict(scope, path="/connections" + scope["path"][len("/connections") :])
        await self.app(scope, receive, send)


def connection_routes(identity: XeroIdentity) -> list[Route]:
    async def list_connections(request: Request) -> Response:
        try:
            grant = bearer_grant(identity, request)
        except ApiRefusal as refusal:
            return refusal.response
        connections = identity.connections(grant)
        event = request.query_params.get("authEventId")
        if event:
            connections = [c for c in connections if c["authEventId"] == event]
        return JSONResponse([identity.public_connection(c) for c in connections])

    async def delete_connection(request: Request) -> Response:
        try:
            grant = bearer_grant(identity, request)
        except ApiRefusal as refusal:
            return refusal.response
        if identity.delete_connection(grant, request.path_params["connection_id"]):
            return Response(status_code=204)
        return JSONResponse({"Title": "Not Found", "Status": 404, "Detail": "Connection not found"}, status_code=404)

    return [
        Route("/connections", list_connections, methods=["GET"]),
        Route("/connections/{connection_id}", delete_connection, methods=["DELETE"]),
    ]


def build_api_app(identity: XeroIdentity, extra_routes: list | None = None) -> ASGIApp:
    app = Starlette(routes=[*connection_routes(identity), *(extra_routes or [])])
    return CaseInsensitiveConnections(app)
