"""One organisation's Dataverse: its tables, rows, users, webhooks and limits, behind `handle()`.

`service_for(org, store)` returns the one service of an organisation's store, so the Web API app, the
seeding functions and an in-process caller (a sandbox UI) all see the same rows. `records` on the
service is a small API for such callers: create, update, get, list and delete by table name, with the
Web API's JSON shapes and rules but without HTTP or privileges.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from dxsandbox.common.clock import ScaledClock
from dxsandbox.common.store import DocumentStore
from dxsandbox.microsoft.dataverse.batch import run_batch
from dxsandbox.microsoft.dataverse.bulk import BulkOperations
from dxsandbox.microsoft.dataverse.catalog import Catalog
from dxsandbox.microsoft.dataverse.errors import DataverseError, bad_request
from dxsandbox.microsoft.dataverse.http import ApiRequest, ApiResponse, error_response
from dxsandbox.microsoft.dataverse.protection import ServiceProtection
from dxsandbox.microsoft.dataverse.query_options import parse_options
from dxsandbox.microsoft.dataverse.querying import Queries
from dxsandbox.microsoft.dataverse.records import ChangeEvent, OrgInfo, Records, utc_now
from dxsandbox.microsoft.dataverse.router import Router
from dxsandbox.microsoft.dataverse.security import CREATE_ENTITY, Caller
from dxsandbox.microsoft.dataverse.seed import ensure_message_filters, seed_organisation, sync_users
from dxsandbox.microsoft.dataverse.selection import sort_rows
from dxsandbox.microsoft.dataverse.serialize import Annotations, Serializer
from dxsandbox.microsoft.dataverse.settings import DataverseSettings
from dxsandbox.microsoft.dataverse.solutions import Solutions
from dxsandbox.microsoft.dataverse.storage import RecordStorage
from dxsandbox.microsoft.dataverse.tables import AlternateKey, Table, metadata_id
from dxsandbox.microsoft.dataverse.users import Users
from dxsandbox.microsoft.dataverse.webhooks import Webhooks

_services: weakref.WeakKeyDictionary[DocumentStore, dict[str, DataverseService]] = weakref.WeakKeyDictionary()
_services_lock = threading.Lock()


def service_for(
    org: Mapping[str, Any], store: DocumentStore, *, settings: DataverseSettings | None = None, clock: ScaledClock | None = None
) -> DataverseService:
    """The organisation's service on this store, created (and seeded) the first time it is asked for."""
    with _services_lock:
        per_store = _services.setdefault(store, {})
        org_id = str(org["id"]).lower()
        service = per_store.get(org_id)
        if service is None:
            service = DataverseService(org, store, settings=settings, clock=clock)
            per_store[org_id] = service
        return service


def org_business_unit_id(org: Mapping[str, Any]) -> str:
    return str(org.get("business_unit_id") or metadata_id("businessunit", str(org["id"]))).lower()


class DataverseService:
    def __init__(
        self,
        org: Mapping[str, Any],
        store: DocumentStore,
        *,
        settings: DataverseSettings | None = None,
        clock: ScaledClock | None = None,
    ):
        self.org = dict(org)
        self.org_id = str(org["id"]).lower()
        self.org_name = str(org.get("unique_name") or org.get("url_name") or org.get("name") or self.org_id)
        self.business_unit_id = org_business_unit_id(org)
        self.settings = settings or DataverseSettings()
        self.clock = clock or ScaledClock()
        self.store = store
        self.lock = threading.RLock()
        self.base_url: str | None = org.get("url") or org.get("base_url")
        self._system_user_id = system_user_row_id(self.org_id)
        self.catalog = Catalog(store, self.org_id)
        self.storage = RecordStorage(store, self.org_id)
        for table in self.catalog.tables.values():
            self.storage.register(table)
        self.webhooks = Webhooks(self, timeout=self.settings.webhook_timeout, ca_file=self.settings.webhook_ca_file)
        self.records = Records(
            self.catalog,
            self.storage,
            OrgInfo(self.org_id, self.org_name, self.business_unit_id, self.base_currency_id),
            self.webhooks.on_change,
        )
        self.serializer = Serializer(self.catalog, self.storage)
        self.queries = Queries(self.catalog, self.storage, self.serializer)
        self.users = Users(self)
        self.bulk = BulkOperations(self)
        self.solutions = Solutions(self)
        self.protection = ServiceProtection(self.settings.limits, self.clock, enabled=self.settings.limits_enabled)
        self.router = Router(self)
        self.api = InProcessApi(self)
        # Privileges taken out of a role (lower-case names), as an administrator edits a role: set through the host's
        # control route PUT /_sandbox/roles/{role} (dataverse/control.py), in memory only.
        self.withheld_privileges: dict[str, frozenset[str]] = {}
        with self.lock:
            seed_organisation(self)

    # --- identity -------------------------------------------------------------------------------
    def system_caller(self) -> Caller:
        return Caller(self._system_user_id, self.business_unit_id, None, ("System Administrator",), frozenset(), system=True)

    def caller_for_claims(self, claims: Mapping[str, Any]) -> Caller | None:
        with self.lock:
            return self.users.caller_for_claims(claims)

    def sync_users(self) -> None:
        sync_users(self)

    def base_currency_id(self) -> str | None:
        organisation = self.storage.get("organization", self.org_id)
        currency = organisation.get("basecurrencyid") if organisation else None
        return currency.get("id") if isinstance(currency, dict) else None

    def organisation_host(self) -> str:
        return urlsplit(self.base_url).netloc if self.base_url else self.org_name

    # --- requests -------------------------------------------------------------------------------
    def handle(self, request: ApiRequest, caller: Caller) -> ApiResponse:
        """Run one Web API request as `caller`; errors become Dataverse error responses."""
        with self.lock:
            self.base_url = self.base_url or request.base_url
            try:
                if request.path.strip("/") == "$batch":
                    return run_batch(self, request, caller)
                return self.router.dispatch(request, caller)
            except DataverseError as error:
                return error_response(error)

    def register_table(self, table: Table) -> None:
        self.storage.register(table)
        ensure_message_filters(self, [table.logical_name])

    def create_key(self, request: ApiRequest, caller: Caller, table: Table) -> ApiResponse:
        caller.require_privilege(CREATE_ENTITY, "create an alternate key")
        body = request.json()
        attributes = body.get("KeyAttributes") if isinstance(body, dict) else None
        if not isinstance(attributes, list) or not attributes or not body.get("SchemaName"):
            raise bad_request("An alternate key needs SchemaName and KeyAttributes.")
        label = (body.get("DisplayName") or {}).get("LocalizedLabels") or [{}]
        key = AlternateKey(
            str(body["SchemaName"]),
            tuple(str(a).lower() for a in attributes),
            display_name=str(label[0].get("Label") or body["SchemaName"]),
        )
        key.status = "Active" if self._key_values_unique(table, key) else "Failed"
        self.catalog.add_key(table, key)
        return ApiResponse(
            204,
            headers={
                "OData-EntityId": f"{request.api_url}/EntityDefinitions(LogicalName='{table.logical_name}')/Keys({key.metadata_id})"
            },
        )

    def _key_values_unique(self, table: Table, key: AlternateKey) -> bool:
        seen = set()
        for row in self.storage.rows(table.logical_name):
            values = tuple(
                str((row.get(a) or {}).get("id") if isinstance(row.get(a), dict) else row.get(a)).casefold()
                for a in key.attributes
            )
            if values in seen:
                return False
            seen.add(values)
        return True

    def record_failed_step(self, step_name: str, event: ChangeEvent, detail: str) -> None:
        """A failed webhook delivery, recorded as Dataverse records a failed asynchronous step."""
        with self.lock:
            table = self.catalog.require("asyncoperation")
            system = self.system_caller()
            try:
                with self.storage.transaction():
                    record = self.records.create(
                        table,
                        {
                            "name": step_name,
                            "operationtype": 1,
                            "message": f"Webhook delivery failed: {detail}",
                            "friendlymessage": f"The webhook for {event.message} of {event.table} {event.record_id} failed: {detail}",
                            "correlationid": event.correlation_id,
                            "primaryentitytype": event.table,
                            "regardingobjectid": event.record_id,
                            "startedon": utc_now(),
                            "completedon": utc_now(),
                        },
                        system,
                    )
                    self.records.apply_update(table, record, {"statecode": 3, "statuscode": 31}, system, system=True)
            except DataverseError:
                pass


def system_user_row_id(org_id: str) -> str:
    return str(uuid.uuid5(uuid.UUID(metadata_id("org", org_id)), "systemuser:SYSTEM"))


class InProcessApi:
    """Rows by table logical name, in the Web API's JSON shapes, for other parts of the sandbox (a UI).

    Values are written as the Web API takes them (lookups as `<nav>@odata.bind`); rows come back as
    it returns them (lookups as `_x_value`, with formatted values). Runs as the organisation's SYSTEM
    user: no privilege checks, no service protection limits. Webhooks fire as for API writes.
    """

    def __init__(self, service: DataverseService):
        self.service = service
        self._annotations = Annotations("*")

    def create(self, table: str, values: dict[str, Any]) -> dict[str, Any]:
        with self.service.lock, self.service.storage.transaction():
            definition = self.service.catalog.require(table)
            record = self.service.router.deep_create(definition, dict(values), self.service.system_caller(), {})
            return self._shape(definition, record)

    def update(self, table: str, record_id: str, values: dict[str, Any]) -> dict[str, Any]:
        with self.service.lock, self.service.storage.transaction():
            definition = self.service.catalog.require(table)
            record = self.service.records.update(definition, record_id, dict(values), self.service.system_caller())
            return self._shape(definition, record)

    def delete(self, table: str, record_id: str) -> None:
        with self.service.lock, self.service.storage.transaction():
            definition = self.service.catalog.require(table)
            self.service.records.delete(definition, record_id, self.service.system_caller())

    def get(self, table: str, record_id: str) -> dict[str, Any] | None:
        with self.service.lock:
            definition = self.service.catalog.require(table)
            record = self.service.records.get(definition, record_id)
            return None if record is None else self._shape(definition, record)

    def list(
        self,
        table: str,
        *,
        filter: str | None = None,
        select: list[str] | None = None,
        orderby: str | None = None,
        top: int | None = None,
    ) -> list[dict[str, Any]]:
        """Rows matching an OData `$filter`, ordered by an OData `$orderby`; all pages at once."""
        params = {
            k: v
            for k, v in {
                "$filter": filter,
                "$orderby": orderby,
                "$select": ",".join(select) if select else None,
                "$top": str(top) if top is not None else None,
            }.items()
            if v is not None
        }
        with self.service.lock:
            definition = self.service.catalog.require(table)
            options = parse_options(params)
            rows = self.service.queries.matching(definition, options, None)
            context = self.service.queries.context(definition, None)
            primary = definition.primary_id
            rows = sort_rows(rows, options.orderby, context, lambda r: r.get(primary))
            if top is not None:
                rows = rows[:top]
            return [self.service.serializer.row(definition, r, select=select, annotations=self._annotations) for r in rows]

    def tables(self) -> list[str]:
        return sorted(self.service.catalog.tables)

    def _shape(self, table: Table, record: dict[str, Any]) -> dict[str, Any]:
        return self.service.serializer.row(table, record, annotations=self._annotations)
