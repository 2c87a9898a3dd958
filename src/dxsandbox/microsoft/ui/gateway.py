"""Acting as one person in one organisation: Web API requests run in-process, as that person's systemuser.

Every read and write goes through the organisation's `DataverseService.handle`, the very code the Web API
host runs after checking a token: the router, the security roles' privileges, the write rules, pricing,
change tracking and webhook steps. Only the HTTP hop, the token and the service protection limits are
left out (a person clicking through pages is not what those limits are about).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dxsandbox.microsoft.dataverse.http import ApiRequest, ApiResponse
from dxsandbox.microsoft.dataverse.security import Caller
from dxsandbox.microsoft.dataverse.service import DataverseService
from dxsandbox.microsoft.dataverse.tables import Table

FORMATTED = "OData.Community.Display.V1.FormattedValue"
ANNOTATIONS = 'odata.include-annotations="*"'
MISSING_PRIVILEGE = "0x80040220"


class Refused(Exception):
    """Something the page cannot do: Dynamics refused it (its code and message), or the form was filled in wrongly."""

    def __init__(self, message: str, status: int = 400, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    @property
    def missing_privilege(self) -> bool:
        return self.code == MISSING_PRIVILEGE


@dataclass(frozen=True)
class Organisation:
    """One organisation the app serves: its identity-seed entry, its Dataverse service and its Web API origin."""

    entry: Mapping[str, Any]
    service: DataverseService
    url: str

    @property
    def unique_name(self) -> str:
        return str(self.entry["unique_name"])

    @property
    def friendly_name(self) -> str:
        return str(self.entry.get("friendly_name") or self.unique_name)

    def table(self, logical_name: str) -> Table | None:
        """A table's definition (metadata, as the app's forms read it), or None if the organisation has no such table."""
        return self.service.catalog.get(logical_name)

    def table_of_set(self, entity_set: str) -> Table:
        return self.service.catalog.by_entity_set(entity_set)

    def caller_for(self, object_id: str) -> Caller | None:
        """The person's systemuser with their roles' privileges; None when they are not (or no longer) a member."""
        return self.service.caller_for_claims({"oid": object_id, "scp": "user_impersonation"})


def quoted(text: str) -> str:
    """An OData string literal."""
    return "'" + text.replace("'", "''") + "'"


def record_id(response: ApiResponse) -> str:
    entity_id = response.headers.get("OData-EntityId", "")
    return entity_id[entity_id.rfind("(") + 1 : -1] if entity_id.endswith(")") else ""


class ActingUser:
    """The Web API of one organisation as one person sees it; every refusal becomes `Refused`."""

    def __init__(self, organisation: Organisation, caller: Caller):
        self.organisation = organisation
        self.caller = caller

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiResponse:
        encoded = b"" if body is None else json.dumps(body).encode()
        request = ApiRequest(
            method, path, list((params or {}).items()), {"prefer": ANNOTATIONS, **(headers or {})}, encoded, self.organisation.url
        )
        response = self.organisation.service.handle(request, self.caller)
        if response.status >= 400:
            error = (response.body or {}).get("error", {}) if isinstance(response.body, dict) else {}
            raise Refused(
                str(error.get("message") or f"The request failed ({response.status})."), response.status, error.get("code")
            )
        return response

    def rows(
        self, entity_set: str, *, select: list[str], filter: str | None = None, orderby: str | None = None, top: int | None = None
    ) -> list[dict[str, Any]]:
        params = {"$select": ",".join(select)}
        params.update({k: v for k, v in {"$filter": filter, "$orderby": orderby, "$top": str(top) if top else None}.items() if v})
        return list(self.request("GET", entity_set, params=params).body["value"])

    def row(self, entity_set: str, key: str, select: list[str] | None = None) -> dict[str, Any]:
        params = {"$select": ",".join(select)} if select else None
        return dict(self.request("GET", f"{entity_set}({key})", params=params).body)

    def create(self, entity_set: str, values: dict[str, Any]) -> str:
        """The new row's id."""
        return record_id(self.request("POST", entity_set, body=values))

    def update(self, entity_set: str, key: str, values: dict[str, Any], *, current: Mapping[str, Any] | None = None) -> bool:
        """PATCH the row; given the row as read, only the values that differ from it (a form's dirty fields).

        False when nothing changed, and then nothing is sent.
        """
        if current is not None:
            values = changed(self.organisation.table_of_set(entity_set), current, values)
            if not values:
                return False
        # If-Match: * makes the PATCH an update only, never an upsert that would create the row.
        self.request("PATCH", f"{entity_set}({key})", body=values, headers={"if-match": "*"})
        return True

    def delete(self, entity_set: str, key: str) -> None:
        self.request("DELETE", f"{entity_set}({key})")

    def action(self, name: str, body: dict[str, Any]) -> Any:
        return self.request("POST", name, body=body).body


def changed(table: Table, row: Mapping[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The write values that differ from `row` (as the Web API returned it)."""
    different: dict[str, Any] = {}
    for key, value in values.items():
        if key.endswith("@odata.bind"):
            navigation = table.navigations.get(key[: -len("@odata.bind")])
            wanted = value[value.rfind("(") + 1 : -1] if value else None
            if navigation is None or row.get(f"_{navigation.column}_value") != wanted:
                different[key] = value
        elif not _same(row.get(key), value):
            different[key] = value
    return different


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, (int, float)) and isinstance(wanted, (int, float)) and not isinstance(current, bool):
        return float(current) == float(wanted)
    if isinstance(current, str) and isinstance(wanted, str) and len(wanted) == 10 and current[10:11] == "T":
        return current[:10] == wanted  # a date form field on a date-and-time column: the same day keeps its time
    return current == wanted


def formatted(row: Mapping[str, Any], name: str) -> str:
    """A value as Dynamics displays it (the FormattedValue annotation), else as it is; '' for nothing."""
    text = row.get(f"{name}@{FORMATTED}")
    if text is not None:
        return str(text)
    value = row.get(name)
    return "" if value is None else str(value)
