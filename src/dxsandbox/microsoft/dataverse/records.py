"""Creating, updating, upserting and deleting rows with Dataverse's rules.

A write payload is the Web API's JSON: column values by logical name, lookups as
`<navigation>@odata.bind`. It is checked against the table (unknown properties are refused, values
converted to the column's type, lengths and option values validated), system columns are stamped
(ids, owner, audit columns, row version), computed columns derived (full names, invoice numbers,
line and invoice totals) and state/status pairs validated; an invoice that is not active takes only the state
moves Dynamics allows (`invoice_states`). Every committed change becomes a
`ChangeEvent` for the webhook steps; a line change that moves its invoice's totals counts as an
update of the invoice too.
"""

from __future__ import annotations

import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from dxsandbox.microsoft.dataverse import errors, invoice_states
from dxsandbox.microsoft.dataverse.catalog import Catalog
from dxsandbox.microsoft.dataverse.errors import DataverseError, bad_request, not_found, validation
from dxsandbox.microsoft.dataverse.odata import canonical_datetime, normalise
from dxsandbox.microsoft.dataverse.paths import Key, as_guid, parse_reference
from dxsandbox.microsoft.dataverse.pricing import INVOICE_TOTALS, invoice_totals, price_line, rounded
from dxsandbox.microsoft.dataverse.security import Caller
from dxsandbox.microsoft.dataverse.storage import Record, RecordStorage, lookup_id
from dxsandbox.microsoft.dataverse.tables import (
    BIGINT,
    BOOLEAN,
    DATETIME,
    DECIMAL,
    DOUBLE,
    GUID,
    INTEGER,
    MEMO,
    MONEY,
    OPTION_TYPES,
    STRING,
    Column,
    Table,
)

# Child rows deleted with their parent (Microsoft's parental relationships; a solution's lookup whose relationship
# says CascadeDelete "Cascade" carries Column.cascade_delete); other references are cleared.
PARENTAL = {("invoicedetail", "invoiceid"), ("uom", "uomscheduleid")}
# Payload entries a write may carry that are not columns.
IGNORED_ANNOTATIONS = ("@odata.type", "@odata.etag", "@odata.id", "@odata.context")

ContentResolver = Callable[[str], tuple[str, str] | None]  # "$1" → (entity set, id) inside a $batch changeset


@dataclass
class ChangeEvent:
    message: str  # Create | Update | Delete
    table: str
    record_id: str
    attributes: dict[str, Any]  # the Target's attributes (internal shape)
    changed: set[str]
    caller: Caller
    at: datetime
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class OrgInfo:
    id: str
    name: str
    business_unit_id: str
    base_currency_id: Callable[[], str | None]


def etag(record: Record) -> str:
    return f'W/"{record.get("versionnumber") or 0}"'


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Records:
    def __init__(self, catalog: Catalog, storage: RecordStorage, org: OrgInfo, emit: Callable[[ChangeEvent], None]):
        self.catalog = catalog
        self.storage = storage
        self.org = org
        self.emit = emit

    # --- reading ------------------------------------------------------------------------------
    def get(self, table: Table, record_id: str) -> Record | None:
        return self.storage.get(table.logical_name, record_id)

    def require(self, table: Table, record_id: str) -> Record:
        record = self.get(table, record_id)
        if record is None:
            raise not_found(table.logical_name, record_id)
        return record

    def find(self, table: Table, key: Key) -> Record | None:
        """A row by primary id or by the values of one of its alternate keys."""
        if isinstance(key, str):
            return self.get(table, key)
        names = {name[1:-6] if name.startswith("_") and name.endswith("_value") else name for name in key}
        alternate = table.key(names)
        if alternate is None:
            raise bad_request(
                f"The key attribute(s) {', '.join(sorted(key))} are not defined as an alternate key for "
                f"the {table.logical_name} table."
            )
        values = {(n[1:-6] if n.startswith("_") and n.endswith("_value") else n): v for n, v in key.items()}
        return self._by_key_values(table, values)

    def _by_key_values(self, table: Table, values: dict[str, Any]) -> Record | None:
        first = next(iter(values))
        column = table.columns[first]
        candidates = self.storage.equal(table.logical_name, first, _kind(column), values[first])
        for candidate in candidates:
            if all(_same(candidate.get(name), value, table.columns[name]) for name, value in values.items()):
                return candidate
        return None

    # --- writing ------------------------------------------------------------------------------
    def create(
        self,
        table: Table,
        payload: dict[str, Any],
        caller: Caller,
        *,
        resolve: ContentResolver | None = None,
        record_id: str | None = None,
        key_values: dict[str, Any] | None = None,
    ) -> Record:
        caller.require("Create", table)
        values, targets = self._values(table, payload, creating=True, resolve=resolve)
        values.update(key_values or {})
        record_id = (record_id or values.pop(table.primary_id, None) or str(uuid.uuid4())).lower()
        if self.get(table, record_id) is not None:
            raise DataverseError(412, errors.DUPLICATE_RECORD, "A record with matching key values already exists.")
        self._check_appends(caller, table, targets)
        record: Record = {table.primary_id: record_id, **values}
        now = utc_now()
        record.update(createdon=now, modifiedon=now)
        self._stamp_people(table, record, caller, creating=True)
        self._derive(table, record, None, set(values), caller)
        return self._save("Create", table, record, None, set(values), caller)

    def update(
        self,
        table: Table,
        record_id: str,
        payload: dict[str, Any],
        caller: Caller,
        *,
        resolve: ContentResolver | None = None,
        if_match: str | None = None,
    ) -> Record:
        existing = self.require(table, record_id)
        check_etag(existing, if_match)
        caller.require("Write", table)
        values, targets = self._values(table, payload, creating=False, resolve=resolve)
        values.pop(table.primary_id, None)
        self._check_appends(caller, table, targets)
        return self.apply_update(table, existing, values, caller)

    def apply_update(
        self, table: Table, existing: Record, values: dict[str, Any], caller: Caller, *, system: bool = False
    ) -> Record:
        record = {**existing, **values, "modifiedon": utc_now()}
        self._stamp_people(table, record, caller, creating=False)
        if not system:
            self._derive(table, record, existing, set(values), caller)
        return self._save("Update", table, record, existing, set(values), caller)

    def upsert(
        self,
        table: Table,
        key: Key,
        payload: dict[str, Any],
        caller: Caller,
        *,
        resolve: ContentResolver | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> tuple[Record, bool]:
        """PATCH semantics: update the row the key finds, else create it (with that id or those key values)."""
        existing = self.find(table, key)
        if existing is None:
            if if_match is not None:
                raise not_found(table.logical_name, key if isinstance(key, str) else str(key))
            key_values = self._key_values(table, key) if isinstance(key, dict) else None
            return self.create(
                table, payload, caller, resolve=resolve, record_id=key if isinstance(key, str) else None, key_values=key_values
            ), True
        if if_none_match == "*":
            raise DataverseError(412, errors.DUPLICATE_KEY, "A record with matching key values already exists.")
        return self.update(table, existing[table.primary_id], payload, caller, resolve=resolve, if_match=if_match), False

    def _key_values(self, table: Table, key: dict[str, Any]) -> dict[str, Any]:
        values = {}
        for name, value in key.items():
            column = table.by_value_name(name) or table.column(name)
            if column is None:
                raise bad_request(f"The key attribute '{name}' does not exist on '{table.logical_name}'.")
            if column.is_lookup:
                target = as_guid(str(value))
                if target is None:
                    raise bad_request(f"The key value of '{name}' must be a GUID of a {'/'.join(column.targets)} row.")
                # A polymorphic lookup (customer) points at whichever of its target tables has that row.
                owner = next((t for t in column.targets if self.storage.get(t, target) is not None), column.targets[0])
                values[column.name] = {"id": target, "table": owner}
            else:
                values[column.name] = self.convert(table, column, value)
        return values

    def delete(self, table: Table, record_id: str, caller: Caller, *, if_match: str | None = None) -> Record:
        existing = self.require(table, record_id)
        check_etag(existing, if_match)
        caller.require("Delete", table)
        if table.logical_name == "invoicedetail":
            self._require_active_invoice(self._related(existing.get("invoiceid")))
        self._cascade(table, existing, caller)
        version = self.storage.next_version()
        self.storage.delete(table.logical_name, existing[table.primary_id], version)
        event = ChangeEvent("Delete", table.logical_name, existing[table.primary_id], {}, set(), caller, datetime.now(UTC))
        self.storage.after_commit(lambda: self.emit(event))
        if table.logical_name == "invoicedetail":
            self._reprice_invoice(lookup_id(existing.get("invoiceid")), caller)
        return existing

    # --- payload to values --------------------------------------------------------------------
    def _values(
        self, table: Table, payload: dict[str, Any], *, creating: bool, resolve: ContentResolver | None
    ) -> tuple[dict[str, Any], list[Table]]:
        if not isinstance(payload, dict):
            raise bad_request("The request body must be a JSON object.")
        values: dict[str, Any] = {}
        targets: list[Table] = []
        for key, value in payload.items():
            if key.startswith("@"):
                continue
            if "@" in key:
                name, _, annotation = key.partition("@")
                if annotation == "odata.bind":
                    column, target = self._bind(table, name, value, resolve)
                    if not creating and not table.columns[column].updatable:
                        continue  # like other columns that are not valid for update, ignored
                    values[column] = target
                    if target is not None:
                        targets.append(self.catalog.require(target["table"]))
                continue
            column = table.column(key)
            if column is None or column.is_lookup:
                hint = f" Use '{key}@odata.bind' (a navigation property) to set a lookup." if column is not None else ""
                raise bad_request(
                    f"Invalid property '{key}' was found in entity 'Microsoft.Dynamics.CRM.{table.logical_name}'.{hint}"
                )
            if key == table.primary_id:
                if creating:
                    values[key] = self.convert(table, column, value)
                continue
            if (creating and not column.creatable) or (not creating and not column.updatable):
                continue  # system-set columns are ignored on write, as the platform ignores them
            values[key] = self.convert(table, column, value)
        return values, targets

    def _bind(
        self, table: Table, navigation: str, value: Any, resolve: ContentResolver | None
    ) -> tuple[str, dict[str, str] | None]:
        nav = table.navigations.get(navigation)
        if nav is None:
            raise bad_request(
                f"An undeclared property '{navigation}' which only has property annotations in the payload but no "
                f"property value was found in the payload. In OData, only declared navigation properties and declared "
                f"named streams can be represented as properties without values."
            )
        column = table.columns[nav.column]
        if (not column.creatable and not column.updatable) and nav.column != "ownerid":
            raise bad_request(f"The property '{navigation}' cannot be set on '{table.logical_name}'.")
        if value is None:
            return nav.column, None
        if not isinstance(value, str):
            raise bad_request(f"The value of '{navigation}@odata.bind' must be a URL of a record.")
        target_table, target_id = self.resolve_reference(value, resolve)
        if target_table.logical_name not in nav.targets:
            raise bad_request(f"'{target_table.logical_name}' is not a valid target of '{navigation}' on '{table.logical_name}'.")
        return nav.column, {"id": target_id, "table": target_table.logical_name}

    def resolve_reference(self, value: str, resolve: ContentResolver | None = None) -> tuple[Table, str]:
        """`/accounts(<id>)`, an absolute URL, an alternate key, or `$1` (a changeset's Content-ID)."""
        if value.startswith("$"):
            found = resolve(value) if resolve else None
            if found is None:
                raise bad_request(f"The Content-ID reference '{value}' is not known in this change set.")
            entity_set, record_id = found
            return self.catalog.by_entity_set(entity_set), record_id
        entity_set, key = parse_reference(value)
        target = self.catalog.by_entity_set(entity_set)
        record = self.find(target, key)
        if record is None:
            raise not_found(target.logical_name, key if isinstance(key, str) else str(key))
        return target, record[target.primary_id]

    def convert(self, table: Table, column: Column, value: Any) -> Any:
        if value is None:
            return None
        kind = column.type
        if kind in (STRING, MEMO):
            if not isinstance(value, str):
                raise _cannot_convert(value, "Edm.String")
            if column.max_length is not None and len(value) > column.max_length:
                raise validation(
                    f"A validation error occurred.  The length of the '{column.name}' attribute of the "
                    f"'{table.logical_name}' entity exceeded the maximum allowed length of '{column.max_length}'."
                )
            return value
        if kind in (INTEGER, BIGINT) or kind in OPTION_TYPES:
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise _cannot_convert(value, "Edm.Int32")
            if kind in OPTION_TYPES and column.options and column.option(value) is None:
                raise validation(
                    f"A validation error occurred. The value {value} of '{column.name}' on record of type "
                    f"'{table.logical_name}' is outside the valid range."
                )
            return value
        if kind in (DECIMAL, MONEY, DOUBLE):
            try:
                number = Decimal(str(value)) if not isinstance(value, bool) else None
            except ArithmeticError:
                number = None
            if number is None or not number.is_finite():
                raise _cannot_convert(value, "Edm.Decimal")
            return rounded(number, column.precision or 2)
        if kind == BOOLEAN:
            if not isinstance(value, bool):
                raise _cannot_convert(value, "Edm.Boolean")
            return value
        if kind == DATETIME:
            return _datetime_value(value, column)
        if kind == GUID:
            guid = as_guid(str(value))
            if guid is None:
                raise _cannot_convert(value, "Edm.Guid")
            return guid
        return value

    def _check_appends(self, caller: Caller, table: Table, targets: list[Table]) -> None:
        if targets:
            caller.require("Append", table)
        for target in targets:
            caller.require("AppendTo", target)

    # --- stamping and deriving ------------------------------------------------------------------
    def _stamp_people(self, table: Table, record: Record, caller: Caller, *, creating: bool) -> None:
        me = {"id": caller.user_id, "table": "systemuser"}
        if creating:
            record.setdefault("createdby", me)
            if "ownerid" in table.columns and not record.get("ownerid"):
                record["ownerid"] = me
            if "owningbusinessunit" in table.columns:
                record["owningbusinessunit"] = {"id": caller.business_unit_id, "table": "businessunit"}
            if "organizationid" in table.columns and table.columns["organizationid"].is_lookup:
                record["organizationid"] = {"id": self.org.id, "table": "organization"}
        record["modifiedby"] = me
        owner = record.get("ownerid")
        if "owninguser" in table.columns and isinstance(owner, dict):
            record["owninguser"] = owner if owner["table"] == "systemuser" else None
            record["owningteam"] = owner if owner["table"] == "team" else None

    def _derive(self, table: Table, record: Record, previous: Record | None, sent: set[str], caller: Caller) -> None:
        self._derive_state(table, record, previous, sent)
        if table.logical_name == "invoice" and previous is not None:
            self._check_invoice_state(record, previous, sent)
        self._derive_currency(table, record)
        derive = getattr(self, f"_derive_{table.logical_name}", None)
        if derive is not None:
            derive(record, previous, sent)
        for column in table.columns.values():
            if column.required == "SystemRequired" and record.get(column.name) is None and column.name != "statecode":
                raise validation(
                    f"A validation error occurred. The value of '{column.name}' on record of type "
                    f"'{table.logical_name}' is required and cannot be empty."
                )

    def _derive_state(self, table: Table, record: Record, previous: Record | None, sent: set[str]) -> None:
        state_column, status_column = table.column("statecode"), table.column("statuscode")
        if state_column is None or status_column is None:
            return
        if previous is None:
            record["statecode"] = 0 if state_column.option(0) else state_column.options[0].value
        state = state_column.option(record.get("statecode"))
        if state is None:
            raise validation(f"{record.get('statecode')} is not a valid state code on {table.logical_name}.")
        status_sent = "statuscode" in sent and record.get("statuscode") is not None
        state_changed = previous is not None and previous.get("statecode") != record.get("statecode")
        if not status_sent and (previous is None or state_changed):
            record["statuscode"] = state.default_status
        status = status_column.option(record.get("statuscode"))
        if status is None or status.state != state.value:
            raise bad_request(
                f"{record.get('statuscode')} is not a valid status code for state code "
                f"{table.schema_name}State.{state.label.replace(' ', '')} on {table.logical_name} with Id "
                f"{record[table.primary_id]}.",
                errors.INVALID_ARGUMENT,
            )

    def _check_invoice_state(self, record: Record, previous: Record, sent: set[str]) -> None:
        """An invoice that is not active takes only a move of its state, and only the moves Dynamics makes
        (`invoice_states`)."""
        before = (previous.get("statecode") or 0, previous.get("statuscode") or 0)
        after = (record.get("statecode") or 0, record.get("statuscode") or 0)
        refused = invoice_states.refusal(record["invoiceid"], before, after, sent)
        if refused is not None:
            raise refused

    def _derive_currency(self, table: Table, record: Record) -> None:
        if "transactioncurrencyid" not in table.columns or table.logical_name == "transactioncurrency":
            return
        if not record.get("transactioncurrencyid"):
            currency_id = self._default_currency(table, record)
            if currency_id:
                record["transactioncurrencyid"] = {"id": currency_id, "table": "transactioncurrency"}
        currency = self._related(record.get("transactioncurrencyid"))
        if currency is not None and "exchangerate" in table.columns:
            record["exchangerate"] = currency.get("exchangerate") or 1.0

    def _default_currency(self, table: Table, record: Record) -> str | None:
        if table.logical_name == "invoice":
            price_list = self._related(record.get("pricelevelid"))
            if price_list is not None and price_list.get("transactioncurrencyid"):
                return lookup_id(price_list["transactioncurrencyid"])
        if table.logical_name == "invoicedetail":
            invoice = self._related(record.get("invoiceid"))
            if invoice is not None and invoice.get("transactioncurrencyid"):
                return lookup_id(invoice["transactioncurrencyid"])
        return self.org.base_currency_id()

    def _related(self, reference: Any) -> Record | None:
        if not isinstance(reference, dict):
            return None
        return self.storage.get(reference["table"], reference["id"])

    def _precision(self, record: Record) -> int:
        currency = self._related(record.get("transactioncurrencyid"))
        return int(currency.get("currencyprecision") or 2) if currency else 2

    def _derive_contact(self, record: Record, previous: Record | None, sent: set[str]) -> None:
        record["fullname"] = (
            " ".join(p for p in (record.get("firstname"), record.get("middlename"), record.get("lastname")) if p) or None
        )
        record["address1_composite"] = composite_address(record, "address1")
        parent = record.get("parentcustomerid")
        record["accountid"] = parent if isinstance(parent, dict) and parent["table"] == "account" else None

    def _derive_account(self, record: Record, previous: Record | None, sent: set[str]) -> None:
        record["address1_composite"] = composite_address(record, "address1")

    def _derive_systemuser(self, record: Record, previous: Record | None, sent: set[str]) -> None:
        record["fullname"] = " ".join(p for p in (record.get("firstname"), record.get("lastname")) if p) or None

    def _derive_product(self, record: Record, previous: Record | None, sent: set[str]) -> None:
        if not record.get("productnumber"):
            record["productnumber"] = f"PRD-{self.storage.store.next_sequence(f'dv:{self.org.id}:product'):05d}"

    def _derive_invoice(self, record: Record, previous: Record | None, sent: set[str]) -> None:
        if previous is None and not record.get("invoicenumber"):
            sequence = self.storage.store.next_sequence(f"dv:{self.org.id}:invoice")
            suffix = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(6))
            record["invoicenumber"] = f"INV-{1000 + sequence:05d}-{suffix}"
        customer = record.get("customerid")
        record["accountid"] = customer if isinstance(customer, dict) and customer["table"] == "account" else None
        record["contactid"] = customer if isinstance(customer, dict) and customer["table"] == "contact" else None
        lines = [] if previous is None else self.storage.referencing("invoicedetail", "invoiceid", record["invoiceid"])
        record.update(invoice_totals(record, lines, self._precision(record)))

    def _derive_invoicedetail(self, record: Record, previous: Record | None, sent: set[str]) -> None:
        invoice = self._related(record.get("invoiceid"))
        if invoice is None:
            raise validation("A validation error occurred. An invoice product must belong to an invoice.")
        self._require_active_invoice(invoice)
        product = self._related(record.get("productid"))
        if product is None:
            record["isproductoverridden"] = True
            if not record.get("productdescription"):
                raise validation("A validation error occurred. A write-in product needs productdescription.")
        else:
            record["isproductoverridden"] = False
            record["productname"] = product.get("name")
            record["productnumber"] = product.get("productnumber")
            if not record.get("uomid") and product.get("defaultuomid"):
                record["uomid"] = product["defaultuomid"]
        record.setdefault("ispriceoverridden", False)
        if previous is None and record.get("lineitemnumber") is None:
            siblings = self.storage.referencing("invoicedetail", "invoiceid", invoice["invoiceid"])
            record["lineitemnumber"] = max((s.get("lineitemnumber") or 0 for s in siblings), default=0) + 1
        record.setdefault("sequencenumber", record.get("lineitemnumber"))
        record["invoicestatecode"] = invoice.get("statecode")
        record["invoiceispricelocked"] = bool(invoice.get("ispricelocked"))
        catalog_product = None if invoice.get("ispricelocked") else product
        price_line(record, catalog_product, self._precision(invoice))

    @staticmethod
    def _require_active_invoice(invoice: Record | None) -> None:
        """An invoice's lines change only while it is active (a paid, canceled or closed invoice is read-only)."""
        if invoice is not None and invoice.get("statecode") != invoice_states.ACTIVE:
            raise bad_request(
                "The invoice cannot be changed: it is not active (paid, canceled or closed invoices are read-only).",
                errors.INVALID_ARGUMENT,
            )

    # --- saving -------------------------------------------------------------------------------
    def _save(
        self, message: str, table: Table, record: Record, previous: Record | None, sent: set[str], caller: Caller
    ) -> Record:
        self._check_keys(table, record)
        record["versionnumber"] = self.storage.next_version()
        self.storage.put(table.logical_name, record)
        changed = {name for name, value in record.items() if previous is None or previous.get(name) != value} | sent
        changed -= {"versionnumber"}
        attributes = {name: record.get(name) for name in changed} if previous is not None else dict(record)
        event = ChangeEvent(message, table.logical_name, record[table.primary_id], attributes, changed, caller, datetime.now(UTC))
        self.storage.after_commit(lambda: self.emit(event))
        if table.logical_name == "invoicedetail":
            self._reprice_invoice(lookup_id(record.get("invoiceid")), caller)
            if previous is not None and lookup_id(previous.get("invoiceid")) != lookup_id(record.get("invoiceid")):
                self._reprice_invoice(lookup_id(previous.get("invoiceid")), caller)
        return record

    def _check_keys(self, table: Table, record: Record) -> None:
        for key in table.keys:
            values = {name: record.get(name) for name in key.attributes}
            if any(value is None for value in values.values()):
                continue
            existing = self._by_key_values(table, values)
            if existing is not None and existing[table.primary_id] != record[table.primary_id]:
                raise DataverseError(
                    412,
                    errors.DUPLICATE_KEY,
                    f"A record that has the attribute values {', '.join(key.attributes)} already exists. The entity "
                    f"key {key.display_name} requires that this set of attributes contains unique values.",
                )

    def _reprice_invoice(self, invoice_id: str | None, caller: Caller) -> None:
        """Recompute an invoice's totals from its lines; a change is an update of the invoice."""
        if not invoice_id:
            return
        invoice_table = self.catalog.require("invoice")
        invoice = self.get(invoice_table, invoice_id)
        if invoice is None:
            return
        lines = self.storage.referencing("invoicedetail", "invoiceid", invoice_id)
        totals = invoice_totals(invoice, lines, self._precision(invoice))
        if all(invoice.get(name) == totals[name] for name in INVOICE_TOTALS):
            return
        self.apply_update(invoice_table, invoice, totals, caller, system=True)

    def _cascade(self, table: Table, record: Record, caller: Caller) -> None:
        record_id = record[table.primary_id]
        for other in list(self.catalog.tables.values()):
            for column in other.columns.values():
                if not column.is_lookup or table.logical_name not in column.targets:
                    continue
                for child in self.storage.referencing(other.logical_name, column.name, record_id):
                    if (child.get(column.name) or {}).get("table") != table.logical_name:
                        continue
                    if column.cascade_delete or (other.logical_name, column.name) in PARENTAL:
                        self._delete_child(other, child, caller)
                    else:
                        self.apply_update(other, child, {column.name: None}, caller, system=True)

    def _delete_child(self, table: Table, child: Record, caller: Caller) -> None:
        self._cascade(table, child, caller)
        version = self.storage.next_version()
        self.storage.delete(table.logical_name, child[table.primary_id], version)
        event = ChangeEvent("Delete", table.logical_name, child[table.primary_id], {}, set(), caller, datetime.now(UTC))
        self.storage.after_commit(lambda: self.emit(event))


def check_etag(record: Record, if_match: str | None) -> None:
    if if_match is None or if_match.strip() == "*":
        return
    offered = {tag.strip() for tag in if_match.split(",")}
    if etag(record) not in offered and etag(record).removeprefix("W/") not in offered:
        raise DataverseError(
            412, errors.CONCURRENCY_MISMATCH, "The version of the existing record doesn't match the RowVersion property provided."
        )


def composite_address(record: Record, prefix: str) -> str | None:
    lines = [record.get(f"{prefix}_line{n}") for n in (1, 2, 3)]
    city_line = " ".join(
        p
        for p in (record.get(f"{prefix}_city"), record.get(f"{prefix}_stateorprovince"), record.get(f"{prefix}_postalcode"))
        if p
    )
    parts = [p for p in (*lines, city_line, record.get(f"{prefix}_country")) if p]
    return "\r\n".join(parts) if parts else None


def _cannot_convert(value: Any, edm_type: str) -> DataverseError:
    return bad_request(f"Cannot convert the literal '{value}' to the expected type '{edm_type}'.")


def _datetime_value(value: Any, column: Column) -> str:
    if not isinstance(value, str):
        raise _cannot_convert(value, "Edm.Date" if column.date_only else "Edm.DateTimeOffset")
    try:
        if column.date_only:
            return datetime.fromisoformat(value[:10]).date().isoformat()
        if len(value) == 10:
            return canonical_datetime(value + "T00:00:00Z")
        return canonical_datetime(value)
    except ValueError:
        raise _cannot_convert(value, "Edm.Date" if column.date_only else "Edm.DateTimeOffset") from None


def _kind(column: Column) -> str:
    return "DateOnly" if column.type == DATETIME and column.date_only else column.type


def _same(stored: Any, wanted: Any, column: Column) -> bool:
    stored = lookup_id(stored) if isinstance(stored, dict) else stored
    return normalise(stored, _kind(column)) == normalise(wanted, _kind(column))
