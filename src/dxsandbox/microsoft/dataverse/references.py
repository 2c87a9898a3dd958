"""Associating and disassociating existing rows through navigation properties (`$ref`).

- `POST <set>(id)/<collection>/$ref` with `{"@odata.id": "<url of a row>"}` associates that row: for a
  one-to-many relationship it sets the row's lookup to this record. Nothing is created.
- `DELETE <set>(id)/<collection>(relatedid)/$ref`, or `DELETE <set>(id)/<collection>/$ref?$id=<url>`,
  disassociates the row (its lookup is cleared).
- `PUT <set>(id)/<single-valued navigation>/$ref` with `{"@odata.id": …}` sets this record's lookup;
  `DELETE <set>(id)/<single-valued navigation>/$ref` clears it.
- `GET …/$ref` answers the references themselves (`@odata.id` URLs), as OData serves them.

A write here is an update of the row that holds the lookup, with its privileges (Write, Append and
AppendTo) and its change event, as Dataverse's Associate and Disassociate messages are for one-to-many
relationships. The sandbox has no many-to-many relationship, so every collection here is one-to-many.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dxsandbox.microsoft.dataverse.errors import OBJECT_DOES_NOT_EXIST, DataverseError, bad_request
from dxsandbox.microsoft.dataverse.http import ApiRequest, ApiResponse
from dxsandbox.microsoft.dataverse.paths import parse_key
from dxsandbox.microsoft.dataverse.security import Caller
from dxsandbox.microsoft.dataverse.storage import Record
from dxsandbox.microsoft.dataverse.tables import Collection, Navigation, Table

if TYPE_CHECKING:
    from dxsandbox.microsoft.dataverse.service import DataverseService

REF = "$ref"
Resolver = Callable[[str], tuple[str, str] | None]  # "$1" → (entity set, id): a row created earlier in a changeset


class References:
    def __init__(self, service: DataverseService):
        self.service = service
        self.catalog = service.catalog
        self.records = service.records

    # --- collection-valued navigations --------------------------------------------------------------
    def collection(
        self,
        request: ApiRequest,
        caller: Caller,
        table: Table,
        record: Record,
        name: str,
        related_key: str | None,
        resolve: Resolver | None = None,
    ) -> ApiResponse:
        collection = table.collections[name]
        child_table = self.catalog.require(collection.table)
        if request.method == "GET" and related_key is None:
            caller.require("Read", child_table)
            rows = self.related_rows(table, record, collection)
            return ApiResponse(
                200,
                {
                    "@odata.context": f"{request.api_url}/$metadata#Collection($ref)",
                    "value": [{"@odata.id": _row_url(request, child_table, row)} for row in rows],
                },
            )
        if request.method == "POST" and related_key is None:
            child_table, child_id = self._referenced_row(
                _body_reference(request), expected=child_table, name=name, resolve=resolve
            )
            self._point(caller, child_table, child_id, table, record, collection)
            return ApiResponse(204)
        if request.method == "DELETE":
            if related_key is not None:
                child_id = self._related_id(child_table, related_key)
            else:
                reference = request.params().get("$id")
                if not reference:
                    raise bad_request(
                        f"Disassociating through the collection '{name}' needs the related row: "
                        f"'{name}(<id>)/$ref' or '{name}/$ref?$id=<url of the row>'."
                    )
                child_table, child_id = self._referenced_row(reference, expected=child_table, name=name, resolve=resolve)
            self._unpoint(caller, child_table, child_id, table, record, collection)
            return ApiResponse(204)
        raise _method_not_allowed(request)

    def related_rows(self, table: Table, record: Record, collection: Collection) -> list[Record]:
        return [
            row
            for row in self.service.storage.referencing(collection.table, collection.column, record[table.primary_id])
            if (row.get(collection.column) or {}).get("table") == table.logical_name
        ]

    def _point(
        self, caller: Caller, child_table: Table, child_id: str, table: Table, record: Record, collection: Collection
    ) -> None:
        navigation = child_table.navigation_for(collection.column, table.logical_name)
        _require_updatable(child_table, collection.column)
        with self.service.storage.transaction():
            self.records.update(
                child_table,
                child_id,
                {f"{navigation}@odata.bind": f"/{table.entity_set}({record[table.primary_id]})"},
                caller,
            )

    def _unpoint(
        self, caller: Caller, child_table: Table, child_id: str, table: Table, record: Record, collection: Collection
    ) -> None:
        child = self.records.require(child_table, child_id)
        reference = child.get(collection.column)
        if not (
            isinstance(reference, dict)
            and reference["table"] == table.logical_name
            and reference["id"] == record[table.primary_id]
        ):
            raise DataverseError(
                404,
                OBJECT_DOES_NOT_EXIST,
                f"{child_table.logical_name} With Id = {child_id} is not associated with {table.logical_name} "
                f"With Id = {record[table.primary_id]} through '{collection.name}'.",
            )
        navigation = child_table.navigation_for(collection.column, table.logical_name)
        _require_updatable(child_table, collection.column)
        with self.service.storage.transaction():
            self.records.update(child_table, child_id, {f"{navigation}@odata.bind": None}, caller)

    def _related_id(self, child_table: Table, key: str) -> str:
        parsed = parse_key(key)
        row = self.records.find(child_table, parsed)
        if row is None:
            raise DataverseError(404, OBJECT_DOES_NOT_EXIST, f"{child_table.logical_name} With Id = {key} Does Not Exist")
        return str(row[child_table.primary_id])

    # --- single-valued navigations ------------------------------------------------------------------
    def single(
        self, request: ApiRequest, caller: Caller, table: Table, record: Record, name: str, resolve: Resolver | None = None
    ) -> ApiResponse:
        navigation = table.navigations[name]
        record_id = record[table.primary_id]
        if "$id" in request.params():
            raise bad_request(f"The $id query option names a row of a collection; '{name}' is a single-valued navigation.")
        if request.method == "GET":
            caller.require("Read", table)
            reference = _through(record, navigation)
            if reference is None:
                return ApiResponse(204)
            target = self.catalog.require(reference["table"])
            return ApiResponse(
                200,
                {
                    "@odata.context": f"{request.api_url}/$metadata#$ref",
                    "@odata.id": f"{request.api_url}/{target.entity_set}({reference['id']})",
                },
            )
        if request.method == "PUT":
            target, target_id = self._referenced_row(_body_reference(request), expected=None, name=name, resolve=resolve)
            if target.logical_name not in navigation.targets:
                raise _wrong_type(name, navigation.targets, target)
            _require_updatable(table, navigation.column)
            with self.service.storage.transaction():
                self.records.update(table, record_id, {f"{name}@odata.bind": f"/{target.entity_set}({target_id})"}, caller)
            return ApiResponse(204)
        if request.method == "DELETE":
            _require_updatable(table, navigation.column)
            if _through(record, navigation) is not None:  # a polymorphic lookup set through another navigation stays
                with self.service.storage.transaction():
                    self.records.update(table, record_id, {f"{name}@odata.bind": None}, caller)
            return ApiResponse(204)
        raise _method_not_allowed(request)

    # --- helpers ------------------------------------------------------------------------------------
    def _referenced_row(self, url: str, *, expected: Table | None, name: str, resolve: Resolver | None) -> tuple[Table, str]:
        target, target_id = self.records.resolve_reference(url, resolve)
        if expected is not None and target.logical_name != expected.logical_name:
            raise _wrong_type(name, (expected.logical_name,), target)
        return target, target_id


def _body_reference(request: ApiRequest) -> str:
    payload = request.json()
    reference = payload.get("@odata.id") if isinstance(payload, dict) else None
    if not isinstance(reference, str) or not reference.strip():
        raise bad_request("The request body must be a JSON object with '@odata.id': the URL of an existing row.")
    return reference


def _through(record: Record, navigation: Navigation) -> dict[str, Any] | None:
    reference = record.get(navigation.column)
    return reference if isinstance(reference, dict) and reference["table"] in navigation.targets else None


def _require_updatable(table: Table, column: str) -> None:
    if not table.columns[column].updatable:
        raise bad_request(
            f"The lookup '{column}' of '{table.logical_name}' cannot be changed once the row exists, "
            f"so it cannot be associated or disassociated."
        )


def _wrong_type(name: str, targets: tuple[str, ...], found: Table) -> DataverseError:
    expected = " or ".join(f"'Microsoft.Dynamics.CRM.{t}'" for t in targets)
    return bad_request(
        f"The @odata.id refers to a row of 'Microsoft.Dynamics.CRM.{found.logical_name}', but the navigation "
        f"property '{name}' expects {expected}."
    )


def _row_url(request: ApiRequest, table: Table, row: Record) -> str:
    return f"{request.api_url}/{table.entity_set}({row[table.primary_id]})"


def _method_not_allowed(request: ApiRequest) -> DataverseError:
    return DataverseError(405, "0x80060888", f"The HTTP method '{request.method}' is not allowed for '{request.path}'.")
