"""An account's, a contact's or a product's link to Xero and its sync attempts, and an invoice's or a customer's
payments from Xero, below its form.

The connector's managed solution keeps each linked customer's Xero contact (with the customer's balances in Xero)
in a row of `stl3_xerocontact` and each linked product's Xero item in a row of `stl3_xeroitem` (one per
connection), each payment or credit Xero allocated to an invoice in a row of `stl3_xeropayment`, and every attempt
in `stl3_synchistory`; its "Invoice (Xero)", "Account (Xero)", "Contact (Xero)" and "Product (Xero)" forms show them
in grids. The record's page shows the same rows, read-only, once the solution is installed; before that, nothing.
A column an older version of the solution lacks is left out of its grid. The sandbox knows the solution only by
these logical names, as Dynamics would: it imports nothing of the connector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from dxsandbox.microsoft.ui.gateway import Refused, formatted
from dxsandbox.microsoft.ui.layout import grid
from dxsandbox.microsoft.ui.visits import Visit

ROWS_SHOWN = 20
LINK_COLUMNS = {"stl3_xerourl"}  # shown as a link to Xero


@dataclass(frozen=True)
class RelatedRows:
    """Rows of one of the solution's tables that look a record up, as a grid on the record's page."""

    table: str  # logical name
    lookup: str  # its lookup column to the record
    heading: str
    grid_id: str
    columns: tuple[tuple[str, str], ...]  # (column, header); a lookup as `_<column>_value`
    order_by: str
    empty: str

    def panel(self, visit: Visit, record_id: str) -> str:
        """The grid in a section of its own; '' when the organisation has no such table or lookup (the solution is
        not installed, or an older version of it is)."""
        table = visit.organisation.table(self.table)
        if table is None or self.lookup not in table.columns:
            return ""
        columns = [(name, header) for name, header in self.columns if _column_name(name) in table.columns]
        try:
            rows = visit.api.rows(
                table.entity_set,
                select=[name for name, _ in columns],
                filter=f"_{self.lookup}_value eq {record_id}",
                orderby=self.order_by,
                top=ROWS_SHOWN,
            )
        except Refused as error:  # e.g. a role without read access to the table
            return self._section(f"<p class='muted'>{escape(error.message)}</p>")
        lines = (
            f"<tr data-id='{escape(str(row.get(table.primary_id, '')))}'>"
            + "".join(_cell(row, name) for name, _ in columns)
            + "</tr>"
            for row in rows
        )
        return self._section(grid([header for _, header in columns], lines, empty=self.empty, grid_id=self.grid_id))

    def _section(self, inner: str) -> str:
        return f"<section class='panel' aria-label='{escape(self.heading)}'><h2>{escape(self.heading)}</h2>{inner}</section>"


def _column_name(name: str) -> str:
    """The column a selected property reads: a lookup's `_<column>_value` is its column."""
    return name.removeprefix("_").removesuffix("_value") if name.startswith("_") else name


def _cell(row: dict[str, Any], name: str) -> str:
    field = _column_name(name)
    text = formatted(row, name)
    if name in LINK_COLUMNS and text.startswith(("https://", "http://")):
        return f"<td data-field='{field}'><a href='{escape(text)}'>Open in Xero</a></td>"
    return f"<td data-field='{field}'>{escape(text)}</td>"


def _xero_contacts(lookup: str) -> RelatedRows:
    return RelatedRows(
        table="stl3_xerocontact",
        lookup=lookup,
        heading="Xero",
        grid_id="xero-contacts",
        columns=(
            ("_stl3_connectorid_value", "Xero Connection"),
            ("stl3_xeroid", "Xero Contact ID"),
            ("stl3_xerostatus", "Xero Status"),
            ("stl3_syncstatus", "Sync Status"),
            ("stl3_xerourl", "Xero Contact URL"),
            ("stl3_lastsyncedon", "Last Synced On"),
            ("stl3_outstanding", "Outstanding"),
            ("stl3_overdue", "Overdue"),
            ("stl3_balancecurrency", "Balance Currency"),
            ("stl3_balanceson", "Balances On"),
        ),
        order_by="stl3_lastsyncedon desc",
        empty="Not linked to a Xero contact.",
    )


def _xero_payments(lookup: str, *, with_invoice: bool) -> RelatedRows:
    """The payments and credits Xero allocated, the latest first: an invoice's, or a customer's with their invoice."""
    invoice = (("_stl3_invoiceid_value", "Invoice"),) if with_invoice else ()
    return RelatedRows(
        table="stl3_xeropayment",
        lookup=lookup,
        heading="Xero Payments",
        grid_id="xero-payments",
        columns=(
            ("stl3_paymentdate", "Payment Date"),
            *invoice,
            ("stl3_amount", "Amount"),
            ("stl3_currencycode", "Currency"),
            ("stl3_reference", "Reference"),
            ("stl3_kind", "Kind"),
            ("stl3_status", "Status"),
            ("stl3_bankaccount", "Bank Account"),
            ("stl3_creditnotenumber", "Credit Note"),
            ("stl3_xerourl", "Xero URL"),
        ),
        order_by="stl3_paymentdate desc",
        empty="No payments from Xero.",
    )


def _sync_attempts(lookup: str) -> RelatedRows:
    return RelatedRows(
        table="stl3_synchistory",
        lookup=lookup,
        heading="Sync History",
        grid_id="sync-history",
        columns=(
            ("stl3_attemptedon", "Attempted On"),
            ("stl3_direction", "Direction"),
            ("stl3_outcome", "Outcome"),
            ("stl3_message", "Message"),
            ("stl3_xeroid", "Xero ID"),
        ),
        order_by="stl3_attemptedon desc",
        empty="No sync attempts yet.",
    )


XERO_ITEMS = RelatedRows(
    table="stl3_xeroitem",
    lookup="stl3_productid",
    heading="Xero",
    grid_id="xero-items",
    columns=(
        ("_stl3_connectorid_value", "Xero Connection"),
        ("stl3_xerocode", "Xero Item Code"),
        ("stl3_xeroid", "Xero Item ID"),
        ("stl3_syncstatus", "Sync Status"),
        ("stl3_xerourl", "Xero Item URL"),
        ("stl3_lastsyncedon", "Last Synced On"),
    ),
    order_by="stl3_lastsyncedon desc",
    empty="Not linked to a Xero item.",
)

# What each record's page shows below its form.
ACCOUNT_PANELS = (
    _xero_contacts("stl3_accountid"),
    _xero_payments("stl3_accountid", with_invoice=True),
    _sync_attempts("stl3_accountid"),
)
CONTACT_PANELS = (
    _xero_contacts("stl3_contactid"),
    _xero_payments("stl3_contactid", with_invoice=True),
    _sync_attempts("stl3_contactid"),
)
INVOICE_PANELS = (_xero_payments("stl3_invoiceid", with_invoice=False),)
PRODUCT_PANELS = (XERO_ITEMS, _sync_attempts("stl3_productid"))


def panels(related: tuple[RelatedRows, ...]) -> tuple[Callable[[Visit, str], str], ...]:
    return tuple(rows.panel for rows in related)
