"""An organisation host's own control routes, beside the common ones (`/_sandbox/stats`, faults, limits, clock).

`PUT /_sandbox/roles/{role}` with `{"withhold": ["prvWritestl3_xeropayment", …]}` takes those privileges out of the
role, as an administrator edits a security role and leaves a table out; `{}` gives the role its privileges back. Every
user with the role loses them at their next call (privileges are worked out per call). Unlike Dynamics, the sandbox
lets a test edit System Administrator too: a shortcut to a signed-in admin whose roles lack one privilege.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dxsandbox.common.control import PREFIX, ControlError, json_object
from dxsandbox.microsoft.dataverse.security import ROLE_NAMES

if TYPE_CHECKING:
    from dxsandbox.microsoft.dataverse.service import DataverseService


def role_routes(service: DataverseService) -> list[Route]:
    async def put_role(request: Request) -> Response:
        role = request.path_params["role"]
        if role not in ROLE_NAMES:
            raise ControlError(f"no role {role!r}: the roles are {', '.join(ROLE_NAMES)}")
        withhold = (await json_object(request)).get("withhold") or []
        if not isinstance(withhold, list) or not all(isinstance(name, str) and name.startswith("prv") for name in withhold):
            raise ControlError("withhold is a list of privilege names, e.g. prvWriteAccount")
        with service.lock:
            if withhold:
                service.withheld_privileges[role] = frozenset(name.lower() for name in withhold)
            else:
                service.withheld_privileges.pop(role, None)
        return JSONResponse({"role": role, "withheld": sorted(service.withheld_privileges.get(role, ()))})

    return [Route(PREFIX + "/roles/{role}", put_role, methods=["PUT"])]
