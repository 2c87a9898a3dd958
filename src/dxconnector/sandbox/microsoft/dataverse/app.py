"""The Dataverse Web API of one organisation (`/api/data/v9.2/`). Being built; WhoAmI answers already."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dxconnector.sandbox.common.store import DocumentStore
from dxconnector.sandbox.microsoft.contracts import TokenValidator


def build_dataverse_app(org: dict[str, Any], store: DocumentStore, tokens: TokenValidator) -> Starlette:
    """`org` is one entry of microsoft/seed.py ORGANISATIONS; `store` is this organisation's storage."""

    async def who_am_i(request: Request) -> JSONResponse:
        header = request.headers.get("authorization", "")
        claims = tokens.validate(header[7:], str(request.base_url).rstrip("/")) if header.lower().startswith("bearer ") else None
        if claims is None:
            return JSONResponse({"error": {"code": "0x80072560", "message": "The user is not a member of the organization."}},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return JSONResponse({"UserId": claims.get("oid"), "OrganizationId": org["id"], "BusinessUnitId": org["business_unit_id"]})

    return Starlette(routes=[Route("/api/data/v9.2/WhoAmI", who_am_i, methods=["GET"])])
