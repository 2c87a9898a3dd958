"""Who is calling the Accounting API: the bearer token (401) and the xero-tenant-id it may use (403)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from dxsandbox.xero.oauth import XeroIdentity


class ApiRefusal(Exception):
    def __init__(self, response: JSONResponse):
        self.response = response


def unauthorized() -> ApiRefusal:
    return ApiRefusal(
        JSONResponse(
            {"Type": None, "Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    )


def forbidden() -> ApiRefusal:
    return ApiRefusal(
        JSONResponse({"Type": None, "Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"}, status_code=403)
    )


def bearer_grant(identity: XeroIdentity, request: Request) -> dict[str, Any]:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise unauthorized()
    grant = identity.grant_for_access_token(header[7:].strip())
    if grant is None:
        raise unauthorized()
    return grant


def tenant_for(identity: XeroIdentity, request: Request, grant: dict[str, Any]) -> str:
    tenant_id = request.headers.get("xero-tenant-id", "").strip()
    if not tenant_id or not identity.tenant_allowed(grant, tenant_id):
        raise forbidden()
    return tenant_id
