"""Bulk operations: CreateMultiple, UpdateMultiple, UpsertMultiple (all-or-nothing, as on standard
tables) and BulkDelete (run at once; its job is recorded as a completed system job)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from dxsandbox.microsoft.dataverse.errors import bad_request, segment_not_found
from dxsandbox.microsoft.dataverse.http import ApiRequest, ApiResponse
from dxsandbox.microsoft.dataverse.odata import normalise
from dxsandbox.microsoft.dataverse.paths import parse_reference
from dxsandbox.microsoft.dataverse.records import utc_now
from dxsandbox.microsoft.dataverse.security import Caller
from dxsandbox.microsoft.dataverse.selection import column_kind
from dxsandbox.microsoft.dataverse.tables import Table

if TYPE_CHECKING:
    from dxsandbox.microsoft.dataverse.service import DataverseService

MAX_TARGETS = 1000 * 10  # Dataverse advises ~1,000 per request; it refuses far larger payloads


class BulkOperations:
    def __init__(self, service: DataverseService):
        self.service = service

    def run(self, action: str, request: ApiRequest, caller: Caller, table: Table) -> ApiResponse:
        handler = {
            "CreateMultiple": self.create_multiple,
            "UpdateMultiple": self.update_multiple,
            "UpsertMultiple": self.upsert_multiple,
        }.get(action)
        if handler is None:
            raise segment_not_found(f"Microsoft.Dynamics.CRM.{action}")
        targets = self._targets(request.json(), table)
        with self.service.storage.transaction():
            return handler(targets, caller, table, request)

    def _targets(self, body: Any, table: Table) -> list[dict[str, Any]]:
        targets = body.get("Targets") if isinstance(body, dict) else None
        if not isinstance(targets, list) or not targets:
            raise bad_request("The parameter 'Targets' is required and must be a non-empty list.")
        if len(targets) > MAX_TARGETS:
            raise bad_request(f"Targets has {len(targets)} records; send at most {MAX_TARGETS} per request.")
        expected = f"Microsoft.Dynamics.CRM.{table.logical_name}"
        for target in targets:
            if not isinstance(target, dict):
                raise bad_request("Each target must be a JSON object.")
            kind = str(target.get("@odata.type", "")).lstrip("#")
            if kind != expected:
                raise bad_request(f'Each target needs "@odata.type": "{expected}" (found \'{kind or "none"}\').')
        return targets

    def create_multiple(self, targets: list[dict[str, Any]], caller: Caller, table: Table, request: ApiRequest) -> ApiResponse:
        ids = [self.service.records.create(table, dict(target), caller)[table.primary_id] for target in targets]
        return ApiResponse(
            200, {"@odata.context": f"{request.api_url}/$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse", "Ids": ids}
        )

    def update_multiple(self, targets: list[dict[str, Any]], caller: Caller, table: Table, request: ApiRequest) -> ApiResponse:
        for target in targets:
            record_id = target.get(table.primary_id)
            if not record_id:
                raise bad_request(f"Each UpdateMultiple target needs its primary key '{table.primary_id}'.")
            payload = {k: v for k, v in target.items() if k != table.primary_id}
            self.service.records.update(table, str(record_id), payload, caller, if_match="*")
        return ApiResponse(204)

    def upsert_multiple(self, targets: list[dict[str, Any]], caller: Caller, table: Table, request: ApiRequest) -> ApiResponse:
        for target in targets:
            payload = {k: v for k, v in target.items() if k != "@odata.id"}
            if "@odata.id" in target:
                entity_set, key = parse_reference(str(target["@odata.id"]))
                if entity_set != table.entity_set:
                    raise bad_request(f"The @odata.id '{target['@odata.id']}' is not a row of {table.entity_set}.")
            elif target.get(table.primary_id):
                key = str(target[table.primary_id]).lower()
            else:
                raise bad_request("Each UpsertMultiple target needs '@odata.id' (an alternate key) or its primary key.")
            self.service.records.upsert(table, key, payload, caller)
        return ApiResponse(204)

    # --- BulkDelete -------------------------------------------------------------------------------
    def bulk_delete(self, body: Any, caller: Caller) -> str:
        if not isinstance(body, dict) or not isinstance(body.get("QuerySet"), list):
            raise bad_request("BulkDelete needs a QuerySet of QueryExpressions.")
        with self.service.storage.transaction():
            for query in body["QuerySet"]:
                table = self.service.catalog.require(str(query.get("EntityName", "")))
                for record in self._matching(table, query.get("Criteria") or {}):
                    if self.service.records.get(table, record[table.primary_id]) is not None:
                        self.service.records.delete(table, record[table.primary_id], caller)
            job_id = str(uuid.uuid4())
            jobs = self.service.catalog.require("asyncoperation")
            self.service.records.create(
                jobs,
                {
                    "asyncoperationid": job_id,
                    "name": str(body.get("JobName") or "Bulk Delete"),
                    "operationtype": 13,
                    "startedon": utc_now(),
                    "completedon": utc_now(),
                },
                Caller(caller.user_id, caller.business_unit_id, system=True),
            )
            operation = self.service.records.get(jobs, job_id)
            if operation is not None:
                self.service.records.apply_update(jobs, operation, {"statecode": 3, "statuscode": 30}, caller, system=True)
        return job_id

    def _matching(self, table: Table, criteria: dict[str, Any]) -> list[dict[str, Any]]:
        """Rows meeting a FilterExpression's conditions (Equal, In, NotEqual, Null, NotNull), And/Or."""
        conditions = criteria.get("Conditions") or []
        combine = all if str(criteria.get("FilterOperator", "And")).lower() == "and" else any
        rows = list(self.service.storage.rows(table.logical_name))
        return (
            [row for row in rows if combine(self._meets(table, row, condition) for condition in conditions)]
            if conditions
            else rows
        )

    def _meets(self, table: Table, row: dict[str, Any], condition: dict[str, Any]) -> bool:
        column = table.column(str(condition.get("AttributeName", "")))
        if column is None:
            raise bad_request(f"'{condition.get('AttributeName')}' is not a column of {table.logical_name}.")
        kind = column_kind(column)
        value = row.get(column.name)
        value = value.get("id") if isinstance(value, dict) else value
        wanted = [normalise(v.get("Value") if isinstance(v, dict) else v, kind) for v in condition.get("Values") or []]
        operator = str(condition.get("Operator", "Equal")).lower()
        current = normalise(value, kind)
        if operator in ("equal", "in"):
            return current in wanted
        if operator in ("notequal", "notin"):
            return current is not None and current not in wanted
        if operator == "null":
            return current is None
        if operator == "notnull":
            return current is not None
        raise bad_request(f"The condition operator '{condition.get('Operator')}' is not supported by this sandbox.")
