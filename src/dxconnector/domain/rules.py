"""The sync's business rules, one named function each.

Every rule that can hold an invoice back says why in words an admin can act on (`Reason`), so the same
functions answer "why isn't my invoice syncing?" as a dry run. Reasons name lines by position and product
number only: they end up in history rows, and the connector keeps no amounts, lines or descriptions.
The clock, the time zone and the hash key are arguments; nothing here reads or writes anything.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dxconnector.domain.records import (
    ZERO,
    BundleRole,
    ConnectionSettings,
    CustomerRef,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    DynamicsProduct,
    ExportStatus,
    InvoiceLink,
    InvoiceState,
    InvoiceType,
    LineAmountTypes,
    TrackingChoice,
    XeroContactSummary,
    XeroStatus,
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
UNIT_PRECISION = Decimal("0.0001")  # Xero keeps unit amounts to 4 places (with unitdp=4)
REFERENCE_LIMIT = 255
INVOICE_NUMBER_LIMIT = 255
ITEM_CODE_LIMIT = 30
MAX_TRACKING = 2


# --- reasons ---------------------------------------------------------------------------------------------


class Why(enum.StrEnum):
    """Codes for the reasons an invoice (or a record) is not sent; the text says what to do."""

    OTHER_CONNECTION = "other_connection"
    NO_CONNECTION = "no_connection"
    NEVER_SENT = "never_sent"
    ALREADY_CANCELLED = "already_cancelled"
    NOT_ACTIVE = "not_active"
    CLOSED_IN_DYNAMICS = "closed_in_dynamics"
    NO_CUSTOMER = "no_customer"
    NO_CUSTOMER_NAME = "no_customer_name"
    NO_LINES = "no_lines"
    NO_DATE_DELIVERED = "no_date_delivered"
    DELIVERED_IN_FUTURE = "delivered_in_future"
    UNKNOWN_TIME_ZONE = "unknown_time_zone"
    BEFORE_SYNC_FROM = "before_sync_from"
    NO_INVOICE_NUMBER = "no_invoice_number"
    INVOICE_NUMBER_TOO_LONG = "invoice_number_too_long"
    NEGATIVE_TOTAL = "negative_total"
    NEGATIVE_CREDIT_NOTE = "negative_credit_note"
    INVOICE_DISCOUNT_AMOUNT = "invoice_discount_amount"
    NO_LINE_DESCRIPTION = "no_line_description"
    NO_ACCOUNT_CODE = "no_account_code"
    TOO_MANY_TRACKING = "too_many_tracking"
    SAME_TRACKING_CATEGORY = "same_tracking_category"
    DISCOUNT_NOT_SUPPORTED = "discount_not_supported"
    BAD_ITEM_CODE = "bad_item_code"
    VOIDED_IN_XERO = "voided_in_xero"
    TYPE_CHANGED = "type_changed"
    LINK_MISSING = "link_missing"
    UNCHANGED = "unchanged"
    NO_CONTACT = "no_contact"
    AMBIGUOUS_CONTACT = "ambiguous_contact"
    ARCHIVED_CONTACT = "archived_contact"
    PAID_FIELDS_ONLY = "paid_fields_only"
    PAID_BILL = "paid_bill"
    ALLOCATED_CREDIT_NOTE = "allocated_credit_note"
    HAS_PAYMENTS = "has_payments"
    DATE_OUT_OF_RANGE = "date_out_of_range"
    BEYOND_XERO_PRECISION = "beyond_xero_precision"
    TOTAL_DIFFERS = "total_differs"
    FREIGHT_AMOUNT = "freight_amount"
    TEXT_XERO_CANNOT_STORE = "text_xero_cannot_store"
    CUSTOMER_NAME_TOO_LONG = "customer_name_too_long"
    AMBIGUOUS_ITEM = "ambiguous_item"
    ITEM_REFUSED = "item_refused"
    DELETED_IN_DYNAMICS = "deleted_in_dynamics"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True)
class Reason:
    code: Why
    text: str


class RuleViolation(ValueError):
    """One or more rules refuse a record; each reason says what to fix."""

    def __init__(self, *reasons: Reason):
        super().__init__(" ".join(reason.text for reason in reasons))
        self.reasons = reasons


# --- text ------------------------------------------------------------------------------------------------


def utf16_length(text: str) -> int:
    """Xero runs on .NET, which counts UTF-16 code units; an emoji counts two."""
    return len(text.encode("utf-16-le")) // 2


def cut_text(text: str, limit: int) -> str:
    """At most `limit` characters by Xero's count, never splitting a character from its accents."""
    text = unicodedata.normalize("NFC", text)
    if utf16_length(text) <= limit:
        return text
    end, used = 0, 0
    for end, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            break
    while end > 0 and unicodedata.combining(text[end]):
        end -= 1  # the accent would be cut off its letter: drop the letter too
    return text[:end].rstrip()


def one_line(text: str | None) -> str:
    """A single-line field as Xero keeps it: canonical Unicode (NFC), runs of white space (line breaks too) as
    one space, none at either end. Names are matched by this form, so what we send is what we look for."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


# What Xero can't keep: it serves every record as XML too, and XML 1.0 has no place for control characters other
# than tab and line breaks, for unpaired surrogates, or for U+FFFE and U+FFFF.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def unstorable(text: str | None) -> bool:
    return bool(text) and UNSTORABLE.search(text) is not None


def text_problem(text: str | None, what: str) -> Reason | None:
    """A field Xero could not keep exactly is held back rather than sent changed."""
    return unstorable_text(what) if unstorable(text) else None


def unstorable_text(what: str) -> Reason:
    return Reason(Why.TEXT_XERO_CANNOT_STORE, f"{what} contains a control character Xero can't store: remove it.")


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


# --- dates -----------------------------------------------------------------------------------------------


def zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RuleViolation(Reason(Why.UNKNOWN_TIME_ZONE, f"The connection's time zone '{time_zone}' is unknown: pick "
                                                          "one such as Pacific/Auckland in the connector settings.")) from error


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def xero_date(moment_utc: datetime, time_zone: str) -> date:
    """The calendar date of a UTC moment in the connection's time zone (a naive moment is UTC).

    Dynamics keeps Date Delivered as the UTC instant of midnight where the user picked it, so 04:00 UTC
    is still the day before in Los Angeles and 23:30 UTC is already the next day in Auckland. At the very ends
    of the calendar (31 December 9999 east of UTC) there is no such day.
    """
    try:
        return _as_utc(moment_utc).astimezone(zone(time_zone)).date()
    except OverflowError as error:
        raise RuleViolation(Reason(Why.DATE_OUT_OF_RANGE, f"Date Delivered ({moment_utc.date().isoformat()}) falls outside the "
                                                          f"calendar in {time_zone}: pick a real date.")) from error


def today(now: datetime, time_zone: str) -> date:
    return xero_date(now, time_zone)


def due_date(invoice: DynamicsInvoice) -> date | None:
    """Dynamics' due date is date-only, so it goes across as it is, with no time zone shift. Left empty,
    Xero works it out from the contact's or the organisation's payment terms and the write-back brings it."""
    return invoice.due_date


# --- invoice header ---------------------------------------------------------------------------------------


def invoice_number(invoice: DynamicsInvoice, settings: ConnectionSettings) -> str | None:
    """None lets Xero number it; otherwise the invoice name or Dynamics' invoice ID, by the settings."""
    if settings.use_xero_invoice_number:
        return None
    if settings.use_invoice_name:
        number, source = invoice.name.strip(), "invoice name"
    else:
        number, source = invoice.invoice_number.strip(), "Dynamics invoice ID"
    if not number:
        raise RuleViolation(Reason(Why.NO_INVOICE_NUMBER, f"The {source} is empty and the connection sends it as the "
                                                          "Xero number: fill it in, or let Xero number invoices."))
    if utf16_length(number) > INVOICE_NUMBER_LIMIT:
        raise RuleViolation(Reason(Why.INVOICE_NUMBER_TOO_LONG, f"The {source} is longer than Xero's "
                                                                f"{INVOICE_NUMBER_LIMIT} characters: shorten it."))
    return number


def reference(description: str | None, settings: ConnectionSettings) -> str | None:
    """The description's first 255 characters on one line, when the connection sends it."""
    if not settings.description_to_reference:
        return None
    one_line = " ".join((description or "").split())
    return cut_text(one_line, REFERENCE_LIMIT) or None


def takes_reference(invoice_type: InvoiceType) -> bool:
    """Xero keeps a Reference on sales invoices and sales credit notes only; a bill's number is its reference."""
    return invoice_type.is_sales


def takes_url(invoice_type: InvoiceType) -> bool:
    """Xero keeps a link to the source document (Url) on invoices and bills only; a credit note has none."""
    return not invoice_type.is_credit_note


STATUS_ORDER = (XeroStatus.DRAFT, XeroStatus.SUBMITTED, XeroStatus.AUTHORISED)


def status_for(invoice_type: InvoiceType, settings: ConnectionSettings) -> XeroStatus:
    """The connection's default status for sales (invoices and credit notes) or purchases."""
    wanted = settings.default_sales_invoice_status if invoice_type.is_sales else settings.default_purchase_invoice_status
    return wanted if wanted in STATUS_ORDER else XeroStatus.DRAFT


def status_for_update(wanted: XeroStatus, current: XeroStatus | None) -> XeroStatus | None:
    """Xero moves an invoice forward only (draft → submitted → authorised): never ask it to go back, and
    leave paid, voided and deleted invoices' status alone (None)."""
    if current is None:
        return wanted
    if current not in STATUS_ORDER:
        return None
    return max(wanted, current, key=STATUS_ORDER.index)


def email_wanted(invoice: DynamicsInvoice, settings: ConnectionSettings) -> bool:
    return settings.send_email_from_xero if invoice.send_email is None else invoice.send_email


def should_email(invoice_type: InvoiceType, status: XeroStatus | None, wanted: bool, already_emailed: bool) -> bool:
    """Xero emails approved sales invoices only; we email once, when the invoice is first approved."""
    return wanted and not already_emailed and invoice_type is InvoiceType.ACCREC and status is XeroStatus.AUTHORISED


def may_create_contact(settings: ConnectionSettings) -> bool:
    return settings.create_new_contacts


def may_create_item(settings: ConnectionSettings) -> bool:
    return settings.create_new_products


# --- lines -----------------------------------------------------------------------------------------------


class LineKind(enum.StrEnum):
    PRODUCT = "product"  # an existing product: ItemCode
    WRITE_IN = "write_in"  # a write-in product: description and amounts
    DESCRIPTION_ONLY = "description_only"  # zero quantity and zero price
    BUNDLE_COMPONENT = "bundle_component"  # shown under its bundle as text


def line_kind(line: DynamicsInvoiceLine) -> LineKind:
    if line.bundle_role is BundleRole.COMPONENT:
        return LineKind.BUNDLE_COMPONENT
    if line.quantity == 0 and line.price_per_unit == 0:
        return LineKind.DESCRIPTION_ONLY
    if line.product is not None and not line.is_write_in:
        return LineKind.PRODUCT
    return LineKind.WRITE_IN


def carries_amounts(line: DynamicsInvoiceLine) -> bool:
    return line_kind(line) in (LineKind.PRODUCT, LineKind.WRITE_IN)


def lines_in_order(invoice: DynamicsInvoice) -> tuple[DynamicsInvoiceLine, ...]:
    """Lines by sequence number, each bundle's components right under its header; with "Bundled product
    header only" the components are left out."""
    ordered = sorted(invoice.lines, key=lambda line: (line.sequence_number is None, line.sequence_number or 0))
    headers = {line.id for line in ordered if line.bundle_role is BundleRole.HEADER}
    components: dict[str, list[DynamicsInvoiceLine]] = {}
    top: list[DynamicsInvoiceLine] = []
    for line in ordered:
        if line.bundle_role is BundleRole.COMPONENT and line.parent_bundle_line_id in headers:
            components.setdefault(line.parent_bundle_line_id or "", []).append(line)
        else:
            top.append(line)
    result: list[DynamicsInvoiceLine] = []
    for line in top:
        if line.bundle_role is BundleRole.COMPONENT and invoice.bundle_header_only:
            continue
        result.append(line)
        if not invoice.bundle_header_only:
            result.extend(components.get(line.id, ()))
    return tuple(result)


def line_label(position: int, line: DynamicsInvoiceLine) -> str:
    """How reasons name a line: its position, and the product number for a catalogue product."""
    if line.product is not None and not line.is_write_in and line.product.number:
        return f"Line {position} (product {line.product.number})"
    return f"Line {position}"


def line_description(line: DynamicsInvoiceLine, label: str = "A line") -> str:
    """The line's own description, else the product's name or the write-in text; a bundle component reads
    '2 × Component' under its bundle."""
    product_number = line.product.number if line.product is not None else ""
    text = (line.description.strip() or line.name.strip() or product_number).strip()
    if not text:
        raise RuleViolation(Reason(Why.NO_LINE_DESCRIPTION, f"{label} has no description or product: Xero needs "
                                                            "some text on every line."))
    if line_kind(line) is LineKind.BUNDLE_COMPONENT and line.quantity not in (ZERO, Decimal(1)):
        return f"{_plain(line.quantity)} × {text}"
    return text


def default_account_code(invoice_type: InvoiceType, settings: ConnectionSettings) -> str | None:
    return settings.default_sales_account_code if invoice_type.is_sales else settings.default_purchase_account_code


def account_code(line: DynamicsInvoiceLine, invoice_type: InvoiceType, settings: ConnectionSettings,
                 label: str = "A line") -> str:
    """The line's account code, else its product's, else the connection's default for sales or purchases."""
    product_code = line.product.account_code if line.product is not None else None
    code = line.account_code or product_code or default_account_code(invoice_type, settings)
    if code:
        return code
    side = "Sales" if invoice_type.is_sales else "Purchase"
    where = "on the line, on the product," if line.product is not None and not line.is_write_in else "on the line"
    raise RuleViolation(Reason(Why.NO_ACCOUNT_CODE, f"{label} has no account code: pick one {where} or set the "
                                                    f"connection's Default {side} Account Code."))


def tax_type(line: DynamicsInvoiceLine, invoice: DynamicsInvoice, settings: ConnectionSettings) -> str | None:
    """The line's tax rate, else its product's, else the connection's default; None lets Xero use the
    account's own tax type. "No Tax" invoices send none."""
    if invoice.line_amount_types is LineAmountTypes.NO_TAX:
        return None
    product_tax = line.product.tax_type if line.product is not None else None
    return line.tax_type or product_tax or settings.default_tax_type or None


def tracking(line: DynamicsInvoiceLine, label: str = "A line") -> tuple[TrackingChoice, ...]:
    """At most two tracking options, from two different categories (Xero's limits)."""
    picked = tuple(choice for choice in line.tracking if choice.category and choice.option)
    if len(picked) > MAX_TRACKING:
        raise RuleViolation(Reason(Why.TOO_MANY_TRACKING, f"{label} has {len(picked)} tracking options; Xero takes at "
                                                          f"most {MAX_TRACKING}: remove one."))
    if len({choice.category.casefold() for choice in picked}) < len(picked):
        raise RuleViolation(Reason(Why.SAME_TRACKING_CATEGORY, f"{label} has two options of the tracking category "
                                                               f"'{picked[0].category}'; Xero takes one per category."))
    return picked


@dataclass(frozen=True)
class LineAmounts:
    quantity: Decimal
    unit_amount: Decimal
    discount_amount: Decimal | None = None
    discount_rate: Decimal | None = None


def _tidy(amount: Decimal) -> Decimal:
    """4 places at most, 2 at least: 9.0000 → 9.00, 9.1250 → 9.125."""
    two = amount.quantize(CENT)
    return two if two == amount else amount.normalize()


def line_amounts(line: DynamicsInvoiceLine, invoice: DynamicsInvoice, send_as: InvoiceType, negate: bool = False,
                 label: str = "A line") -> LineAmounts:
    """Quantity, unit amount and discount as Xero takes them.

    Xero takes discounts on sales invoices only. There the line's discount amount goes as DiscountAmount,
    an invoice-level discount % as DiscountRate, and both together as one DiscountAmount. On bills and
    credit notes the discount is folded into the unit amount when that comes out exact to 4 places;
    otherwise the line is refused rather than sent with a different total.
    """
    quantity, price, manual = line.quantity, line.price_per_unit, line.manual_discount_amount
    percent = invoice.discount_percentage
    if not manual and not percent:
        return LineAmounts(quantity, -price if negate else price)
    if send_as is InvoiceType.ACCREC:
        if manual and percent:
            combined = manual + (quantity * price - manual) * percent / HUNDRED
            return LineAmounts(quantity, price, discount_amount=combined.quantize(CENT, ROUND_HALF_UP))
        if manual:
            return LineAmounts(quantity, price, discount_amount=manual)
        return LineAmounts(quantity, price, discount_rate=percent)
    net = (quantity * price - manual) * (HUNDRED - percent) / HUNDRED
    unit = (net / quantity).quantize(UNIT_PRECISION) if quantity else None
    if unit is None or unit * quantity != net:
        raise RuleViolation(Reason(Why.DISCOUNT_NOT_SUPPORTED, f"{label} has a discount, and Xero takes discounts on "
                                                               f"sales invoices only; on a {send_as.label} it can't be "
                                                               "spread exactly over the quantity: put it in the price."))
    unit = _tidy(unit)
    return LineAmounts(quantity, -unit if negate else unit)


def item_code(line: DynamicsInvoiceLine, settings: ConnectionSettings, xero_item_codes: Set[str]) -> str | None:
    """The product number, when the item is in Xero or will be created there; otherwise the line goes
    without an item (Xero refuses unknown item codes)."""
    if line_kind(line) is not LineKind.PRODUCT or line.product is None:
        return None
    return product_item_code(line.product, settings, xero_item_codes)


def product_item_code(product: DynamicsProduct, settings: ConnectionSettings, xero_item_codes: Set[str]) -> str | None:
    code = product.number.strip()
    if item_code_problem(product) is not None:
        return None
    return code if code in xero_item_codes or may_create_item(settings) else None


def item_key(code: str) -> str:
    """Xero keeps one item per code, whatever the letter case and surrounding spaces: " PAD-1" and "pad-1" are
    the item "PAD-1". Products whose numbers share a key can't be told apart there."""
    return code.strip().casefold()


def item_code_problem(product: DynamicsProduct) -> Reason | None:
    """Why the product number can't be a Xero item code, if it can't."""
    code = product.number.strip()
    if not code:
        return Reason(Why.BAD_ITEM_CODE, "The product has no product ID, which becomes the Xero item code: fill it in.")
    if utf16_length(code) > ITEM_CODE_LIMIT:
        return Reason(Why.BAD_ITEM_CODE, f"The product ID '{code}' is longer than Xero's {ITEM_CODE_LIMIT}-character item "
                                         "code: shorten it.")
    return text_problem(code, f"The product ID of product {product.id}")


def item_problems(invoice: DynamicsInvoice, settings: ConnectionSettings) -> tuple[Reason, ...]:
    """With Create New Products on, every catalogue product of the invoice must be able to become a Xero item: a
    line sent without its item would not be what the user asked for."""
    if not may_create_item(settings):
        return ()
    found = {line.product.id: item_code_problem(line.product) for line in lines_in_order(invoice)
             if line.product is not None and line_kind(line) is LineKind.PRODUCT}
    return tuple(dict.fromkeys(problem for problem in found.values() if problem is not None))


# --- what Xero can hold exactly ----------------------------------------------------------------------------

QUANTITY_PLACES = 4  # Xero keeps quantities to four decimal places
UNIT_PLACES = 4  # and unit amounts to four (asked with unitdp=4)
MONEY_PLACES = 2  # a discount amount, like every total, to the cent
EXACT_DIGITS = 15  # numbers cross to Xero as JSON numbers made from doubles: 15 significant digits survive the trip


def places(value: Decimal) -> int:
    """How many decimal places the value really has (1.50 has one)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    exponent = value.normalize().as_tuple().exponent  # trailing zeros are no precision
    return max(0, -exponent) if isinstance(exponent, int) else 0


def more_places_than(value: Decimal, most: int) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent < -most and places(value) > most


def significant_digits(value: Decimal) -> int:
    digits = value.as_tuple().digits
    return len(digits) if len(digits) <= EXACT_DIGITS else len(value.normalize().as_tuple().digits)


def precision_problems(line: DynamicsInvoiceLine, label: str = "A line") -> tuple[Reason, ...]:
    """A line whose numbers Xero would round is held back, not sent with a different total: Dynamics keeps
    quantities to five places and prices to four, Xero quantities and prices to four and discounts to the cent."""
    figures = (("quantity", line.quantity, QUANTITY_PLACES), ("price", line.price_per_unit, UNIT_PLACES),
               ("discount", line.manual_discount_amount, MONEY_PLACES))
    beyond = [name for name, value, most in figures if more_places_than(value, most)]
    problems: list[Reason] = []
    if beyond:
        problems.append(Reason(Why.BEYOND_XERO_PRECISION, f"{label} has a {' and a '.join(beyond)} with more decimal places than "
                                                          "Xero keeps (four for quantities and prices, two for discounts): "
                                                          "round it in Dynamics so both totals agree."))
    if any(significant_digits(value) > EXACT_DIGITS for _, value, _ in figures):
        problems.append(Reason(Why.BEYOND_XERO_PRECISION, f"{label} has a number with more than {EXACT_DIGITS} digits, more "
                                                          "than reaches Xero exactly: split the line."))
    return tuple(problems)


def xero_line_amount(amounts: LineAmounts) -> Decimal:
    """The line's amount as Xero works it out: quantity × unit amount less the discount, to the cent."""
    gross = amounts.quantity * amounts.unit_amount
    if amounts.discount_rate:
        return cents(gross * (1 - amounts.discount_rate / HUNDRED))
    if amounts.discount_amount:
        return cents(cents(gross) - amounts.discount_amount)
    return cents(gross)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def totals_problem(invoice: DynamicsInvoice, target: SendAs) -> Reason | None:
    """Xero works each line out to the cent and adds them up; Dynamics rounds its invoice discount once, on the
    whole. Sent only when Xero's lines come to Dynamics' own total (before tax and freight), to the cent."""
    if invoice.total_before_tax is None:
        return None
    lines = [line_amounts(line, invoice, target.type, target.negate) for line in lines_in_order(invoice) if carries_amounts(line)]
    theirs = sum((xero_line_amount(amounts) for amounts in lines), ZERO)
    ours = -invoice.total_before_tax if target.negate else invoice.total_before_tax
    if cents(theirs) == cents(ours):
        return None
    return Reason(Why.TOTAL_DIFFERS, "Xero works out each line to the cent, discount included, and here the lines come to a "
                                     "different total than Dynamics shows (a discount percentage spread over several lines "
                                     "rounds differently): adjust a line so both agree, or give the discount as line amounts.")


# --- totals and credit notes -----------------------------------------------------------------------------


def net_total(invoice: DynamicsInvoice) -> Decimal:
    """The invoice's total before tax, as far as its sign goes."""
    lines = sum((line.quantity * line.price_per_unit - line.manual_discount_amount
                 for line in lines_in_order(invoice) if carries_amounts(line)), ZERO)
    return lines * (HUNDRED - invoice.discount_percentage) / HUNDRED - invoice.discount_amount


@dataclass(frozen=True)
class SendAs:
    type: InvoiceType
    negate: bool = False  # a negative invoice sent as a credit note: amounts change sign


def send_as(invoice: DynamicsInvoice, settings: ConnectionSettings) -> SendAs:
    """Xero refuses negative totals. With "Create credit notes automatically" a negative invoice or bill goes
    as the matching credit note with its amounts turned positive; without it, it is held back."""
    chosen = invoice.invoice_type
    if net_total(invoice) >= 0:
        return SendAs(chosen)
    if chosen.is_credit_note:
        raise RuleViolation(Reason(Why.NEGATIVE_CREDIT_NOTE, f"The {chosen.label} totals less than zero: enter its "
                                                             "amounts as positive numbers."))
    if settings.credit_notes_automatically:
        return SendAs(chosen.credit_note, negate=True)
    raise RuleViolation(Reason(Why.NEGATIVE_TOTAL, f"The {chosen.label} totals less than zero, which Xero refuses: "
                                                   f"set the Xero Invoice Type to {chosen.credit_note.label.capitalize()}, "
                                                   "or turn on Create Credit Notes Automatically."))


# --- everything an invoice needs before it can be mapped -----------------------------------------------


def _check(rule: Callable[..., object], *args: Any, **kwargs: Any) -> tuple[Reason, ...]:
    try:
        rule(*args, **kwargs)
    except RuleViolation as violation:
        return violation.reasons
    return ()


def _target(invoice: DynamicsInvoice, settings: ConnectionSettings) -> tuple[SendAs, tuple[Reason, ...]]:
    """What the invoice goes as, and why it can't go at all; its lines are checked as its own type then."""
    try:
        return send_as(invoice, settings), ()
    except RuleViolation as violation:
        return SendAs(invoice.invoice_type), violation.reasons


def line_problems(invoice: DynamicsInvoice, settings: ConnectionSettings, target: SendAs | None = None) -> tuple[Reason, ...]:
    target = target or _target(invoice, settings)[0]
    problems: list[Reason] = []
    for position, line in enumerate(lines_in_order(invoice), start=1):
        label = line_label(position, line)
        problems += _check(line_description, line, label)
        if carries_amounts(line):
            problems += _check(account_code, line, target.type, settings, label)
            problems += _check(tracking, line, label)
            problems += _check(line_amounts, line, invoice, target.type, target.negate, label)
            problems += precision_problems(line, label)
    return tuple(problems)


def text_problems(invoice: DynamicsInvoice, settings: ConnectionSettings) -> tuple[Reason, ...]:
    """Every text the invoice goes to Xero with must be one Xero keeps as it is."""
    number = "" if settings.use_xero_invoice_number else invoice.name if settings.use_invoice_name else invoice.invoice_number
    problems = [text_problem(number, "The invoice's number"),
                text_problem(invoice.description if settings.description_to_reference else "", "The invoice's description")]
    for position, line in enumerate(lines_in_order(invoice), 1):
        if unstorable(line.description or line.name):
            problems.append(unstorable_text(line_label(position, line)))
        if any(unstorable(choice.category + choice.option) for choice in line.tracking):
            problems.append(unstorable_text(f"A tracking option of {line_label(position, line)}"))
    return tuple(dict.fromkeys(problem for problem in problems if problem is not None))


def invoice_problems(invoice: DynamicsInvoice, settings: ConnectionSettings) -> tuple[Reason, ...]:
    """Every rule the invoice's own content breaks (not when or where it goes)."""
    problems: list[Reason] = []
    if invoice.customer is None:
        problems.append(Reason(Why.NO_CUSTOMER, "The invoice has no customer: pick an account or a contact."))
    if not invoice.lines:
        problems.append(Reason(Why.NO_LINES, "The invoice has no products: add at least one line."))
    if invoice.date_delivered is None:
        problems.append(Reason(Why.NO_DATE_DELIVERED, "Date Delivered is empty; it becomes the Xero invoice date: "
                                                      "fill it in."))
    if invoice.discount_amount:
        problems.append(Reason(Why.INVOICE_DISCOUNT_AMOUNT, "The invoice has an invoice-level discount amount, and Xero "
                                                            "has discounts on lines only: move it onto the lines or "
                                                            "use a discount percentage."))
    if invoice.freight_amount:
        problems.append(Reason(Why.FREIGHT_AMOUNT, "The invoice has a freight amount, which Xero has no place for: add the "
                                                   "freight as a line instead."))
    problems += _check(invoice_number, invoice, settings)
    target, refused = _target(invoice, settings)
    problems += refused
    problems += line_problems(invoice, settings, target)
    problems += item_problems(invoice, settings)
    problems += text_problems(invoice, settings)
    if not problems:
        problems += tuple(filter(None, [totals_problem(invoice, target)]))
    return tuple(problems)


# --- pick-up -----------------------------------------------------------------------------------------------


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    CANCEL = "cancel"
    SKIP = "skip"  # nothing to do, and nothing wrong
    HOLD = "hold"  # held back: the reasons say what to fix


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[Reason, ...] = ()

    @property
    def held_back(self) -> bool:
        return self.action is Action.HOLD

    @property
    def explanation(self) -> str:
        return " ".join(reason.text for reason in self.reasons)


def _hold(*reasons: Reason) -> Decision:
    return Decision(Action.HOLD, reasons)


def _skip(code: Why, text: str) -> Decision:
    return Decision(Action.SKIP, (Reason(code, text),))


def belongs_here(invoice: DynamicsInvoice, settings: ConnectionSettings) -> bool:
    if invoice.connector_id:
        return invoice.connector_id == settings.connector_id
    return settings.is_default_connection


def delivery_problems(invoice: DynamicsInvoice, settings: ConnectionSettings, now: datetime) -> tuple[Reason, ...]:
    """Date Delivered must be today or earlier in the connection's time zone."""
    if invoice.date_delivered is None:
        return ()
    try:
        delivered, current = xero_date(invoice.date_delivered, settings.time_zone), today(now, settings.time_zone)
    except RuleViolation as violation:
        return violation.reasons
    if delivered > current:
        return (Reason(Why.DELIVERED_IN_FUTURE, f"Date Delivered is {delivered.isoformat()}, after today "
                                                f"({current.isoformat()} in {settings.time_zone}): the invoice goes "
                                                "to Xero on that day."),)
    return ()


def before_sync_from(invoice: DynamicsInvoice, settings: ConnectionSettings) -> bool:
    """A new invoice delivered before the connection's sync-from date stays out of Xero (edits of sent ones go)."""
    if settings.sync_from is None or invoice.date_delivered is None:
        return False
    return xero_date(invoice.date_delivered, settings.time_zone) < settings.sync_from


def pick_up(invoice: DynamicsInvoice, settings: ConnectionSettings, now: datetime, link: InvoiceLink | None,
            *, sent_fields_hash: str | None = None) -> Decision:
    """Whether this connection sends the invoice now, and if not, why.

    The caller has already checked the connection may sync at all (trial or subscription, not paused).
    `link` is the ledger's entry when the invoice is already in Xero; `sent_fields_hash`, when given, is the
    keyed hash of what would be sent now, so an invoice whose sent fields did not change is skipped.
    """
    if invoice.connector_id and invoice.connector_id != settings.connector_id:
        return _skip(Why.OTHER_CONNECTION, "The invoice is for another Xero connection.")
    if not belongs_here(invoice, settings):
        return _hold(Reason(Why.NO_CONNECTION, "No Xero Connection is picked on the invoice and this connection is not "
                                               "the default: pick one on the invoice, or make this the default."))
    if invoice.state is InvoiceState.CANCELED:
        return _cancelled(invoice, link)
    if invoice.state is not InvoiceState.ACTIVE:
        state = invoice.state.name.capitalize()
        if link is not None:
            return _skip(Why.CLOSED_IN_DYNAMICS, f"The invoice is {state} in Dynamics; Xero has it already.")
        return _hold(Reason(Why.NOT_ACTIVE, f"Only active invoices go to Xero, and this one is {state} in Dynamics."))
    problems = invoice_problems(invoice, settings) + delivery_problems(invoice, settings, now)
    if problems:
        return _hold(*problems)
    if link is None:
        if before_sync_from(invoice, settings):
            return _skip(Why.BEFORE_SYNC_FROM, f"Date Delivered is before {settings.sync_from}, the date this connection "
                                               "syncs invoices from (its Defaults).")
        if invoice.export_status is ExportStatus.EXPORTED:
            return _hold(Reason(Why.LINK_MISSING, "Dynamics says the invoice is in Xero, but the connector has no link to "
                                                  "it: set its Export Status to Not Exported to send it as new."))
        return Decision(Action.CREATE)
    return _update_or_skip(invoice, settings, link, sent_fields_hash)


def _cancelled(invoice: DynamicsInvoice, link: InvoiceLink | None) -> Decision:
    if link is None:
        return _skip(Why.NEVER_SENT, "The invoice was cancelled before it reached Xero; there is nothing to undo.")
    if invoice.xero_status in (XeroStatus.VOIDED, XeroStatus.DELETED):
        return _skip(Why.ALREADY_CANCELLED, f"The invoice is cancelled, and {invoice.xero_status.lower()} in Xero.")
    return Decision(Action.CANCEL)


def _update_or_skip(invoice: DynamicsInvoice, settings: ConnectionSettings, link: InvoiceLink,
                    sent_fields_hash: str | None) -> Decision:
    if invoice.xero_status in (XeroStatus.VOIDED, XeroStatus.DELETED):
        return _hold(Reason(Why.VOIDED_IN_XERO, f"The invoice is {invoice.xero_status.lower()} in Xero, so changes no "
                                                "longer go across: make a new invoice in Dynamics."))
    target = send_as(invoice, settings).type
    if link.sent_type is not None and link.sent_type is not target:
        return _hold(Reason(Why.TYPE_CHANGED, f"The invoice went to Xero as a {link.sent_type.label} and would now be a "
                                              f"{target.label}; Xero can't change that: cancel it and make a new one."))
    if invoice.export_status is ExportStatus.READY_TO_UPDATE:
        return Decision(Action.UPDATE)
    if link.sent_version is not None and link.sent_version == invoice.version:
        return _skip(Why.UNCHANGED, "Nothing changed since the invoice was last sent.")
    if sent_fields_hash is not None and sent_fields_hash == link.sent_hash:
        return _skip(Why.UNCHANGED, "Nothing Xero gets from the invoice changed since it was last sent.")
    return Decision(Action.UPDATE)


# --- customers -------------------------------------------------------------------------------------------


class MatchedBy(enum.StrEnum):
    LINK = "link"
    NUMBER = "number"
    NAME = "name"
    CREATE = "create"  # no match: create the contact in Xero
    NONE = "none"  # no match, and we may not create: the reason says why


@dataclass(frozen=True)
class ContactMatch:
    matched_by: MatchedBy
    contact_id: str | None = None
    reason: Reason | None = None


def _by_number(number: str, candidates: Iterable[XeroContactSummary]) -> list[XeroContactSummary]:
    return [c for c in candidates if number in (c.account_number.strip(), c.contact_number.strip())]


def _by_name(name: str, candidates: Iterable[XeroContactSummary]) -> list[XeroContactSummary]:
    return [c for c in candidates if one_line(c.name) == name]


def match_contact(customer: CustomerRef, linked_contact_id: str | None, candidates: Sequence[XeroContactSummary],
                  settings: ConnectionSettings, owners: Mapping[str, str] | None = None) -> ContactMatch:
    """Stored link, then account/contact number (Xero's AccountNumber or ContactNumber), then exact name (as Xero
    keeps it: `one_line`); archived Xero contacts are never picked, nor one linked to another Dynamics customer
    (`owners`: Xero contact id → the Dynamics customer linked to it) — that is held back, naming both. No match:
    create, if the connection allows it."""
    if linked_contact_id:
        return ContactMatch(MatchedBy.LINK, linked_contact_id)
    owners = owners or {}
    active = [c for c in candidates if c.status == "ACTIVE"]
    number, name = customer.number.strip(), one_line(customer.name)
    for matched_by, key, finder in ((MatchedBy.NUMBER, number, _by_number), (MatchedBy.NAME, name, _by_name)):
        if not key:
            continue
        found = finder(key, active)
        what = "account number" if matched_by is MatchedBy.NUMBER else "name"
        taken = [owners[c.contact_id] for c in found if owners.get(c.contact_id, customer.id) != customer.id]
        if taken:
            return ContactMatch(MatchedBy.NONE, reason=Reason(Why.AMBIGUOUS_CONTACT, (
                f"The Xero contact with customer {customer.id}'s {what} is already the contact of another Dynamics customer "
                f"({taken[0]}), and two customers never share one: give this one its own {what} in Dynamics, or merge "
                "the two.")))
        if len(found) == 1:
            return ContactMatch(matched_by, found[0].contact_id)
        if len(found) > 1:
            return ContactMatch(MatchedBy.NONE, reason=Reason(Why.AMBIGUOUS_CONTACT, f"{len(found)} Xero contacts have the "
                                                              f"customer's {what}: merge or rename them in Xero."))
        if finder(key, candidates):
            return ContactMatch(MatchedBy.NONE, reason=Reason(Why.ARCHIVED_CONTACT, "The customer's Xero contact is "
                                                              "archived: restore it in Xero."))
    if may_create_contact(settings):
        return ContactMatch(MatchedBy.CREATE)
    return ContactMatch(MatchedBy.NONE, reason=Reason(Why.NO_CONTACT, "The customer is not in Xero and Create New Contacts "
                                                      "is off: add the contact in Xero with the same account number or "
                                                      "exact name, or turn the setting on."))


def contested(wanted: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Records of one batch that would become the same Xero record (`wanted`: record id → that Xero record's key),
    each with the others: none of them is matched or created, for nothing says which one it is."""
    by_key: dict[str, list[str]] = {}
    for record_id, key in wanted.items():
        by_key.setdefault(key, []).append(record_id)
    return {record_id: tuple(other for other in group if other != record_id)
            for group in by_key.values() if len(group) > 1 for record_id in group}


def contact_contested(customer_id: str, others: Sequence[str]) -> Reason:
    return Reason(Why.AMBIGUOUS_CONTACT, f"Dynamics customers {customer_id} and {', '.join(others)} would be one Xero contact "
                                         "(the same name, or account number), and Xero keeps one contact per name: rename "
                                         "or renumber one of them in Dynamics, or merge them.")


def item_taken(product_id: str, owner: str) -> Reason:
    return Reason(Why.AMBIGUOUS_ITEM, f"The Xero item with product {product_id}'s code is already the item of another Dynamics "
                                      f"product ({owner}), and two products never share one (Xero ignores letter case and "
                                      "spaces around a code): give this one its own product ID.")


def item_contested(product_id: str, others: Sequence[str]) -> Reason:
    return Reason(Why.AMBIGUOUS_ITEM, f"Dynamics products {product_id} and {', '.join(others)} would be one Xero item (their "
                                      "product IDs differ only in letter case or spaces, which Xero ignores): give each its "
                                      "own product ID.")


class Direction(enum.StrEnum):
    NONE = "none"
    TO_XERO = "to_xero"
    TO_DYNAMICS = "to_dynamics"


def contact_edit_direction(*, dynamics_changed: bool, xero_changed: bool, dynamics_modified_on: datetime | None,
                           xero_updated_on: datetime | None, two_way: bool) -> Direction:
    """Which way a linked customer's edits go.

    Edits made in Dynamics always go to Xero; edits made in Xero come back only with two-way contact sync.
    When both sides changed since the last sync the later edit wins, whole record; on a tie, or when a time
    is unknown, Dynamics wins, because the customer record is born there.
    """
    if xero_changed and not two_way:
        xero_changed = False
    if dynamics_changed and xero_changed:
        if dynamics_modified_on and xero_updated_on and _as_utc(xero_updated_on) > _as_utc(dynamics_modified_on):
            return Direction.TO_DYNAMICS
        return Direction.TO_XERO
    if dynamics_changed:
        return Direction.TO_XERO
    if xero_changed:
        return Direction.TO_DYNAMICS
    return Direction.NONE


# --- edits of invoices already in Xero -------------------------------------------------------------------


class EditRule(enum.StrEnum):
    FULL = "full"  # unpaid: every field
    PAID_FIELDS_ONLY = "paid_fields_only"  # with payments: only what Xero accepts on a paid invoice
    NONE = "none"


@dataclass(frozen=True)
class EditPermission:
    rule: EditRule
    reason: Reason | None = None


def has_payments(xero_status: XeroStatus | None, amount_paid: Decimal = ZERO, amount_credited: Decimal = ZERO) -> bool:
    return xero_status is XeroStatus.PAID or amount_paid > 0 or amount_credited > 0


def edit_permission(invoice_type: InvoiceType, xero_status: XeroStatus | None, amount_paid: Decimal = ZERO,
                    amount_credited: Decimal = ZERO) -> EditPermission:
    if xero_status in (XeroStatus.VOIDED, XeroStatus.DELETED):
        return EditPermission(EditRule.NONE, Reason(Why.VOIDED_IN_XERO, f"The invoice is {xero_status.lower()} in Xero; "
                                                                        "it can't change any more."))
    if not has_payments(xero_status, amount_paid, amount_credited):
        return EditPermission(EditRule.FULL)
    if invoice_type is InvoiceType.ACCREC:
        return EditPermission(EditRule.PAID_FIELDS_ONLY)
    if invoice_type is InvoiceType.ACCPAY:
        return EditPermission(EditRule.NONE, Reason(Why.PAID_BILL, "The bill has payments in Xero, and Xero doesn't let "
                                                                   "a paid bill change: remove the payments in Xero first."))
    return EditPermission(EditRule.NONE, Reason(Why.ALLOCATED_CREDIT_NOTE, "The credit note is allocated or refunded in "
                                                                           "Xero, so it can't change: remove the "
                                                                           "allocation in Xero first."))


PAID_HEADER_FIELDS = frozenset({"Reference", "DueDate", "InvoiceNumber", "BrandingThemeID", "Contact", "Url"})
PAID_LINE_FIELDS = frozenset({"Description", "AccountCode", "Tracking"})
AMOUNT_LINE_FIELDS = ("Quantity", "UnitAmount", "DiscountRate", "DiscountAmount", "ItemCode")
DATE_FIELDS = frozenset({"Date", "DueDate"})
IDENTITY_FIELDS = frozenset({"InvoiceID", "CreditNoteID", "Status", "LineItems"})


MS_DATE = re.compile(r"^/Date\((?P<millis>-?\d+)(?:[+-]\d{4})?\)/$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BadXeroDate(ValueError):
    """A date from Xero that names no moment of the calendar."""


def parse_xero_moment(value: Any) -> datetime | None:
    """A Xero timestamp as an aware UTC datetime: `/Date(1541176290160+0000)/` counts milliseconds from 1970 in
    UTC, negative before it (`/Date(-2208988800000+0000)/` is 1 January 1900); the offset after them only says
    where it was shown. ISO 8601 is read too."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    try:
        found = MS_DATE.match(text)
        if found:
            return EPOCH + timedelta(milliseconds=int(found["millis"]))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError) as error:
        raise BadXeroDate(f"Xero's date {text[:40]!r} is not one this connector can read") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_xero_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if text.startswith("/Date("):
        moment = parse_xero_moment(text)
        return moment.date() if moment else None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as error:
        raise BadXeroDate(f"Xero's date {text[:40]!r} is not one this connector can read") from error


def _tracking_pairs(tracking_elements: Any) -> set[tuple[Any, Any]]:
    return {(element.get("Name"), element.get("Option")) for element in tracking_elements or ()}


def _same(field: str, ours: Any, theirs: Any) -> bool:
    if field in DATE_FIELDS:
        return parse_xero_date(ours) == parse_xero_date(theirs)
    if field == "Contact":
        return (ours or {}).get("ContactID") == (theirs or {}).get("ContactID")
    if field == "Tracking":
        return _tracking_pairs(ours) == _tracking_pairs(theirs)
    if isinstance(ours, int | float | Decimal) or isinstance(theirs, int | float | Decimal):
        return Decimal(str(ours or 0)) == Decimal(str(theirs or 0))
    return (ours or "") == (theirs or "")


def _changed_header(proposed: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    return [key for key, value in proposed.items()
            if key not in IDENTITY_FIELDS and not _same(key, value, current.get(key))]


def _changed_line(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[str]:
    keys = list(ours) + [key for key in AMOUNT_LINE_FIELDS if key not in ours]
    return [key for key in keys if not _same(key, ours.get(key), theirs.get(key))]


@dataclass(frozen=True)
class PaidUpdate:
    allowed: bool
    body: dict[str, Any] | None = None  # None when allowed: nothing to send
    refused_fields: tuple[str, ...] = ()
    reason: Reason | None = None


def paid_invoice_update(proposed: Mapping[str, Any], current: Mapping[str, Any]) -> PaidUpdate:
    """What of `proposed` (our body) may go onto a paid sales invoice `current` (as read from Xero).

    Xero takes only Reference, DueDate, InvoiceNumber, BrandingThemeID, Contact and Url, and on lines only
    Description, AccountCode and Tracking. Any other change refuses the whole update with the fields named;
    an allowed one goes as Xero's own lines with just those fields replaced.
    """
    refused = [key for key in _changed_header(proposed, current) if key not in PAID_HEADER_FIELDS]
    ours_lines, theirs_lines = list(proposed.get("LineItems") or []), list(current.get("LineItems") or [])
    if len(ours_lines) != len(theirs_lines):
        refused.append("LineItems")
        line_changes: list[list[str]] = []
    else:
        line_changes = [_changed_line(ours, theirs) for ours, theirs in zip(ours_lines, theirs_lines, strict=True)]
        refused += [f"LineItems[{n}].{key}" for n, keys in enumerate(line_changes, start=1)
                    for key in keys if key not in PAID_LINE_FIELDS]
    if refused:
        return PaidUpdate(False, refused_fields=tuple(refused), reason=Reason(
            Why.PAID_FIELDS_ONLY, "The invoice has payments in Xero, which then takes changes to the reference, due date, "
                                  "number, branding theme, contact and link, and to line descriptions, account codes and "
                                  f"tracking only; these changed too: {', '.join(refused)}. Undo them, or remove the "
                                  "payments in Xero first."))
    id_element = "CreditNoteID" if "CreditNoteID" in current else "InvoiceID"
    body: dict[str, Any] = {key: proposed[key] for key in _changed_header(proposed, current)}
    if any(line_changes):
        body["LineItems"] = [{**theirs, **{key: ours[key] for key in keys if key in ours}}
                             for ours, theirs, keys in zip(ours_lines, theirs_lines, line_changes, strict=True)]
    if not body:
        return PaidUpdate(True)
    return PaidUpdate(True, {id_element: current.get(id_element), **body})


# --- cancellation ----------------------------------------------------------------------------------------


class CancelAction(enum.StrEnum):
    NOTHING = "nothing"
    DELETE = "delete"  # draft or awaiting approval: Status DELETED
    VOID = "void"  # approved, nothing paid: Status VOIDED
    REFUSE = "refuse"  # has payments: someone must act in Xero first


@dataclass(frozen=True)
class Cancellation:
    action: CancelAction
    reason: Reason | None = None

    def to_xero(self, invoice_type: InvoiceType, xero_id: str) -> dict[str, Any] | None:
        status = {CancelAction.DELETE: XeroStatus.DELETED, CancelAction.VOID: XeroStatus.VOIDED}.get(self.action)
        if status is None:
            return None
        id_element = "CreditNoteID" if invoice_type.is_credit_note else "InvoiceID"
        return {id_element: xero_id, "Status": status.value}


def cancellation(xero_status: XeroStatus | None, amount_paid: Decimal = ZERO, amount_credited: Decimal = ZERO, *,
                 deleted: bool = False) -> Cancellation:
    """A cancelled Dynamics invoice is deleted in Xero while unapproved, voided once approved; Xero voids
    nothing with payments or credit applied, so then we say what to undo in Xero. An invoice deleted in Dynamics
    (`deleted`) goes the same way."""
    if xero_status is None:
        return Cancellation(CancelAction.NOTHING, Reason(Why.NEVER_SENT, "The invoice never reached Xero."))
    if xero_status in (XeroStatus.VOIDED, XeroStatus.DELETED):
        return Cancellation(CancelAction.NOTHING, Reason(Why.ALREADY_CANCELLED, f"The invoice is already "
                                                                                f"{xero_status.lower()} in Xero."))
    if xero_status in (XeroStatus.DRAFT, XeroStatus.SUBMITTED):
        return Cancellation(CancelAction.DELETE)
    if not has_payments(xero_status, amount_paid, amount_credited):
        return Cancellation(CancelAction.VOID)
    what, change = ("was deleted", "deletion") if deleted else ("is cancelled", "cancellation")
    return Cancellation(CancelAction.REFUSE, Reason(Why.HAS_PAYMENTS, f"The invoice {what} in Dynamics but has payments "
                                                                      "or credit in Xero, and Xero can't void it: remove them "
                                                                      f"in Xero (or credit the invoice there); the {change} "
                                                                      "then goes across."))


# --- content hash ----------------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _plain(value)  # 10, 10.0 and 10.00 are the same amount
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def content_hash(fields: Mapping[str, Any], key: bytes) -> str:
    """A keyed hash (HMAC-SHA256) of the fields sent. The ledger keeps only this, never the fields: without
    the key nobody can test guesses of the amounts against it."""
    if not key:
        raise ValueError("content_hash needs a secret key")
    canonical = json.dumps(_canonical(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def _four_places(value: Any) -> str:
    return str(Decimal(str(value or 0)).quantize(Decimal("0.0001")))


def recognition_hash(document: Mapping[str, Any], key: bytes) -> str:
    """What a credit note we created is recognised by in Xero when its answer was lost: a credit note carries
    no `Url` back to its Dynamics invoice. Its type, contact, date and reference, and each line's quantity and
    unit amount (not its number: Xero gives one when we don't). The same for the body sent and for Xero's copy
    of it; keyed, as everything the ledger keeps."""
    contact = str((document.get("Contact") or {}).get("ContactID") or "").lower()
    lines = sorted([_four_places(line.get("Quantity")), _four_places(line.get("UnitAmount"))]
                   for line in document.get("LineItems") or ())
    return content_hash({"type": str(document.get("Type") or ""), "contact": contact, "date": parse_xero_date(document.get("Date")),
                         "reference": str(document.get("Reference") or ""), "lines": lines}, key)


XERO_STATE_FIELDS = ("Status", "InvoiceNumber", "CreditNoteNumber", "DueDate", "FullyPaidOnDate", "AmountDue", "AmountPaid",
                     "AmountCredited", "RemainingCredit", "AppliedAmount")


def xero_state_hash(document: Mapping[str, Any], key: bytes) -> str:
    """What Dynamics is shown of a Xero invoice or credit note (status, number, due and paid dates, what is due,
    paid and credited), keyed: equal to the hash of the state last written back, Xero's change is no news."""
    fields = {name: document.get(name) for name in XERO_STATE_FIELDS if document.get(name) is not None}
    for name in ("DueDate", "FullyPaidOnDate"):
        if name in fields:
            fields[name] = parse_xero_date(fields[name])
    for name in ("AmountDue", "AmountPaid", "AmountCredited", "RemainingCredit", "AppliedAmount"):
        if name in fields:
            fields[name] = Decimal(str(fields[name])).quantize(Decimal("0.01"))
    return content_hash(fields, key)
