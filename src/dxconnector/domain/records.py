"""What the sync reads from Dynamics and what it sends to Xero, as frozen dataclasses.

Dynamics records hold plain values: the adapter turns option values into codes (`InvoiceType.ACCREC`) and
lookups into what they point at (an account code, a tracking option's category and name, a branding
theme's Xero id). Xero records know their exact JSON body (`to_xero()`); money stays `Decimal` all the
way to the adapter that serialises it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import date as Day  # for fields declared after a field named `date`, which hides the type
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)


# --- codes both sides share -------------------------------------------------------------------------------


class InvoiceType(enum.StrEnum):
    """Xero's type, chosen in Dynamics by our `stl3_xeroinvoicetype` column."""

    ACCREC = "ACCREC"  # sales invoice
    ACCPAY = "ACCPAY"  # purchase invoice (bill)
    ACCRECCREDIT = "ACCRECCREDIT"  # sales credit note
    ACCPAYCREDIT = "ACCPAYCREDIT"  # bill credit note

    @property
    def is_sales(self) -> bool:
        return self in (InvoiceType.ACCREC, InvoiceType.ACCRECCREDIT)

    @property
    def is_credit_note(self) -> bool:
        return self in (InvoiceType.ACCRECCREDIT, InvoiceType.ACCPAYCREDIT)

    @property
    def credit_note(self) -> InvoiceType:
        """The credit note on the same side: a sales invoice's is a sales credit note."""
        return InvoiceType.ACCRECCREDIT if self.is_sales else InvoiceType.ACCPAYCREDIT

    @property
    def label(self) -> str:
        return _INVOICE_TYPE_LABELS[self]


_INVOICE_TYPE_LABELS = {
    InvoiceType.ACCREC: "sales invoice",
    InvoiceType.ACCPAY: "bill",
    InvoiceType.ACCRECCREDIT: "sales credit note",
    InvoiceType.ACCPAYCREDIT: "bill credit note",
}


class LineAmountTypes(enum.StrEnum):
    EXCLUSIVE = "Exclusive"
    INCLUSIVE = "Inclusive"
    NO_TAX = "NoTax"


class XeroStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    AUTHORISED = "AUTHORISED"
    PAID = "PAID"
    VOIDED = "VOIDED"
    DELETED = "DELETED"


class ExportStatus(enum.StrEnum):
    """Our `stl3_xeroinvoice.stl3_exportstatus`."""

    NO = "NO"
    EXPORTED = "EXPORTED"
    READY_TO_UPDATE = "READY_TO_UPDATE"
    FAILED = "FAILED"


class InvoiceState(enum.IntEnum):
    """Dynamics' invoice `statecode`."""

    ACTIVE = 0
    CLOSED = 1
    PAID = 2
    CANCELED = 3


class InvoiceStatusReason(enum.IntEnum):
    """The Dynamics invoice `statuscode` values the sync writes."""

    BILLED = 4  # state Active: reopened, once Xero says money is owed on it again
    COMPLETE = 100001  # state Paid
    PARTIAL = 100002  # state Paid
    CANCELED = 100003  # state Canceled


class CustomerKind(enum.StrEnum):
    ACCOUNT = "account"
    CONTACT = "contact"


class BundleRole(enum.StrEnum):
    NONE = "none"
    HEADER = "header"  # the bundle's own line, carrying its price
    COMPONENT = "component"  # a product inside a bundle, under its header line


# --- what the sync reads from Dynamics ------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerRef:
    """The invoice's `customerid`: an account or a contact, with its number and name."""

    kind: CustomerKind
    id: str
    name: str = ""
    number: str = ""


@dataclass(frozen=True)
class TrackingChoice:
    """A tracking option picked on a line: its category's name and its own name, as Xero knows them."""

    category: str
    option: str


@dataclass(frozen=True)
class DynamicsProduct:
    id: str
    number: str  # productnumber → the Xero item's Code
    name: str
    description: str = ""
    price: Decimal | None = None  # list price
    account_code: str | None = None  # our stl3_accountcodeid → its code
    tax_type: str | None = None  # our stl3_taxrateid → its tax type
    state: int = 0  # 0 Active, 1 Retired, 2 Draft, 3 Under Revision
    modified_on: datetime | None = None
    version: str | None = None


@dataclass(frozen=True)
class DynamicsInvoiceLine:
    id: str
    sequence_number: int | None = None
    product: DynamicsProduct | None = None  # None for a write-in line
    is_write_in: bool = False  # isproductoverridden
    write_in_description: str = ""  # productdescription
    description: str = ""  # the line's own description column
    quantity: Decimal = ZERO
    price_per_unit: Decimal = ZERO
    manual_discount_amount: Decimal = ZERO
    tax: Decimal = ZERO  # Dynamics' tax amount; Xero works tax out from the tax type
    account_code: str | None = None  # our stl3_accountcodeid → its code
    tax_type: str | None = None  # our stl3_taxrateid → its tax type
    tracking: tuple[TrackingChoice, ...] = ()  # stl3_trackingoption1id, stl3_trackingoption2id
    bundle_role: BundleRole = BundleRole.NONE
    parent_bundle_line_id: str | None = None  # for a component: its header line's id

    @property
    def name(self) -> str:
        """What a person calls this line: the product's name or the write-in text."""
        if self.product is not None and not self.is_write_in:
            return self.product.name
        return self.write_in_description or self.description


@dataclass(frozen=True)
class DynamicsInvoice:
    id: str
    name: str = ""
    invoice_number: str = ""  # Dynamics' invoice ID
    invoice_type: InvoiceType = InvoiceType.ACCREC
    customer: CustomerRef | None = None
    date_delivered: datetime | None = None  # UTC; a date picked in the user's time zone
    due_date: date | None = None  # date-only column
    currency_code: str | None = None  # the transaction currency's ISO code
    line_amount_types: LineAmountTypes = LineAmountTypes.EXCLUSIVE
    branding_theme_id: str | None = None  # the picked theme's Xero id
    description: str = ""
    state: InvoiceState = InvoiceState.ACTIVE
    status_code: int | None = None
    modified_on: datetime | None = None
    version: str | None = None  # @odata.etag or versionnumber
    lines: tuple[DynamicsInvoiceLine, ...] = ()
    send_email: bool | None = None  # None: the connection's setting decides
    bundle_header_only: bool = False
    connector_id: str | None = None  # our stl3_connectorid
    discount_percentage: Decimal = ZERO  # invoice-level discount, %
    discount_amount: Decimal = ZERO  # invoice-level discount, money
    freight_amount: Decimal = ZERO
    total_before_tax: Decimal | None = None  # Dynamics' own total of the lines less discounts (totalamountlessfreight)
    xero_status: XeroStatus | None = None  # what the last write-back said
    xero_number: str | None = None
    export_status: ExportStatus = ExportStatus.NO


@dataclass(frozen=True)
class DynamicsAddress:
    line1: str = ""
    line2: str = ""
    line3: str = ""
    city: str = ""
    state_or_province: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True)
class DynamicsAccount:
    id: str
    name: str
    number: str = ""  # accountnumber
    email: str = ""  # emailaddress1
    phone: str = ""  # telephone1
    fax: str = ""
    address: DynamicsAddress = field(default_factory=DynamicsAddress)  # address1_*
    active: bool = True  # statecode 0; an inactive customer's Xero contact is archived
    modified_on: datetime | None = None
    version: str | None = None


@dataclass(frozen=True)
class DynamicsContact:
    id: str
    first_name: str = ""
    last_name: str = ""
    full_name: str = ""  # computed by Dynamics
    number: str = ""
    email: str = ""  # emailaddress1
    phone: str = ""  # telephone1
    mobile: str = ""  # mobilephone
    fax: str = ""
    address: DynamicsAddress = field(default_factory=DynamicsAddress)  # address1_*
    active: bool = True  # statecode 0; an inactive customer's Xero contact is archived
    modified_on: datetime | None = None
    version: str | None = None


@dataclass(frozen=True)
class ConnectionSettings:
    """One `stl3_stellariseconnectorsettings` row (PRODUCT §3.3), with the solution's defaults."""

    connector_id: str | None = None
    is_default_connection: bool = False
    use_xero_invoice_number: bool = True
    use_invoice_name: bool = False
    create_new_contacts: bool = True
    create_new_products: bool = False
    default_sales_invoice_status: XeroStatus = XeroStatus.DRAFT
    default_purchase_invoice_status: XeroStatus = XeroStatus.DRAFT
    send_email_from_xero: bool = False
    default_sales_account_code: str | None = None
    default_purchase_account_code: str | None = None
    default_tax_type: str | None = None
    description_to_reference: bool = True
    credit_notes_automatically: bool = False
    sync_interval_minutes: int = 10  # the competitors poll every ten minutes
    time_zone: str = "UTC"
    two_way_contact_sync: bool = False
    sync_from: date | None = None  # the portal's "sync invoices delivered on or after": older ones never go (a backfill's start)


@dataclass(frozen=True)
class InvoiceLink:
    """The links ledger's entry for one invoice: ids, the version sent and a keyed hash — never amounts."""

    xero_id: str
    sent_type: InvoiceType | None = None
    sent_version: str | None = None
    sent_hash: str | None = None


# --- what the sync sends to Xero ------------------------------------------------------------------------


def _put(body: dict[str, Any], key: str, value: Any) -> None:
    """Set a body element only when it has a value: Xero reads an absent element as 'keep' or 'default'."""
    if value is None or value == "" or (isinstance(value, list | tuple | dict) and not value):
        return
    body[key] = value


@dataclass(frozen=True)
class XeroTracking:
    name: str
    option: str

    def to_xero(self) -> dict[str, Any]:
        return {"Name": self.name, "Option": self.option}


@dataclass(frozen=True)
class XeroLineItem:
    description: str
    quantity: Decimal | None = None
    unit_amount: Decimal | None = None
    item_code: str | None = None
    account_code: str | None = None
    tax_type: str | None = None
    discount_amount: Decimal | None = None
    discount_rate: Decimal | None = None
    tracking: tuple[XeroTracking, ...] = ()

    def to_xero(self) -> dict[str, Any]:
        body: dict[str, Any] = {"Description": self.description}
        _put(body, "Quantity", self.quantity)
        _put(body, "UnitAmount", self.unit_amount)
        _put(body, "ItemCode", self.item_code)
        _put(body, "AccountCode", self.account_code)
        _put(body, "TaxType", self.tax_type)
        _put(body, "DiscountAmount", self.discount_amount)
        _put(body, "DiscountRate", self.discount_rate)
        _put(body, "Tracking", [t.to_xero() for t in self.tracking])
        return body


@dataclass(frozen=True)
class XeroInvoice:
    """A Xero invoice or credit note (credit notes go to /CreditNotes with CreditNote* element names)."""

    type: InvoiceType
    contact_id: str
    date: date
    line_amount_types: LineAmountTypes
    line_items: tuple[XeroLineItem, ...]
    status: XeroStatus | None = None  # None: leave Xero's status as it is
    number: str | None = None
    due_date: Day | None = None
    reference: str | None = None
    currency_code: str | None = None
    branding_theme_id: str | None = None
    url: str | None = None
    xero_id: str | None = None

    @property
    def collection(self) -> str:
        return "CreditNotes" if self.type.is_credit_note else "Invoices"

    @property
    def id_element(self) -> str:
        return "CreditNoteID" if self.type.is_credit_note else "InvoiceID"

    @property
    def number_element(self) -> str:
        return "CreditNoteNumber" if self.type.is_credit_note else "InvoiceNumber"

    def to_xero(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        _put(body, self.id_element, self.xero_id)
        body["Type"] = self.type.value
        body["Contact"] = {"ContactID": self.contact_id}
        body["Date"] = self.date.isoformat()
        _put(body, "DueDate", self.due_date.isoformat() if self.due_date else None)
        body["LineAmountTypes"] = self.line_amount_types.value
        _put(body, self.number_element, self.number)
        _put(body, "Reference", self.reference)
        _put(body, "CurrencyCode", self.currency_code)
        _put(body, "BrandingThemeID", self.branding_theme_id)
        _put(body, "Url", self.url)
        _put(body, "Status", self.status.value if self.status else None)
        body["LineItems"] = [line.to_xero() for line in self.line_items]
        return body

    def content(self) -> dict[str, Any]:
        """The body without identity and status: what the content hash covers.

        Status is left out because Xero moves it on by itself (approval, payment) and we never move it back.
        """
        body = self.to_xero()
        body.pop(self.id_element, None)
        body.pop("Status", None)
        return body


@dataclass(frozen=True)
class XeroAddress:
    type: str  # POBOX (postal, printed on invoices) or STREET
    line1: str = ""
    line2: str = ""
    line3: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    def to_xero(self) -> dict[str, Any]:
        body: dict[str, Any] = {"AddressType": self.type}
        _put(body, "AddressLine1", self.line1)
        _put(body, "AddressLine2", self.line2)
        _put(body, "AddressLine3", self.line3)
        _put(body, "City", self.city)
        _put(body, "Region", self.region)
        _put(body, "PostalCode", self.postal_code)
        _put(body, "Country", self.country)
        return body


@dataclass(frozen=True)
class XeroPhone:
    type: str  # DEFAULT, MOBILE, FAX, DDI, OFFICE
    number: str

    def to_xero(self) -> dict[str, Any]:
        return {"PhoneType": self.type, "PhoneNumber": self.number}


@dataclass(frozen=True)
class XeroContact:
    name: str
    contact_id: str | None = None
    account_number: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phones: tuple[XeroPhone, ...] = ()
    addresses: tuple[XeroAddress, ...] = ()
    notes: tuple[str, ...] = ()  # what was left out and why; never sent

    def to_xero(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        _put(body, "ContactID", self.contact_id)
        body["Name"] = self.name
        _put(body, "AccountNumber", self.account_number)
        _put(body, "FirstName", self.first_name)
        _put(body, "LastName", self.last_name)
        _put(body, "EmailAddress", self.email)
        _put(body, "Phones", [phone.to_xero() for phone in self.phones])
        _put(body, "Addresses", [address.to_xero() for address in self.addresses])
        return body


@dataclass(frozen=True)
class XeroContactSummary:
    """A Xero contact as the matching rule needs it."""

    contact_id: str
    name: str
    account_number: str = ""
    contact_number: str = ""
    status: str = "ACTIVE"  # ACTIVE, ARCHIVED, GDPRREQUEST


@dataclass(frozen=True)
class XeroItemDetails:
    """An item's SalesDetails or PurchaseDetails."""

    unit_price: Decimal | None = None
    account_code: str | None = None
    tax_type: str | None = None

    def to_xero(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        _put(body, "UnitPrice", self.unit_price)
        _put(body, "AccountCode", self.account_code)
        _put(body, "TaxType", self.tax_type)
        return body


@dataclass(frozen=True)
class XeroItem:
    code: str
    name: str
    description: str = ""
    sales: XeroItemDetails | None = None
    purchase: XeroItemDetails | None = None
    item_id: str | None = None

    def to_xero(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        _put(body, "ItemID", self.item_id)
        body["Code"] = self.code
        body["Name"] = self.name
        _put(body, "Description", self.description)
        if self.sales is not None:
            _put(body, "SalesDetails", self.sales.to_xero() or None)
        if self.purchase is not None:
            _put(body, "PurchaseDetails", self.purchase.to_xero() or None)
        return body


# --- what the sync writes to Dynamics --------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """A lookup column's value: the row it points at. The Dataverse adapter writes it as `@odata.bind`."""

    table: str
    id: str


@dataclass(frozen=True)
class DynamicsRow:
    """A row for one of our `stl3_` tables, by column name, found again (within its connection) through
    `key_column` = `key`."""

    table: str
    key_column: str
    key: str
    columns: dict[str, Any]
