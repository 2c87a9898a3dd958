"""Invoices and credit notes: one set of rules for both (lines, totals, numbering, status, locking).

A document is saved in three steps: the element's fields are checked and merged onto the stored record
(or a new one), the lines and totals are recomputed, and the result is checked against what the
document's state allows (status transitions; no edits once money is applied).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dxsandbox.xero.api.accounting import contacts, items, reference, status
from dxsandbox.xero.api.accounting.books import Books, Record, leading, public
from dxsandbox.xero.api.accounting.dates import add_months, date_string, day_of_month, ms_date, ms_to_date
from dxsandbox.xero.api.accounting.money import ZERO, as_json, cents, decimal, round_to
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.totals import (
    EXCLUSIVE,
    LINE_AMOUNT_TYPES,
    NO_TAX,
    LineFigures,
    LineTotals,
    document_totals,
    line_totals,
)
from dxsandbox.xero.api.accounting.validation import (
    Problems,
    boolean,
    calendar_date,
    choice,
    guid,
    number,
    reference_to,
    text,
)
from dxsandbox.xero.events import Category

MAX_TRACKING_PER_LINE = 2
DEFAULT_PAYMENT_DAYS = 30


@dataclass(frozen=True)
class DocumentKind:
    store_kind: str
    collection: str
    id_field: str
    number_field: str
    types: tuple[str, str]  # (sales, purchases)
    category: Category
    label: str
    prefix_setting: str

    @property
    def sales_type(self) -> str:
        return self.types[0]

    @property
    def is_invoice(self) -> bool:
        return self.store_kind == "invoice"


INVOICES = DocumentKind(
    "invoice", "Invoices", "InvoiceID", "InvoiceNumber", ("ACCREC", "ACCPAY"), "INVOICE", "Invoice", "invoice_prefix"
)
CREDIT_NOTES = DocumentKind(
    "credit_note",
    "CreditNotes",
    "CreditNoteID",
    "CreditNoteNumber",
    ("ACCRECCREDIT", "ACCPAYCREDIT"),
    "CREDITNOTE",
    "Credit note",
    "credit_note_prefix",
)

# Fields that may still change once a payment or credit is applied (or the document is PAID).
EDITABLE_WHEN_PAID = (
    "Reference",
    "DueDate",
    "DueDateString",
    "SentToContact",
    "ExpectedPaymentDate",
    "PlannedPaymentDate",
    "Url",
    "BrandingThemeID",
    "UpdatedDateUTC",
    "UpdatedDateUTCString",
    "_updated_ms",
)
READING_ORDER = (
    "Type",
    "InvoiceID",
    "CreditNoteID",
    "InvoiceNumber",
    "CreditNoteNumber",
    "Reference",
    "Contact",
    "Date",
    "DateString",
    "DueDate",
    "DueDateString",
    "Status",
    "LineAmountTypes",
    "LineItems",
    "SubTotal",
    "TotalTax",
    "Total",
)
LINE_INPUT_FIELDS = (
    "Description",
    "Quantity",
    "UnitAmount",
    "ItemCode",
    "AccountCode",
    "TaxType",
    "DiscountRate",
    "DiscountAmount",
    "Tracking",
)


# --- reading -------------------------------------------------------------------------------------------
def find(books: Books, kind: DocumentKind, key: str) -> Record | None:
    """By id, or by number (GET /Invoices/INV-0001 works as well as the InvoiceID)."""
    record_id = guid(key)
    if record_id:
        found = books.get(kind.store_kind, record_id)
        if found:
            return found
    matches = books.by_number(kind.store_kind, key)
    return matches[0] if matches else None


def render(
    record: Record,
    contact_of: Callable[[str], Record | None],
    *,
    unitdp: int = 2,
    summary_only: bool = False,
    with_lines: bool = True,
) -> Record:
    shown = public(record)
    contact = contact_of(record["Contact"]["ContactID"]) if record.get("Contact") else None
    if contact is not None:
        shown["Contact"] = contacts.summary(contact)
    shown["LineItems"] = [_render_line(line, unitdp) for line in shown.get("LineItems", [])] if with_lines else []
    if summary_only:
        for field in ("LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments", "Allocations", "InvoiceAddresses"):
            shown.pop(field, None)
    return leading(shown, READING_ORDER)


def _render_line(line: Record, unitdp: int) -> Record:
    shown = dict(line)
    if shown.get("UnitAmount") is not None:
        shown["UnitAmount"] = as_json(round_to(Decimal(str(shown["UnitAmount"])), unitdp))
    return shown


def nested(kind: DocumentKind, record: Record, contact_of: Callable[[str], Record | None]) -> Record:
    """A document as it appears inside a payment or an allocation: its identity and its money."""
    contact = contact_of(record["Contact"]["ContactID"]) if record.get("Contact") else None
    shown = {
        key: record[key]
        for key in (
            "Type",
            kind.id_field,
            kind.number_field,
            "Reference",
            "Status",
            "Date",
            "DateString",
            "CurrencyCode",
            "CurrencyRate",
            "Total",
            "AmountDue",
            "AmountPaid",
            "RemainingCredit",
        )
        if record.get(key) is not None
    }
    if contact is not None:
        shown["Contact"] = {
            "ContactID": contact["ContactID"],
            "Name": contact["Name"],
            "ContactPersons": [],
            "HasValidationErrors": False,
        }
    shown.update(LineItems=[], Payments=[], HasErrors=False)
    if kind.is_invoice:
        shown.update(CreditNotes=[], Prepayments=[], Overpayments=[], IsDiscounted=bool(record.get("IsDiscounted")))
    return shown


# Where an invoice lists the credit applied to it: credit notes, prepayments and overpayments.
CREDIT_FIELDS = ("CreditNotes", "Prepayments", "Overpayments")


def money_applied(record: Record) -> Decimal:
    """Payments plus credit allocated to (invoices) or from (credit notes, prepayments, overpayments) this document."""
    paid = sum((Decimal(str(payment["Amount"])) for payment in record.get("Payments", [])), ZERO)
    allocated = sum((Decimal(str(allocation["Amount"])) for allocation in live_allocations(record)), ZERO)
    return paid + credit_applied(record) + allocated


def credit_applied(record: Record) -> Decimal:
    """What credit notes, prepayments and overpayments cover of an invoice (Xero's AmountCredited)."""
    return sum(
        (Decimal(str(credit["AppliedAmount"])) for field in CREDIT_FIELDS for credit in record.get(field, [])),
        ZERO,
    )


def live_allocations(record: Record) -> list[Record]:
    """A credit's allocations that still apply: a deleted one stays listed (IsDeleted) but no longer counts."""
    return [allocation for allocation in record.get("Allocations", []) if not allocation.get("IsDeleted")]


# --- writing -------------------------------------------------------------------------------------------
def save(work: Work, kind: DocumentKind, element: dict[str, Any], *, existing: Record | None = None) -> Record:
    books, problems = work.books, Problems()
    record = copy.deepcopy(existing) if existing else {**_new_record(kind), "_created_by": work.client_id}
    doc_type = _apply_type(problems, kind, element, record, existing)
    _apply_contact(work, problems, element, record, existing)
    _apply_dates(problems, element, record, books)
    _apply_header(books, problems, kind, element, record, doc_type)
    lines_changed = _apply_lines(books, problems, kind, element, record, doc_type, work.unitdp, existing)
    requested_status = _requested_status(problems, kind, element, record, existing)
    _apply_sent_to_contact(problems, kind, element, record, requested_status)
    if lines_changed or existing is None:
        apply_totals(record)
    _check_approval(problems, kind, record, requested_status)
    if existing is not None:
        _check_locks(problems, kind, existing, record)
    problems.raise_if_any()

    record["Status"] = requested_status
    if kind.is_invoice and not record.get("DueDate"):
        _set_date(record, "DueDate", default_due_date(books, record))
    if not record.get(kind.number_field) and doc_type == kind.sales_type:
        record[kind.number_field] = next_document_number(books, kind, record[kind.id_field])
    settle(kind, record)
    books.touch(record, with_string=True)
    books.put(kind.store_kind, record[kind.id_field], record, number=record.get(kind.number_field))
    if record.get("Contact"):
        contacts.mark_used(books, record["Contact"]["ContactID"], as_customer=doc_type == kind.sales_type)
    announce(work, kind, record, "UPDATE" if existing else "CREATE")
    return record


def announce(work: Work, kind: DocumentKind, record: Record, event_type: str) -> None:
    data = None if kind.is_invoice else {"Type": record["Type"], "Status": record["Status"]}
    work.changed(kind.category, event_type, kind.collection, record[kind.id_field], data)  # type: ignore[arg-type]


def _new_record(kind: DocumentKind) -> Record:
    record: Record = {
        kind.id_field: str(uuid.uuid4()),
        "Status": status.DRAFT,
        "LineAmountTypes": EXCLUSIVE,
        "LineItems": [],
        "Payments": [],
        "HasAttachments": False,
        "HasErrors": False,
        "SubTotal": 0.0,
        "TotalTax": 0.0,
        "Total": 0.0,
    }
    if kind.is_invoice:
        record.update(
            CreditNotes=[],
            Prepayments=[],
            Overpayments=[],
            AmountDue=0.0,
            AmountPaid=0.0,
            AmountCredited=0.0,
            IsDiscounted=False,
            SentToContact=False,
        )
    else:
        record.update(Allocations=[], RemainingCredit=0.0, SentToContact=False)
    return record


def _apply_type(problems: Problems, kind: DocumentKind, element: dict[str, Any], record: Record, existing: Record | None) -> str:
    requested = choice(problems, element, "Type", kind.types)
    if existing is not None:
        if requested and requested != existing["Type"]:
            problems.add(f"The Type of an existing {kind.label.lower()} cannot be changed.")
        return existing["Type"]
    if requested is None:
        if not element.get("Type"):
            problems.add(f"{kind.label} Type must be specified: {' or '.join(kind.types)}.")
        requested = kind.sales_type
    record["Type"] = requested
    return requested


def _apply_contact(work: Work, problems: Problems, element: dict[str, Any], record: Record, existing: Record | None) -> None:
    given = reference_to(element, "Contact")
    if not given and existing is not None:
        return
    if given.get("ContactID") and existing is not None and guid(given["ContactID"]) == existing["Contact"]["ContactID"]:
        return  # unchanged (and allowed even if the contact was archived since)
    contact = contacts.resolve(work, problems, given)
    if contact is not None:
        record["Contact"] = {"ContactID": contact["ContactID"]}


def _set_date(record: Record, field: str, day: date | None) -> None:
    if day is None:
        record.pop(field, None)
        record.pop(f"{field}String", None)
        return
    record[field] = ms_date(day)
    if field in ("Date", "DueDate"):
        record[f"{field}String"] = date_string(day)


def _apply_dates(problems: Problems, element: dict[str, Any], record: Record, books: Books) -> None:
    for field in ("Date", "DueDate", "ExpectedPaymentDate", "PlannedPaymentDate"):
        if field in element:
            _set_date(record, field, calendar_date(problems, element, field))
    if not record.get("Date"):
        _set_date(record, "Date", reference.today(books))


def default_due_date(books: Books, record: Record) -> date:
    """The contact's payment terms for this side (sales or bills), else the organisation's, else 30 days."""
    issued = ms_to_date(record["Date"])
    contact = books.get(contacts.KIND, record["Contact"]["ContactID"]) if record.get("Contact") else None
    side = "Sales" if record["Type"] in ("ACCREC", "ACCRECCREDIT") else "Bills"
    terms = ((contact or {}).get("PaymentTerms") or {}).get(side) or (
        reference.organisation(books).get("PaymentTerms") or {}
    ).get(side)
    return due_date_for_terms(issued, terms)


def due_date_for_terms(issued: date, terms: dict[str, Any] | None) -> date:
    if not terms:
        return issued + timedelta(days=DEFAULT_PAYMENT_DAYS)
    day, kind = int(terms.get("Day", 0)), terms.get("Type")
    if kind == "DAYSAFTERBILLDATE":
        return issued + timedelta(days=day)
    if kind == "DAYSAFTERBILLMONTH":
        month_end = day_of_month(issued.year, issued.month, 31)
        return month_end + timedelta(days=day)
    if kind == "OFCURRENTMONTH":
        return day_of_month(issued.year, issued.month, day)
    following = add_months(issued.replace(day=1), 1)
    return day_of_month(following.year, following.month, day)


def _apply_header(
    books: Books, problems: Problems, kind: DocumentKind, element: dict[str, Any], record: Record, doc_type: str
) -> None:
    if "LineAmountTypes" in element:
        amount_types = _line_amount_types(problems, element)
        if amount_types:
            record["LineAmountTypes"] = amount_types
    _apply_number(books, problems, kind, element, record, doc_type)
    if "Reference" in element and (not kind.is_invoice or doc_type == "ACCREC"):
        record["Reference"] = text(problems, element, "Reference", 255) or None
    _apply_branding_theme(books, problems, element, record)
    if "Url" in element and kind.is_invoice:  # credit notes have no Url: Xero ignores the element there
        url = text(problems, element, "Url", 2000)
        if url and not url.lower().startswith(("http://", "https://")):
            problems.add("The Url must be an absolute http or https address.")
        record["Url"] = url or None
    apply_currency(books, problems, element, record)


def _line_amount_types(problems: Problems, element: dict[str, Any]) -> str | None:
    given = str(element.get("LineAmountTypes") or "")
    canonical = {value.lower(): value for value in LINE_AMOUNT_TYPES}.get(given.lower())
    if canonical is None and given:
        problems.add(
            f"'{given}' is not a valid value for LineAmountTypes: use Exclusive, Inclusive or NoTax.",
            unechoable="LineAmountTypes",
        )
    return canonical


def _apply_number(
    books: Books, problems: Problems, kind: DocumentKind, element: dict[str, Any], record: Record, doc_type: str
) -> None:
    if kind.number_field not in element:
        return
    value = (text(problems, element, kind.number_field, 255) or "").strip()
    if value and doc_type == kind.sales_type and number_taken(books, kind, value, record[kind.id_field]):
        problems.add("Invoice # must be unique." if kind.is_invoice else "Credit Note # must be unique.")
    record[kind.number_field] = value or record.get(kind.number_field) or None


def number_taken(books: Books, kind: DocumentKind, value: str, own_id: str) -> bool:
    """Sales document numbers are unique among the organisation's sales documents; purchase ones are not."""
    return any(
        other["Type"] == kind.sales_type and other[kind.id_field] != own_id for other in books.by_number(kind.store_kind, value)
    )


def next_document_number(books: Books, kind: DocumentKind, own_id: str) -> str:
    settings = reference.numbering(books.tenant_id)
    while True:
        candidate = f"{settings[kind.prefix_setting]}{books.next_number(kind.store_kind + '-number'):0{settings['digits']}d}"
        if not number_taken(books, kind, candidate, own_id):
            return candidate


def _apply_branding_theme(books: Books, problems: Problems, element: dict[str, Any], record: Record) -> None:
    if element.get("BrandingThemeID"):
        theme = reference.branding_theme(books, guid(element["BrandingThemeID"]))
        if theme is None:
            problems.add(f"Branding theme '{element['BrandingThemeID']}' could not be found.", unechoable="BrandingThemeID")
        else:
            record["BrandingThemeID"] = theme["BrandingThemeID"]
    if not record.get("BrandingThemeID"):
        theme = reference.default_branding_theme(books)
        record["BrandingThemeID"] = theme["BrandingThemeID"] if theme else None


def apply_currency(books: Books, problems: Problems, element: dict[str, Any], record: Record) -> None:
    base = reference.base_currency(books)
    code = str(element.get("CurrencyCode") or record.get("CurrencyCode") or base).upper()
    currency = reference.currency(books, code)
    if currency is None:
        problems.add(f"The currency {code} is not set up for this organisation.", unechoable="CurrencyCode")
        return
    changed = code != record.get("CurrencyCode")
    record["CurrencyCode"] = code
    rate = number(problems, element, "CurrencyRate")
    if code == base:
        record["CurrencyRate"] = 1.0
    elif rate is not None:
        if rate <= 0:
            problems.add("CurrencyRate must be greater than zero.")
        record["CurrencyRate"] = as_json(rate)
    elif changed or record.get("CurrencyRate") is None:
        record["CurrencyRate"] = as_json(Decimal(currency["_rate"]))


# --- lines -------------------------------------------------------------------------------------------------
def _apply_lines(
    books: Books,
    problems: Problems,
    kind: DocumentKind,
    element: dict[str, Any],
    record: Record,
    doc_type: str,
    unitdp: int,
    existing: Record | None,
) -> bool:
    """Recompute the lines when they (or how they count tax) change; True when they did."""
    amount_types_changed = existing is not None and existing.get("LineAmountTypes") != record["LineAmountTypes"]
    if "LineItems" not in element and not amount_types_changed and existing is not None:
        return False
    given = element.get("LineItems") if "LineItems" in element else record.get("LineItems", [])
    if not isinstance(given, list):
        problems.add("LineItems must be a list.")
        return False
    known_ids = {line.get("LineItemID") for line in (existing or {}).get("LineItems", [])}
    lines = [
        priced_line(books, problems, raw, doc_type == kind.sales_type, record["LineAmountTypes"], unitdp, known_ids)
        for raw in given
        if isinstance(raw, dict)
    ]
    record["LineItems"] = [line for line, _ in lines]
    record["_line_totals"] = [[str(totals.line_amount), str(totals.tax_amount), str(totals.discount)] for _, totals in lines]
    return True


def priced_line(
    books: Books,
    problems: Problems,
    raw: dict[str, Any],
    is_sales: bool,
    amount_types: str,
    unitdp: int,
    known_ids: set[str | None],
) -> tuple[Record, LineTotals]:
    given_id = guid(raw.get("LineItemID"))
    line: Record = {"LineItemID": given_id if given_id in known_ids else str(uuid.uuid4())}
    item = _line_item(books, problems, raw, line, is_sales)
    details = (item or {}).get("SalesDetails" if is_sales else "PurchaseDetails") or {}
    description = raw.get("Description")
    if description is None and item is not None:
        description = item.get("Description" if is_sales else "PurchaseDescription")
    if description is not None:
        line["Description"] = str(description)
    quantity = number(problems, raw, "Quantity")
    unit_amount = number(problems, raw, "UnitAmount")
    if unit_amount is None:
        unit_amount = decimal(details.get("UnitPrice"))
    if unit_amount is None:
        unit_amount = _unit_amount_from_line_amount(problems, raw, quantity)
    quantity = round_to(quantity if quantity is not None else Decimal(1), 4)
    unit_amount = round_to(unit_amount if unit_amount is not None else ZERO, 4 if unitdp == 4 else 2)
    account = _line_account(books, problems, raw, line, details)
    tax_rate = _line_tax_type(books, problems, raw, line, details, account, amount_types)
    discount_rate, discount_amount = _line_discount(problems, raw, is_sales)
    figures = LineFigures(
        quantity, unit_amount, reference.effective_tax_rate(tax_rate) if tax_rate else ZERO, discount_rate, discount_amount
    )
    totals = line_totals(figures, amount_types)
    line.update(
        Quantity=as_json(quantity),
        UnitAmount=as_json(unit_amount),
        TaxAmount=as_json(totals.tax_amount),
        LineAmount=as_json(totals.line_amount),
        Tracking=_line_tracking(books, problems, raw),
    )
    if discount_rate is not None:
        line["DiscountRate"] = as_json(discount_rate)
    if discount_amount is not None:
        line["DiscountAmount"] = as_json(discount_amount)
    return line, totals


def _unit_amount_from_line_amount(problems: Problems, raw: dict[str, Any], quantity: Decimal | None) -> Decimal | None:
    line_amount = number(problems, raw, "LineAmount")
    if line_amount is None:
        return None
    return line_amount / (quantity if quantity not in (None, ZERO) else Decimal(1))


def _line_item(books: Books, problems: Problems, raw: dict[str, Any], line: Record, is_sales: bool) -> Record | None:
    code = raw.get("ItemCode")
    if not code:
        return None
    item = items.by_code(books, code)
    if item is None:
        problems.add(f"Item code '{code}' is not valid.")
        return None
    line["ItemCode"] = item["Code"]
    line["Item"] = {"ItemID": item["ItemID"], "Code": item["Code"], **({"Name": item["Name"]} if item.get("Name") else {})}
    if (is_sales and item.get("IsSold") is False) or (not is_sales and item.get("IsPurchased") is False):
        problems.add(f"Item '{code}' is not {'sold' if is_sales else 'purchased'}, so it cannot be used on this document.")
    return item


def _line_account(books: Books, problems: Problems, raw: dict[str, Any], line: Record, details: Record) -> Record | None:
    account = None
    if raw.get("AccountID"):
        account = reference.account_by_id(books, guid(raw["AccountID"]))
        if account is None:
            problems.add(f"Account ID '{raw['AccountID']}' is not a valid account for this document.")
    code = raw.get("AccountCode") or (None if account else details.get("AccountCode"))
    if code:
        account = reference.account_by_code(books, code)
        if account is None or account["Status"] != "ACTIVE" or account["Type"] == "BANK":
            problems.add(f"Account code '{code}' is not a valid code for this document.")
            account = None
    if account is not None:
        line.update(AccountCode=account["Code"], AccountID=account["AccountID"])
    elif code:
        line["AccountCode"] = code
    return account


def _line_tax_type(
    books: Books,
    problems: Problems,
    raw: dict[str, Any],
    line: Record,
    details: Record,
    account: Record | None,
    amount_types: str,
) -> Record | None:
    tax_type = raw.get("TaxType") or details.get("TaxType") or (account or {}).get("TaxType")
    if not tax_type:
        return None
    rate = reference.tax_rate(books, tax_type)
    if rate is None or rate["Status"] != "ACTIVE":
        problems.add(f"The TaxType code '{tax_type}' does not exist or cannot be used for this type of transaction.")
        return None
    line["TaxType"] = rate["TaxType"]
    return None if amount_types == NO_TAX else rate


def _line_discount(problems: Problems, raw: dict[str, Any], is_sales: bool) -> tuple[Decimal | None, Decimal | None]:
    rate, amount = number(problems, raw, "DiscountRate"), number(problems, raw, "DiscountAmount")
    if rate is None and amount is None:
        return None, None
    if not is_sales:
        problems.add("Discounts (DiscountRate, DiscountAmount) can only be applied to sales documents.")
        return None, None
    if rate is not None and amount is not None:
        problems.add("A line item can have a DiscountRate or a DiscountAmount, not both.")
    if rate is not None and not ZERO <= rate <= 100:
        problems.add("DiscountRate must be between 0 and 100.")
    if amount is not None and amount < ZERO:
        problems.add("DiscountAmount must not be negative.")
    return rate, (None if rate is not None else amount)


def _line_tracking(books: Books, problems: Problems, raw: dict[str, Any]) -> list[Record]:
    given = [entry for entry in (raw.get("Tracking") or []) if isinstance(entry, dict)]
    if len(given) > MAX_TRACKING_PER_LINE:
        problems.add(f"A line item can have at most {MAX_TRACKING_PER_LINE} tracking categories.")
        return []
    categories = reference.tracking_categories(books)
    tracking, used = [], set()
    for entry in given:
        category = _tracking_category(categories, entry)
        if category is None:
            problems.add(f"Tracking category '{entry.get('Name') or entry.get('TrackingCategoryID')}' does not exist.")
            continue
        option = _tracking_option(category, entry)
        if option is None:
            problems.add(
                f"Tracking option '{entry.get('Option') or entry.get('TrackingOptionID')}' does not exist "
                f"in tracking category '{category['Name']}'."
            )
            continue
        if category["TrackingCategoryID"] in used:
            problems.add(f"Tracking category '{category['Name']}' can be used only once on a line item.")
        used.add(category["TrackingCategoryID"])
        tracking.append(
            {
                "TrackingCategoryID": category["TrackingCategoryID"],
                "TrackingOptionID": option["TrackingOptionID"],
                "Name": category["Name"],
                "Option": option["Name"],
            }
        )
    return tracking


def _tracking_category(categories: list[Record], entry: dict[str, Any]) -> Record | None:
    wanted_id, wanted_name = guid(entry.get("TrackingCategoryID")), str(entry.get("Name") or "").casefold()
    return next(
        (
            category
            for category in categories
            if category["Status"] == "ACTIVE"
            and (category["TrackingCategoryID"] == wanted_id if wanted_id else category["Name"].casefold() == wanted_name)
        ),
        None,
    )


def _tracking_option(category: Record, entry: dict[str, Any]) -> Record | None:
    wanted_id, wanted_name = guid(entry.get("TrackingOptionID")), str(entry.get("Option") or "").casefold()
    return next(
        (
            option
            for option in category["Options"]
            if option["Status"] == "ACTIVE"
            and (option["TrackingOptionID"] == wanted_id if wanted_id else option["Name"].casefold() == wanted_name)
        ),
        None,
    )


def apply_totals(record: Record) -> None:
    lines = [
        LineTotals(Decimal(amount), Decimal(tax), Decimal(discount)) for amount, tax, discount in record.pop("_line_totals", [])
    ]
    totals = document_totals(lines, record["LineAmountTypes"])
    record.update(SubTotal=as_json(totals.sub_total), TotalTax=as_json(totals.total_tax), Total=as_json(totals.total))
    if "IsDiscounted" in record or totals.total_discount:
        record["IsDiscounted"] = totals.total_discount > ZERO
        record["TotalDiscount"] = as_json(totals.total_discount) if totals.total_discount else None


# --- status and locks ----------------------------------------------------------------------------------------
def _requested_status(
    problems: Problems, kind: DocumentKind, element: dict[str, Any], record: Record, existing: Record | None
) -> str:
    current = existing["Status"] if existing else None
    requested = choice(problems, element, "Status", status.STATUSES) or current or status.DRAFT
    if current is None:
        problem = status.creation_problem(kind.label, requested)
    else:
        problem = status.transition_problem(kind.label, current, requested, money_applied=money_applied(existing) > ZERO)
    if problem:
        problems.add(problem)
        return current or status.DRAFT
    return requested


def _apply_sent_to_contact(
    problems: Problems, kind: DocumentKind, element: dict[str, Any], record: Record, requested: str
) -> None:
    if not kind.is_invoice or "SentToContact" not in element:
        return
    sent = boolean(problems, element, "SentToContact")
    if sent and requested not in status.APPROVED:
        problems.add("SentToContact can only be set on an approved (AUTHORISED) invoice.")
        return
    if sent is not None:
        record["SentToContact"] = sent


def _check_approval(problems: Problems, kind: DocumentKind, record: Record, requested: str) -> None:
    """An approved document needs an account on every line that carries an amount."""
    if requested not in status.APPROVED:
        return
    for line in record.get("LineItems", []):
        if line.get("LineAmount") and not line.get("AccountCode"):
            problems.add(f"Each line item with an amount needs an AccountCode before the {kind.label.lower()} can be approved.")
            return


def _check_locks(problems: Problems, kind: DocumentKind, existing: Record, record: Record) -> None:
    """Once money is applied (or a document is final), only a few fields may change."""
    locked = existing["Status"] in (status.PAID, *status.FINAL) or money_applied(existing) > ZERO
    if locked and _locked_view(existing) != _locked_view(record):
        if existing["Status"] in status.FINAL:
            problems.add(
                f"{kind.label} not of valid status for modification. A {existing['Status']} {kind.label.lower()} cannot be changed."
            )
        else:
            problems.add("This document cannot be edited as it has a payment or credit note allocated to it.")


def _locked_view(record: Record) -> dict[str, Any]:
    view = {key: value for key, value in record.items() if key not in EDITABLE_WHEN_PAID and key != "Status"}
    view["LineItems"] = [
        {field: line.get(field) for field in (*LINE_INPUT_FIELDS, "LineAmount")} for line in record.get("LineItems", [])
    ]
    view.pop("_line_totals", None)
    return view


# --- money applied ----------------------------------------------------------------------------------------------
def outstanding(record: Record) -> Decimal:
    """What is still owed on an invoice, or still available on a credit note."""
    return cents(Decimal(str(record["Total"])) - money_applied(record))


def settle(kind: DocumentKind, record: Record) -> None:
    """Recompute the amounts paid and owed; an approved document that is fully covered becomes PAID."""
    remaining = outstanding(record)
    if kind.is_invoice:
        paid = sum((Decimal(str(payment["Amount"])) for payment in record.get("Payments", [])), ZERO)
        record.update(AmountPaid=as_json(paid), AmountCredited=as_json(credit_applied(record)), AmountDue=as_json(remaining))
    else:
        record["RemainingCredit"] = as_json(remaining)
    if record["Status"] in status.APPROVED:
        if remaining <= ZERO:
            record["Status"] = status.PAID
            _set_date(record, "FullyPaidOnDate", _last_money_date(record))
        else:
            record["Status"] = status.AUTHORISED
            _set_date(record, "FullyPaidOnDate", None)


def save_money_change(work: Work, kind: DocumentKind, record: Record) -> None:
    """Store a document whose money changed (a payment, an allocation, or their removal): settled, stamped, announced."""
    settle(kind, record)
    work.books.touch(record, with_string=True)
    work.books.put(kind.store_kind, record[kind.id_field], record, number=record.get(kind.number_field))
    announce(work, kind, record, "UPDATE")


def _last_money_date(record: Record) -> date:
    entries = [entry for field in ("Payments", *CREDIT_FIELDS) for entry in record.get(field, [])] + live_allocations(record)
    dates = [ms_to_date(entry["Date"]) for entry in entries if entry.get("Date")]
    return max(dates) if dates else ms_to_date(record["Date"])
