"""Webhooks: service endpoints (contract 8) registered as steps on Create/Update/Delete of a table
receive a `RemoteExecutionContext` (FACTS §7) after the change commits.

Steps are ordinary rows (`sdkmessageprocessingsteps` bound to an `sdkmessage` and an `sdkmessagefilter`
for the table, with `eventhandler_serviceendpoint`); the active ones are cached and the cache is dropped
whenever a registration row changes. Delivery runs on a background thread, in commit order; every step
is delivered asynchronously (a synchronous step's failure would roll back the change in Dataverse; here it
is only recorded). A failure (no answer within the timeout, or a non-2xx status) is recorded as a failed
system job (`asyncoperations`, statuscode 31), as Dataverse records failed asynchronous steps.
"""

from __future__ import annotations

import json
import logging
import queue
import ssl
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from dxsandbox.microsoft.dataverse.records import ChangeEvent
from dxsandbox.microsoft.dataverse.storage import lookup_id
from dxsandbox.microsoft.dataverse.tables import DATETIME, MONEY, OPTION_TYPES, Table

if TYPE_CHECKING:
    from dxsandbox.microsoft.dataverse.service import DataverseService

logger = logging.getLogger(__name__)

CONTRACTS = "http://schemas.microsoft.com/xrm/2011/Contracts"
WEBHOOK_CONTRACT = 8
WEBHOOK_KEY, HTTP_HEADER, HTTP_QUERY_STRING = 4, 5, 6
MAX_MESSAGE_BYTES = 256 * 1024
REGISTRATION_TABLES = {"serviceendpoint", "sdkmessage", "sdkmessagefilter", "sdkmessageprocessingstep"}
WEBHOOK_TABLES = ("account", "contact", "invoice", "invoicedetail", "product")
MESSAGES = ("Create", "Update", "Delete")


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    message: str
    table: str | None  # None: every table
    stage: int
    mode: int
    filtering: frozenset[str]
    endpoint: dict[str, Any]


@dataclass
class Delivery:
    url: str
    headers: dict[str, str]
    body: bytes
    step: Step
    event: ChangeEvent


def wcf_date(text: str | None) -> str | None:
    """`2024-06-21T01:15:39Z` → `/Date(1718932539000)/`, the date form of the data contract serializer."""
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00") if "T" in text else text + "T00:00:00+00:00")
    return f"/Date({int(moment.timestamp() * 1000)})/"


def auth_settings(value: str | None) -> dict[str, str]:
    """`<settings><setting name="X-Key" value="…"/></settings>` → {"X-Key": "…"}."""
    if not value:
        return {}
    try:
        root = ET.fromstring(value)
    except ET.ParseError:
        return {}
    return {s.get("name") or "": s.get("value") or "" for s in root.iter("setting") if s.get("name")}


def with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    extra = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in params.items())
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


class Webhooks:
    def __init__(self, service: DataverseService, *, timeout: float = 60.0, ca_file: Path | str | None = None):
        self.service = service
        self.timeout = timeout
        self.ca_file = ca_file
        self._steps: list[Step] | None = None
        self._queue: queue.Queue[Delivery] = queue.Queue()
        self._condition = threading.Condition()
        self._outstanding = 0
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.delivered = 0
        self.failed = 0
        self.recent: deque[dict[str, Any]] = deque(maxlen=100)

    # --- events -------------------------------------------------------------------------------
    def on_change(self, event: ChangeEvent) -> None:
        """Called once a change committed: queue a delivery for each step it triggers."""
        if event.table in REGISTRATION_TABLES:
            self._steps = None
            return
        for step in self.steps():
            if step.message != event.message or (step.table is not None and step.table != event.table):
                continue
            if event.message == "Update" and step.filtering and not (step.filtering & event.changed):
                continue
            self._enqueue(self._delivery(step, event))

    def steps(self) -> list[Step]:
        if self._steps is None:
            self._steps = self._load_steps()
        return self._steps

    def _load_steps(self) -> list[Step]:
        storage = self.service.storage
        steps = []
        for row in storage.rows("sdkmessageprocessingstep"):
            handler = row.get("eventhandler")
            if row.get("statecode") != 0 or not isinstance(handler, dict) or handler["table"] != "serviceendpoint":
                continue
            endpoint = storage.get("serviceendpoint", handler["id"])
            message = storage.get("sdkmessage", lookup_id(row.get("sdkmessageid")) or "")
            if endpoint is None or message is None or endpoint.get("contract") != WEBHOOK_CONTRACT:
                continue
            message_filter = storage.get("sdkmessagefilter", lookup_id(row.get("sdkmessagefilterid")) or "")
            table = message_filter.get("primaryobjecttypecode") if message_filter else None
            filtering = frozenset(a.strip().lower() for a in (row.get("filteringattributes") or "").split(",") if a.strip())
            steps.append(
                Step(
                    row["sdkmessageprocessingstepid"],
                    row.get("name") or "",
                    message.get("name") or "",
                    table,
                    int(row.get("stage") or 40),
                    int(row.get("mode") or 0),
                    filtering,
                    dict(endpoint),
                )
            )
        return steps

    # --- the payload --------------------------------------------------------------------------
    def _delivery(self, step: Step, event: ChangeEvent) -> Delivery:
        context = self.execution_context(step, event)
        body = json.dumps(context, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "x-ms-dynamics-organization": self.service.organisation_host(),
            "x-ms-dynamics-entity-name": event.table,
            "x-ms-dynamics-request-name": event.message,
            "x-ms-correlation-request-id": event.correlation_id,
        }
        if len(body) > MAX_MESSAGE_BYTES:
            # As Dataverse does: drop the bulky parts and say so; the receiver fetches the row itself.
            for name in ("ParentContext", "InputParameters", "PreEntityImages", "PostEntityImages"):
                context[name] = None if name == "ParentContext" else []
            body = json.dumps(context, ensure_ascii=False, separators=(",", ":")).encode()
            headers["x-ms-dynamics-msg-size-exceeded"] = "true"
        url, extra = self._authenticated(step.endpoint)
        headers.update(extra)
        return Delivery(url, headers, body, step, event)

    def _authenticated(self, endpoint: dict[str, Any]) -> tuple[str, dict[str, str]]:
        url, auth_type, value = str(endpoint.get("url") or ""), endpoint.get("authtype"), endpoint.get("authvalue")
        if auth_type == WEBHOOK_KEY and value:
            return with_query(url, {"code": str(value)}), {}
        if auth_type == HTTP_HEADER:
            return url, auth_settings(value)
        if auth_type == HTTP_QUERY_STRING:
            return with_query(url, auth_settings(value)), {}
        return url, {}

    def execution_context(self, step: Step, event: ChangeEvent) -> dict[str, Any]:
        caller = event.caller
        table = self.service.catalog.get(event.table)
        if event.message == "Delete" or table is None:
            target: dict[str, Any] = self._reference(event.table, event.record_id)
        else:
            target = self._entity(table, event)
        created_on = f"/Date({int(event.at.timestamp() * 1000)})/"
        common = {
            "BusinessUnitId": caller.business_unit_id,
            "CorrelationId": event.correlation_id,
            "Depth": 1,
            "InitiatingUserAzureActiveDirectoryObjectId": caller.object_id or "00000000-0000-0000-0000-000000000000",
            "InitiatingUserId": caller.user_id,
            "InputParameters": [{"key": "Target", "value": target}],
            "IsExecutingOffline": False,
            "IsInTransaction": False,
            "IsOfflinePlayback": False,
            "IsolationMode": 1,
            "MessageName": event.message,
            "Mode": step.mode,
            "OperationCreatedOn": created_on,
            "OperationId": str(uuid.uuid4()),
            "OrganizationId": self.service.org_id,
            "OrganizationName": self.service.org_name,
            "OutputParameters": [{"key": "id", "value": event.record_id}] if event.message == "Create" else [],
            "OwningExtension": {
                "Id": step.id,
                "KeyAttributes": [],
                "LogicalName": "sdkmessageprocessingstep",
                "Name": step.name,
                "RowVersion": None,
            },
            "PostEntityImages": [],
            "PreEntityImages": [],
            "PrimaryEntityId": event.record_id,
            "PrimaryEntityName": event.table,
            "RequestId": str(uuid.uuid4()),
            "SecondaryEntityName": "none",
            "SharedVariables": [{"key": "IsAutoTransact", "value": True}],
            "Stage": step.stage,
            "UserAzureActiveDirectoryObjectId": caller.object_id or "00000000-0000-0000-0000-000000000000",
            "UserId": caller.user_id,
        }
        parent = {**common, "Stage": 30, "Mode": 0, "ParentContext": None, "OwningExtension": None, "IsInTransaction": True}
        return {**common, "ParentContext": parent}

    def _reference(self, table: str, record_id: str, name: str | None = None) -> dict[str, Any]:
        return {
            "__type": f"EntityReference:{CONTRACTS}",
            "Id": record_id,
            "KeyAttributes": [],
            "LogicalName": table,
            "Name": name,
            "RowVersion": None,
        }

    def _entity(self, table: Table, event: ChangeEvent) -> dict[str, Any]:
        attributes, formatted = [], []
        serializer = self.service.serializer
        for name, value in sorted(event.attributes.items()):
            column = table.column(name)
            if column is None or name.startswith("__"):
                continue
            attributes.append({"key": name, "value": self._value(column, value)})
            if value is not None and (column.type in OPTION_TYPES or column.type == MONEY):
                text = serializer.formatted(column, value, event.attributes)
                if text is not None:
                    formatted.append({"key": name, "value": text})
        record = self.service.storage.get(table.logical_name, event.record_id) or {}
        return {
            "__type": f"Entity:{CONTRACTS}",
            "Attributes": attributes,
            "EntityState": None,
            "FormattedValues": formatted,
            "Id": event.record_id,
            "KeyAttributes": [],
            "LogicalName": table.logical_name,
            "RelatedEntities": [],
            "RowVersion": str(record.get("versionnumber")) if record.get("versionnumber") else None,
        }

    def _value(self, column: Any, value: Any) -> Any:
        if value is None:
            return None
        if column.is_lookup:
            return self._reference(value["table"], value["id"], self.service.serializer.primary_name(value["table"], value["id"]))
        if column.type == MONEY:
            return {"__type": f"Money:{CONTRACTS}", "Value": value}
        if column.type in OPTION_TYPES:
            return {"__type": f"OptionSetValue:{CONTRACTS}", "Value": value}
        if column.type == DATETIME:
            return wcf_date(value)
        return value

    # --- delivery -----------------------------------------------------------------------------
    def _enqueue(self, delivery: Delivery) -> None:
        with self._condition:
            self._outstanding += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="dataverse-webhooks", daemon=True)
                self._thread.start()
        self._queue.put(delivery)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued delivery has been attempted (for tests). False on timeout."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._outstanding:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(left)
        return True

    def close(self) -> None:
        self._stopping.set()

    def _run(self) -> None:
        with httpx.Client(verify=_tls_context(self.ca_file), timeout=self.timeout, follow_redirects=False) as client:
            while not self._stopping.is_set():
                try:
                    delivery = self._queue.get(timeout=0.5)
                except queue.Empty:
                    continue
                try:
                    self._attempt(client, delivery)
                except Exception:  # one bad delivery must not stop the thread
                    logger.exception("webhook delivery failed unexpectedly")
                finally:
                    with self._condition:
                        self._outstanding -= 1
                        self._condition.notify_all()

    def _attempt(self, client: httpx.Client, delivery: Delivery) -> None:
        try:
            response = client.post(delivery.url, content=delivery.body, headers=delivery.headers)
            ok, detail = 200 <= response.status_code < 300, f"HTTP {response.status_code}"
        except httpx.HTTPError as error:
            ok, detail = False, f"{type(error).__name__}: {error}"
        self.recent.append(
            {
                "url": delivery.url.split("?")[0],
                "entity": delivery.event.table,
                "message": delivery.event.message,
                "id": delivery.event.record_id,
                "ok": ok,
                "detail": detail,
            }
        )
        if ok:
            self.delivered += 1
            return
        self.failed += 1
        self.service.record_failed_step(delivery.step.name, delivery.event, detail)

    def stats(self) -> dict[str, Any]:
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "pending": self._outstanding,
            "recent": list(self.recent)[-20:],
        }


def _tls_context(ca_file: Path | str | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file is not None and Path(ca_file).exists():
        context.load_verify_locations(cafile=str(ca_file))
    return context
