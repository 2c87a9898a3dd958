"""What changed in Dynamics, and the changed invoices read in full, as `domain.records`.

Changes come from Dataverse change tracking (`Prefer: odata.track-changes`, then the `@odata.deltaLink`),
which allows no `$filter` or `$expand`: it only names what changed. A table without change tracking is
swept by `modifiedon` instead. The changed invoices are then read in one query per batch — lines, their
products, the customer (account or contact), the currency, the picked reference rows and our Xero details
row all `$expand`ed — and turned into records: option values become codes, lookups what they point at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from dxconnector.domain.mapping.choices import option_code
from dxconnector.domain.names import (
    BrandingThemeTable,
    ChartOfAccountsTable,
    ConnectorSettingsTable,
    ConnectorTable,
    InvoiceColumns,
    InvoiceLineColumns,
    ProductColumns,
    TaxRateTable,
    TrackingCategoryTable,
    TrackingOptionTable,
    XeroInvoiceTable,
    lookup_value,
)
from dxconnector.domain.records import (
    ZERO,
    BundleRole,
    CustomerKind,
    CustomerRef,
    DynamicsAccount,
    DynamicsAddress,
    DynamicsContact,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    DynamicsProduct,
    ExportStatus,
    InvoiceState,
    InvoiceType,
    LineAmountTypes,
    TrackingChoice,
    XeroStatus,
)
from dxconnector.dynamics.client import DataverseClient
from dxconnector.dynamics.errors import PermanentError
from dxconnector.dynamics.solution.definition import CONNECTION, XERO_INVOICE

PAGE_SIZE = 5000  # Dataverse's largest page
IDS_PER_QUERY = 200  # invoices read in full by one query: its id filter keeps the URL near 9 KB
NOT_TRACKED = "0x80040203"  # "Entity '…' is not enabled for change tracking."


# --- what changed ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Watch:
    """A table whose changes a stream follows: `key` is the column naming the record the stream is about
    (the row's own id, or its parent's lookup such as an invoice line's `_invoiceid_value`); `only` keeps the
    rows that matter (a Xero details row set to Ready to Update, not our own write-back to it)."""

    entity_set: str
    key: str
    columns: tuple[str, ...] = ()
    only: tuple[tuple[str, tuple[Any, ...]], ...] = ()  # (column, values): other rows are no change to the stream
    # Only which records changed matters (an invoice's lines): one row per key is kept, with the key and the
    # watched columns alone, so an initial read of 100,000 lines costs no more memory than their 20,000 invoices.
    one_row_per_key: bool = False

    @property
    def kept_columns(self) -> tuple[str, ...]:
        """What is read and kept of a changed row (not its etag and annotations)."""
        return tuple(dict.fromkeys((self.key, *self.columns, *(column for column, _ in self.only), "versionnumber")))

    @property
    def select(self) -> str:
        return ",".join(self.kept_columns)

    def wants(self, row: Mapping[str, Any]) -> bool:
        return all(row.get(column) in values for column, values in self.only)


class _Kept:
    """The changed rows a watch keeps, as they come page by page."""

    def __init__(self, watch: Watch, *extra: str):
        self.watch = watch
        self.columns = (*watch.kept_columns, *extra)
        self.rows: list[dict[str, Any]] = []
        self._seen: set[str] = set()

    def add(self, row: dict[str, Any]) -> None:
        watch = self.watch
        if not watch.one_row_per_key:
            self.rows.append({column: row.get(column) for column in self.columns})
            return
        key = row.get(watch.key)
        if key and key not in self._seen and watch.wants(row):
            self._seen.add(key)
            self.rows.append({column: row.get(column) for column in self.columns if column != "versionnumber"})


@dataclass(frozen=True)
class Changes:
    rows: list[dict[str, Any]]  # changed rows: the key, the watched columns, the version
    deleted: list[str]  # ids of rows deleted since (change tracking only)
    position: dict[str, str]  # where to read on from: {"delta": link} or {"since": modifiedon}

    def keys(self, watch: Watch) -> list[str]:
        return [str(row[watch.key]) for row in self.rows if row.get(watch.key)]


def _is_untracked(error: PermanentError) -> bool:
    return error.code == NOT_TRACKED or "not enabled for change tracking" in str(error).lower()


def changes_since(
    client: DataverseClient, watch: Watch, position: Mapping[str, str] | None, page_size: int = PAGE_SIZE
) -> Changes:
    """Rows changed since `position` (None: every row, to start from). A table without change tracking is
    swept by modifiedon; a delta link Dataverse no longer accepts (expired) starts over with every row."""
    if position and "since" in position:
        return _sweep(client, watch, position["since"] or None, page_size)
    delta = position.get("delta") if position else None
    try:
        return _tracked(client, watch, delta, page_size)
    except PermanentError as error:
        if _is_untracked(error):
            return _sweep(client, watch, None, page_size)
        if delta is None:
            raise
        return _tracked(client, watch, None, page_size)


def _tracked(client: DataverseClient, watch: Watch, delta: str | None, page_size: int) -> Changes:
    headers = {"Prefer": f"odata.track-changes,odata.maxpagesize={page_size}"}
    url, params = (delta, None) if delta else (watch.entity_set, {"$select": watch.select})
    kept = _Kept(watch)
    deleted: list[str] = []
    link = None
    for page in client.pages(url, params=params, headers=headers):
        for row in page.get("value", []):
            if row.get("reason") == "deleted" or str(row.get("@odata.context", "")).endswith("$deletedEntity"):
                deleted.append(str(row.get("id")))
            else:
                kept.add(row)
        link = page.get("@odata.deltaLink") or link
    if not link:
        raise PermanentError(f"Dynamics tracked the changes of {watch.entity_set} but sent no delta link")
    return Changes(kept.rows, deleted, {"delta": link})


def _sweep(client: DataverseClient, watch: Watch, since: str | None, page_size: int) -> Changes:
    """Rows modified at or after `since`, oldest first. `ge`, not `gt`: rows sharing the last second are
    read again rather than missed (the links ledger skips them)."""
    params = {"$select": f"{watch.select},modifiedon", "$orderby": "modifiedon asc"}
    if since:
        params["$filter"] = f"modifiedon ge {since}"
    kept = _Kept(watch, "modifiedon")
    newest = since or ""
    for page in client.pages(watch.entity_set, params=params, headers={"Prefer": f"odata.maxpagesize={page_size}"}):
        for row in page.get("value", []):
            newest = max(newest, str(row.get("modifiedon") or ""))
            kept.add(row)
    return Changes(kept.rows, [], {"since": newest})


# --- invoices, read in full ------------------------------------------------------------------------------

_ADDRESS = (
    "address1_line1",
    "address1_line2",
    "address1_line3",
    "address1_city",
    "address1_stateorprovince",
    "address1_postalcode",
    "address1_country",
)
ACCOUNT_COLUMNS = (
    "name",
    "accountnumber",
    "emailaddress1",
    "telephone1",
    "fax",
    *_ADDRESS,
    "statecode",
    "modifiedon",
    "versionnumber",
)
CONTACT_COLUMNS = (
    "firstname",
    "lastname",
    "fullname",
    "emailaddress1",
    "telephone1",
    "mobilephone",
    "fax",
    *_ADDRESS,
    "statecode",
    "modifiedon",
    "versionnumber",
)
PRODUCT_COLUMNS = ("name", "productnumber", "description", "price", "statecode", "modifiedon", "versionnumber")
LINE_COLUMNS = (
    "sequencenumber",
    "lineitemnumber",
    "isproductoverridden",
    "productdescription",
    "description",
    "quantity",
    "priceperunit",
    "manualdiscountamount",
    "tax",
    "producttypecode",
    "parentbundleid",
    "_parentbundleidref_value",
)
INVOICE_COLUMNS = (
    "name",
    "invoicenumber",
    "description",
    "datedelivered",
    "duedate",
    "statecode",
    "statuscode",
    "modifiedon",
    "versionnumber",
    "discountpercentage",
    "discountamount",
    "freightamount",
    "totalamountlessfreight",
    InvoiceColumns.XERO_INVOICE_TYPE,
    InvoiceColumns.LINE_AMOUNT_TYPES,
    InvoiceColumns.SEND_EMAIL_FROM_XERO,
    InvoiceColumns.BUNDLE_HEADER_ONLY,
    InvoiceColumns.XERO_NUMBER,
    InvoiceColumns.XERO_STATUS,
    lookup_value(InvoiceColumns.CONNECTOR_ID),
)
DETAILS_COLUMNS = (
    XeroInvoiceTable.XERO_ID,
    XeroInvoiceTable.XERO_NUMBER,
    XeroInvoiceTable.XERO_STATUS,
    XeroInvoiceTable.EXPORT_STATUS,
    XeroInvoiceTable.ONLINE_INVOICE_URL,
    lookup_value(XeroInvoiceTable.CONNECTOR_ID),
)
LINES_NEXT_LINK = "invoice_details@odata.nextLink"
DETAILS_NAVIGATION = XeroInvoiceTable.INVOICE_RELATIONSHIP  # invoice → our Xero details rows (the lookup's relationship)


def _nav(name: str, columns: Iterable[str], *expand: str) -> str:
    options = "$select=" + ",".join(columns)
    if expand:
        options += ";$expand=" + ",".join(expand)
    return f"{name}({options})"


def _codes(account_code: str, tax_rate: str) -> tuple[str, str]:
    """The picked account's code and tax rate's tax type, on a line or a product."""
    return _nav(account_code, [ChartOfAccountsTable.CODE]), _nav(tax_rate, [TaxRateTable.TAX_TYPE])


_LINE_CODES = _codes(InvoiceLineColumns.ACCOUNT_CODE_ID, InvoiceLineColumns.TAX_RATE_ID)
_PRODUCT_CODES = _codes(ProductColumns.ACCOUNT_CODE_ID, ProductColumns.TAX_RATE_ID)
PRODUCT_EXPAND = ",".join(_PRODUCT_CODES)  # a product's picked account code and tax rate
_CATEGORY = _nav(TrackingOptionTable.TRACKING_CATEGORY_ID, [TrackingCategoryTable.NAME])
_TRACKING = tuple(_nav(option, [TrackingOptionTable.NAME], _CATEGORY) for option in InvoiceLineColumns.TRACKING_OPTION_IDS)
INVOICE_EXPAND = ",".join(
    (
        _nav("customerid_account", ACCOUNT_COLUMNS),
        _nav("customerid_contact", CONTACT_COLUMNS),
        _nav("transactioncurrencyid", ["isocurrencycode"]),
        _nav(InvoiceColumns.BRANDING_THEME_ID, [BrandingThemeTable.XERO_BRANDING_THEME_ID]),
        _nav("invoice_details", LINE_COLUMNS, _nav("productid", PRODUCT_COLUMNS, *_PRODUCT_CODES), *_LINE_CODES, *_TRACKING),
        _nav(DETAILS_NAVIGATION, DETAILS_COLUMNS),
    )
)  # 15 $expand options: Dataverse's limit


@dataclass(frozen=True)
class InvoiceRecord:
    """A changed invoice as the sync needs it: the record, its etag (to write back only onto the version
    read), its customer in full (to create the Xero contact), and our Xero details row for this connection."""

    invoice: DynamicsInvoice
    etag: str
    customer: DynamicsAccount | DynamicsContact | None = None
    details_row_id: str | None = None
    online_invoice_url: str = ""
    products: tuple[DynamicsProduct, ...] = field(default=())


def in_filter(column: str, values: Sequence[str]) -> str:
    quoted = ",".join(f"'{value}'" for value in values)
    return f"Microsoft.Dynamics.CRM.In(PropertyName='{column}',PropertyValues=[{quoted}])"


def read_invoices(client: DataverseClient, invoice_ids: Sequence[str], connector_id: str | None) -> list[InvoiceRecord]:
    """The invoices with these ids, in one query per 200 (ids that no longer exist are left out)."""
    return [invoice_record(row, connector_id) for row in read_invoice_rows(client, invoice_ids)]


def read_invoice_rows(client: DataverseClient, invoice_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The invoices' rows as Dataverse answers them, lines and all, in the order of the ids asked for; the sync
    turns each into a record on its own (`invoice_record`), so one it can't read stops no other."""
    rows = [
        row
        for start in range(0, len(invoice_ids), IDS_PER_QUERY)
        for row in _invoice_rows(client, invoice_ids[start : start + IDS_PER_QUERY])
    ]
    for row in rows:  # an expanded collection Dataverse cut short says where the rest is
        if row.get(LINES_NEXT_LINK):
            row["invoice_details"] = [
                *row.get("invoice_details", []),
                *(line for page in client.pages(row.pop(LINES_NEXT_LINK)) for line in page.get("value", [])),
            ]
    found = {str(row["invoiceid"]): row for row in rows}
    return [found[invoice_id] for invoice_id in invoice_ids if invoice_id in found]


def _invoice_rows(client: DataverseClient, invoice_ids: Sequence[str]) -> list[dict[str, Any]]:
    params = {"$select": ",".join(INVOICE_COLUMNS), "$filter": in_filter("invoiceid", invoice_ids), "$expand": INVOICE_EXPAND}
    headers = {"Prefer": f"odata.maxpagesize={len(invoice_ids)}", "If-None-Match": "null"}
    return [row for page in client.pages("invoices", params=params, headers=headers) for row in page.get("value", [])]


# --- rows → records ---------------------------------------------------------------------------------------


def _text(row: Mapping[str, Any] | None, column: str) -> str:
    value = (row or {}).get(column)
    return "" if value is None else str(value).strip()


def _decimal(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value))


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _version(row: Mapping[str, Any]) -> str | None:
    return str(row["versionnumber"]) if row.get("versionnumber") is not None else None


def address(row: Mapping[str, Any]) -> DynamicsAddress:
    return DynamicsAddress(*(_text(row, column) for column in _ADDRESS))


def account(row: Mapping[str, Any]) -> DynamicsAccount:
    return DynamicsAccount(
        id=str(row["accountid"]),
        name=_text(row, "name"),
        number=_text(row, "accountnumber"),
        email=_text(row, "emailaddress1"),
        phone=_text(row, "telephone1"),
        fax=_text(row, "fax"),
        address=address(row),
        active=not row.get("statecode"),
        modified_on=_moment(row.get("modifiedon")),
        version=_version(row),
    )


def contact(row: Mapping[str, Any]) -> DynamicsContact:
    return DynamicsContact(
        id=str(row["contactid"]),
        first_name=_text(row, "firstname"),
        last_name=_text(row, "lastname"),
        full_name=_text(row, "fullname"),
        email=_text(row, "emailaddress1"),
        phone=_text(row, "telephone1"),
        mobile=_text(row, "mobilephone"),
        fax=_text(row, "fax"),
        address=address(row),
        active=not row.get("statecode"),
        modified_on=_moment(row.get("modifiedon")),
        version=_version(row),
    )


def customer_ref(customer: DynamicsAccount | DynamicsContact) -> CustomerRef:
    if isinstance(customer, DynamicsAccount):
        return CustomerRef(CustomerKind.ACCOUNT, customer.id, customer.name, customer.number)
    name = customer.full_name or f"{customer.first_name} {customer.last_name}".strip()
    return CustomerRef(CustomerKind.CONTACT, customer.id, name, customer.number)


def product(row: Mapping[str, Any]) -> DynamicsProduct:
    return DynamicsProduct(
        id=str(row["productid"]),
        number=_text(row, "productnumber"),
        name=_text(row, "name"),
        description=_text(row, "description"),
        price=_decimal(row["price"]) if row.get("price") is not None else None,
        account_code=_text(row.get(ProductColumns.ACCOUNT_CODE_ID), ChartOfAccountsTable.CODE) or None,
        tax_type=_text(row.get(ProductColumns.TAX_RATE_ID), TaxRateTable.TAX_TYPE) or None,
        state=int(row.get("statecode") or 0),
        modified_on=_moment(row.get("modifiedon")),
        version=_version(row),
    )


_BUNDLE_ROLES = {2: BundleRole.HEADER, 3: BundleRole.COMPONENT, 4: BundleRole.COMPONENT}  # producttypecode


def _tracking(row: Mapping[str, Any]) -> tuple[TrackingChoice, ...]:
    picked = []
    for column in InvoiceLineColumns.TRACKING_OPTION_IDS:
        option = row.get(column)
        if option:
            category = option.get(TrackingOptionTable.TRACKING_CATEGORY_ID)
            picked.append(TrackingChoice(_text(category, TrackingCategoryTable.NAME), _text(option, TrackingOptionTable.NAME)))
    return tuple(picked)


def line(row: Mapping[str, Any]) -> DynamicsInvoiceLine:
    found = row.get("productid")
    return DynamicsInvoiceLine(
        id=str(row["invoicedetailid"]),
        sequence_number=row.get("sequencenumber") if row.get("sequencenumber") is not None else row.get("lineitemnumber"),
        product=product(found) if found else None,
        is_write_in=bool(row.get("isproductoverridden")) or not found,
        write_in_description=_text(row, "productdescription"),
        description=_text(row, "description"),
        quantity=_decimal(row.get("quantity")),
        price_per_unit=_decimal(row.get("priceperunit")),
        manual_discount_amount=_decimal(row.get("manualdiscountamount")),
        tax=_decimal(row.get("tax")),
        account_code=_text(row.get(InvoiceLineColumns.ACCOUNT_CODE_ID), ChartOfAccountsTable.CODE) or None,
        tax_type=_text(row.get(InvoiceLineColumns.TAX_RATE_ID), TaxRateTable.TAX_TYPE) or None,
        tracking=_tracking(row),
        bundle_role=_BUNDLE_ROLES.get(row.get("producttypecode") or 0, BundleRole.NONE),
        # A component names its bundle's line by the lookup, or (older rows) by the plain id column.
        parent_bundle_line_id=str(row.get("_parentbundleidref_value") or row.get("parentbundleid") or "") or None,
    )


def _details_row(row: Mapping[str, Any], connector_id: str | None) -> Mapping[str, Any] | None:
    rows = row.get(DETAILS_NAVIGATION) or []
    return next((r for r in rows if r.get(lookup_value(XeroInvoiceTable.CONNECTOR_ID)) == connector_id), None)


def _option(row: Mapping[str, Any] | None, table: str, column: str) -> str | None:
    """Xero's code for the option a choice column of the row holds (None: empty, or no row)."""
    return option_code(table, column, (row or {}).get(column))


def invoice_record(row: Mapping[str, Any], connector_id: str | None) -> InvoiceRecord:
    details = _details_row(row, connector_id)
    customer: DynamicsAccount | DynamicsContact | None = None
    if row.get("customerid_account"):
        customer = account(row["customerid_account"])
    elif row.get("customerid_contact"):
        customer = contact(row["customerid_contact"])
    lines = tuple(line(detail) for detail in row.get("invoice_details") or ())
    export = _option(details, XeroInvoiceTable.TABLE, XeroInvoiceTable.EXPORT_STATUS)
    # Our details row is always writable; a cancelled invoice itself is not, so it may lag behind.
    on_details = _option(details, XeroInvoiceTable.TABLE, XeroInvoiceTable.XERO_STATUS)
    status = on_details or _option(row, InvoiceColumns.TABLE, InvoiceColumns.XERO_STATUS)
    invoice = DynamicsInvoice(
        id=str(row["invoiceid"]),
        name=_text(row, "name"),
        invoice_number=_text(row, "invoicenumber"),
        invoice_type=InvoiceType(_option(row, InvoiceColumns.TABLE, InvoiceColumns.XERO_INVOICE_TYPE) or "ACCREC"),
        customer=customer_ref(customer) if customer else None,
        date_delivered=_moment(row.get("datedelivered")),
        due_date=_day(row.get("duedate")),
        currency_code=_text(row.get("transactioncurrencyid"), "isocurrencycode") or None,
        line_amount_types=LineAmountTypes(_option(row, InvoiceColumns.TABLE, InvoiceColumns.LINE_AMOUNT_TYPES) or "Exclusive"),
        branding_theme_id=_text(row.get(InvoiceColumns.BRANDING_THEME_ID), BrandingThemeTable.XERO_BRANDING_THEME_ID) or None,
        description=str(row.get("description") or ""),
        state=InvoiceState(int(row.get("statecode") or 0)),
        status_code=row.get("statuscode"),
        modified_on=_moment(row.get("modifiedon")),
        version=_version(row),
        lines=lines,
        send_email=row.get(InvoiceColumns.SEND_EMAIL_FROM_XERO),
        bundle_header_only=bool(row.get(InvoiceColumns.BUNDLE_HEADER_ONLY)),
        connector_id=row.get(lookup_value(InvoiceColumns.CONNECTOR_ID)),
        discount_percentage=_decimal(row.get("discountpercentage")),
        discount_amount=_decimal(row.get("discountamount")),
        freight_amount=_decimal(row.get("freightamount")),
        total_before_tax=_decimal(row["totalamountlessfreight"]) if row.get("totalamountlessfreight") is not None else None,
        xero_status=XeroStatus(status) if status else None,
        xero_number=_text(row, InvoiceColumns.XERO_NUMBER) or _text(details, XeroInvoiceTable.XERO_NUMBER) or None,
        export_status=ExportStatus(export) if export else ExportStatus.NO,
    )
    products = {ln.product.id: ln.product for ln in lines if ln.product is not None}
    return InvoiceRecord(
        invoice,
        str(row.get("@odata.etag") or ""),
        customer,
        str(details[XERO_INVOICE.primary_id]) if details else None,
        _text(details, XeroInvoiceTable.ONLINE_INVOICE_URL),
        tuple(products.values()),
    )


# --- the connection's rows ---------------------------------------------------------------------------------

SETTINGS_NAVIGATION = ConnectorSettingsTable.CONNECTOR_RELATIONSHIP  # connector → its settings rows


def connection_rows(client: DataverseClient, portal_connection_id: str) -> tuple[str, dict[str, Any]] | None:
    """Our connector row's id for this portal connection, with its settings row (one call); None when
    Create Connection has not written them yet."""
    body = client.read(
        CONNECTION.set_name,
        params={
            "$select": CONNECTION.primary_id,
            "$filter": f"{ConnectorTable.PORTAL_CONNECTION_ID} eq '{portal_connection_id}'",
            "$expand": SETTINGS_NAVIGATION,
        },
    )
    found = body.get("value") or []
    if not found:
        return None
    settings = found[0].get(SETTINGS_NAVIGATION) or [{}]
    return str(found[0][CONNECTION.primary_id]), settings[0]
