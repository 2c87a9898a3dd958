"""Resource paths: `accounts(<guid>)`, `accounts(accountnumber='A-1')`, `EntityDefinitions(LogicalName='x')/Keys`…"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from dxsandbox.microsoft.dataverse.errors import bad_request
from dxsandbox.microsoft.dataverse.odata import Literal, parse_literal
from dxsandbox.microsoft.dataverse.query_options import split_top_level

API_PREFIX = "/api/data/v9.2"
# The Web API versions Dataverse serves alike today; older clients still send v9.0 or v9.1.
API_VERSIONS = ("v9.0", "v9.1", "v9.2")
DEFAULT_VERSION = "v9.2"
_VERSIONED_PREFIX = re.compile(r"^/api/data/(v9\.[012])(?=/|$)")
GUID_PATTERN = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")

Key = str | dict[str, Any]  # a primary id, or alternate key values by attribute


def split_path(path: str) -> list[str]:
    """Segments split on '/' outside parentheses and quotes (a key value may contain '/')."""
    return split_top_level(path.strip("/"), "/")


def parse_segment(segment: str) -> tuple[str, str | None]:
    """`accounts(…)` → ("accounts", "…"); `WhoAmI()` → ("WhoAmI", ""); `accounts` → ("accounts", None)."""
    if "(" not in segment:
        return segment, None
    name, _, rest = segment.partition("(")
    if not rest.endswith(")"):
        raise bad_request(f"The segment '{segment}' is not valid.")
    return name, rest[:-1]


def as_guid(text: str) -> str | None:
    match = GUID_PATTERN.match(text.strip())
    return match.group(1).lower() if match else None


def parse_key(text: str) -> Key:
    guid = as_guid(text)
    if guid:
        return guid
    values: dict[str, Any] = {}
    for part in split_top_level(text, ","):
        name, separator, literal = part.partition("=")
        if not separator:
            raise bad_request(f"The key '{text}' is not valid: use a GUID or name=value pairs.")
        parsed = parse_literal(unquote(literal))
        values[name.strip()] = parsed.value if isinstance(parsed, Literal) else parsed
    return values


def parse_parameters(text: str) -> dict[str, str]:
    """Function parameters `A='x',B=@p` → {"A": "'x'", "B": "@p"} (literals left for the caller)."""
    parameters: dict[str, str] = {}
    for part in split_top_level(text, ","):
        name, separator, value = part.partition("=")
        if separator:
            parameters[name.strip()] = value.strip()
    return parameters


def relative_resource(url: str) -> str:
    """`https://host/api/data/v9.2/accounts(…)`, `/api/data/v9.2/accounts(…)`, `/accounts(…)` → `accounts(…)`."""
    path = urlsplit(url).path if "://" in url else url
    return strip_api_prefix(unquote(path)).lstrip("/")


def strip_api_prefix(path: str) -> str:
    """`/api/data/v9.1/accounts` → `/accounts` for any version served."""
    match = _VERSIONED_PREFIX.match(path)
    return path[match.end() :] if match else path


def parse_reference(url: str) -> tuple[str, Key]:
    """An entity reference (`@odata.bind` value, `@odata.id`) → (entity set, key)."""
    segments = split_path(relative_resource(url))
    if len(segments) != 1:
        raise bad_request(f"The reference '{url}' does not identify a single record.")
    name, key = parse_segment(segments[0])
    if key is None:
        raise bad_request(f"The reference '{url}' has no key.")
    return name, parse_key(key)
