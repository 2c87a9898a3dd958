"""globaldisco.crm.dynamics.com: the Global Discovery Service (`/api/discovery/v2.0/Instances`).

It lists the Dataverse organisations the signed-in user belongs to (by the token's `oid`): the whole
set, one by key (`Instances(<guid>)`, `Instances(UniqueName='x')`), or by region (`Instances(Region='OCE')`),
with `$select` and a small `$filter` (comparisons joined by and/or). In the sandbox `Url` and `ApiUrl`
are both the organisation's Dataverse base URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dxsandbox.microsoft.identity import MicrosoftIdentity

API = "/api/discovery/v2.0"
SEGMENT = re.compile(r"^Instances(?:\((?P<key>.*)\))?$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
KEY_PROPERTIES = {"id": "Id", "uniquename": "UniqueName", "urlname": "UrlName"}
PROPERTIES = frozenset(
    {
        "Id",
        "UniqueName",
        "UrlName",
        "FriendlyName",
        "State",
        "Version",
        "Url",
        "ApiUrl",
        "LastUpdated",
        "EnvironmentId",
        "TenantId",
        "Region",
        "Purpose",
        "IsUserSysAdmin",
        "OrganizationType",
        "TrialExpirationDate",
    }
)


class QueryError(Exception):
    """A request the service cannot answer: 400 with OData's error body."""


def instance(org: dict[str, Any], url: str, role: str) -> dict[str, Any]:
    return {
        "Id": org["id"],
        "UniqueName": org["unique_name"],
        "UrlName": org["url_name"],
        "FriendlyName": org["friendly_name"],
        "State": org["state"],
        "Version": org["version"],
        "Url": url,
        "ApiUrl": url,
        "LastUpdated": org["last_updated"],
        "EnvironmentId": org["environment_id"],
        "TenantId": org["tenant_id"],
        "Region": org["region"],
        "Purpose": org["purpose"],
        "IsUserSysAdmin": role == "System Administrator",
        "OrganizationType": 0,
        "TrialExpirationDate": None,
    }


# --- $filter: comparisons of a property with a literal, joined by and/or, with parentheses -------------
_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<open>\()|(?P<close>\))|(?P<word>[A-Za-z0-9_.:+-]+))")
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and a > b,
    "ge": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "le": lambda a, b: a is not None and a <= b,
}
Predicate = Callable[[dict[str, Any]], bool]


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None:
            raise QueryError(f"Syntax error at position {position} in '{text}'.")
        tokens.append(match.group(match.lastgroup or "word"))
        position = match.end()
    return tokens


def _literal(token: str) -> Any:
    if token.startswith("'"):
        return token[1:-1].replace("''", "'")
    lowered = token.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if re.fullmatch(r"-?\d+", token):
        return int(token)
    if GUID.match(token):
        return token.lower()
    raise QueryError(f"The literal '{token}' is not supported.")


def _comparison(tokens: list[str], properties: frozenset[str]) -> Predicate:
    if len(tokens) < 3:
        raise QueryError("A comparison needs a property, an operator and a value.")
    name, operator, value = tokens.pop(0), tokens.pop(0).lower(), _literal(tokens.pop(0))
    if name not in properties:
        raise QueryError(f"Could not find a property named '{name}' on type 'Microsoft.Xrm.Sdk.Discovery.Instance'.")
    if operator not in _OPERATORS:
        raise QueryError(f"The operator '{operator}' is not supported.")
    compare = _OPERATORS[operator]

    def test(row: dict[str, Any]) -> bool:
        actual = row.get(name)
        actual = actual.lower() if isinstance(actual, str) and isinstance(value, str) and GUID.match(actual) else actual
        try:
            return compare(actual, value)
        except TypeError:
            return False

    return test


def _term(tokens: list[str], properties: frozenset[str]) -> Predicate:
    if tokens and tokens[0] == "(":
        tokens.pop(0)
        inner = _expression(tokens, properties)
        if not tokens or tokens.pop(0) != ")":
            raise QueryError("Missing ')' in $filter.")
        return inner
    return _comparison(tokens, properties)


def _conjunction(tokens: list[str], properties: frozenset[str]) -> Predicate:
    parts = [_term(tokens, properties)]
    while tokens and tokens[0].lower() == "and":
        tokens.pop(0)
        parts.append(_term(tokens, properties))
    return lambda row: all(part(row) for part in parts)


def _expression(tokens: list[str], properties: frozenset[str]) -> Predicate:
    parts = [_conjunction(tokens, properties)]
    while tokens and tokens[0].lower() == "or":
        tokens.pop(0)
        parts.append(_conjunction(tokens, properties))
    return lambda row: any(part(row) for part in parts)


def parse_filter(text: str, properties: frozenset[str]) -> Predicate:
    tokens = _tokens(text)
    predicate = _expression(tokens, properties)
    if tokens:
        raise QueryError(f"Unexpected '{tokens[0]}' in $filter.")
    return predicate


# --- keys and $select --------------------------------------------------------------------------------
def parse_key(key: str) -> tuple[str, str]:
    """(property, value) for `<guid>`, `Id=<guid>`, `UniqueName='x'`, `Region='x'` (or unquoted)."""
    if GUID.match(key):
        return "Id", key.lower()
    name, equals, value = key.partition("=")
    if not equals:
        raise QueryError(f"The key '{key}' is not valid.")
    value = value.strip()
    value = value[1:-1].replace("''", "'") if len(value) >= 2 and value[0] == value[-1] == "'" else value
    name = name.strip()
    if name.lower() == "region":
        return "Region", value
    if name.lower() not in KEY_PROPERTIES:
        raise QueryError(f"The key property '{name}' is not valid for Instances.")
    return KEY_PROPERTIES[name.lower()], value


def select(row: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    return row if fields is None else {name: row[name] for name in fields}


def parse_select(text: str | None, properties: frozenset[str]) -> list[str] | None:
    if not text:
        return None
    fields = [name.strip() for name in text.split(",") if name.strip()]
    for name in fields:
        if name not in properties:
            raise QueryError(f"Could not find a property named '{name}' on type 'Microsoft.Xrm.Sdk.Discovery.Instance'.")
    return fields


def build_discovery_app(identity: MicrosoftIdentity, resource_url: str) -> Starlette:
    """`resource_url` is this host's origin: the audience its tokens must carry."""
    context = f"{resource_url}{API}/$metadata#Instances"

    def challenge() -> JSONResponse:
        header = f'Bearer authorization_uri="{identity.login_url}/common/oauth2/v2.0/authorize", resource_id="{resource_url}/"'
        return JSONResponse(
            {"error": {"code": "", "message": "Authentication failed: a valid bearer token is required."}},
            status_code=401,
            headers={"WWW-Authenticate": header},
        )

    def rows_for(claims: dict[str, Any]) -> list[dict[str, Any]]:
        user = identity.user(claims.get("oid", "")) if "scp" in claims else None  # app-only tokens have no user, so no instances
        if user is None:
            return []
        return [
            instance(org, identity.organisation_url(org["id"]) or "", user["roles"][org["unique_name"]])
            for org in identity.organisations_of(user)
            if identity.organisation_url(org["id"])
        ]

    def answer(request: Request, rows: list[dict[str, Any]], key: str | None) -> Response:
        fields = parse_select(request.query_params.get("$select"), PROPERTIES)
        suffix = f"({','.join(fields)})" if fields else ""
        if key is not None:
            name, value = parse_key(key)
            matches = [row for row in rows if str(row[name]).lower() == value.lower()]
            if name != "Region":
                if not matches:
                    return JSONResponse(
                        {"error": {"code": "", "message": f"Instance with {name} '{value}' was not found."}}, status_code=404
                    )
                return JSONResponse({"@odata.context": f"{context}{suffix}/$entity", **select(matches[0], fields)})
            rows = matches
        if request.query_params.get("$filter"):
            predicate = parse_filter(request.query_params["$filter"], PROPERTIES)
            rows = [row for row in rows if predicate(row)]
        return JSONResponse({"@odata.context": context + suffix, "value": [select(row, fields) for row in rows]})

    async def instances(request: Request) -> Response:
        match = SEGMENT.match(request.path_params["segment"])
        if match is None:
            return JSONResponse({"error": {"code": "", "message": "Resource not found for the segment."}}, status_code=404)
        header = request.headers.get("authorization", "")
        claims = identity.validate(header[7:].strip(), resource_url) if header.lower().startswith("bearer ") else None
        if claims is None:
            return challenge()
        try:
            return answer(request, rows_for(claims), match.group("key"))
        except QueryError as error:
            return JSONResponse({"error": {"code": "", "message": str(error)}}, status_code=400)

    return Starlette(routes=[Route(API + "/{segment}", instances, methods=["GET"])])
