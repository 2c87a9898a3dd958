"""An invoice's lines: their kinds and order (bundles under their header), labels, descriptions, account codes, tax
types and tracking."""

from __future__ import annotations

import enum
from decimal import Decimal

from dxconnector.domain.records import (
    ZERO,
    BundleRole,
    ConnectionSettings,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    InvoiceType,
    LineAmountTypes,
    TrackingChoice,
)
from dxconnector.domain.rules.reasons import Reason, RuleViolation, Why
from dxconnector.domain.rules.setting_values import default_account_code_problem
from dxconnector.domain.rules.text import plain

MAX_TRACKING = 2


class LineKind(enum.StrEnum):
    PRODUCT = "product"  # an existing product: ItemCode
    WRITE_IN = "write_in"  # a write-in product: description and amounts
    DESCRIPTION_ONLY = "description_only"  # zero quantity and zero price (and no discount)
    BUNDLE_COMPONENT = "bundle_component"  # shown under its bundle as text


def line_kind(line: DynamicsInvoiceLine) -> LineKind:
    if line.bundle_role is BundleRole.COMPONENT:
        return LineKind.BUNDLE_COMPONENT
    if line.quantity == 0 and line.price_per_unit == 0 and line.manual_discount_amount == 0:
        return LineKind.DESCRIPTION_ONLY  # a discount alone is an amount: Dynamics takes it off the total
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
        raise RuleViolation(
            Reason(Why.NO_LINE_DESCRIPTION, f"{label} has no description or product: Xero needs some text on every line.")
        )
    if line_kind(line) is LineKind.BUNDLE_COMPONENT and line.quantity not in (ZERO, Decimal(1)):
        return f"{plain(line.quantity)} × {text}"
    return text


def default_account_code(invoice_type: InvoiceType, settings: ConnectionSettings) -> str | None:
    return settings.default_sales_account_code if invoice_type.is_sales else settings.default_purchase_account_code


def account_code(
    line: DynamicsInvoiceLine, invoice_type: InvoiceType, settings: ConnectionSettings, label: str = "A line"
) -> str:
    """The line's account code, else its product's, else the connection's default for sales or purchases."""
    product_code = line.product.account_code if line.product is not None else None
    code = line.account_code or product_code
    if code:
        return code
    default = default_account_code(invoice_type, settings)
    if default:
        problem = default_account_code_problem(default, sales=invoice_type.is_sales)
        if problem is not None:  # held here with the setting named, rather than refused later by Xero
            raise RuleViolation(problem)
        return default
    side = "Sales" if invoice_type.is_sales else "Purchase"
    where = "on the line, on the product," if line.product is not None and not line.is_write_in else "on the line"
    raise RuleViolation(
        Reason(
            Why.NO_ACCOUNT_CODE,
            f"{label} has no account code: pick one {where} or set the connection's Default {side} Account Code.",
        )
    )


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
        raise RuleViolation(
            Reason(
                Why.TOO_MANY_TRACKING,
                f"{label} has {len(picked)} tracking options; Xero takes at most {MAX_TRACKING}: remove one.",
            )
        )
    if len({choice.category.casefold() for choice in picked}) < len(picked):
        raise RuleViolation(
            Reason(
                Why.SAME_TRACKING_CATEGORY,
                f"{label} has two options of the tracking category '{picked[0].category}'; Xero takes one per category.",
            )
        )
    return picked
