"""Pick-up: whether this connection sends an invoice now (create, update, cancel), skips it, or holds it back — and why."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from dxconnector.domain.records import (
    ConnectionSettings,
    DynamicsInvoice,
    ExportStatus,
    InvoiceLink,
    InvoiceState,
    XeroStatus,
)
from dxconnector.domain.rules.amounts import send_as
from dxconnector.domain.rules.dates import before_sync_from, delivery_problems
from dxconnector.domain.rules.problems import invoice_problems
from dxconnector.domain.rules.reasons import Reason, Why


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


def pick_up(
    invoice: DynamicsInvoice,
    settings: ConnectionSettings,
    now: datetime,
    link: InvoiceLink | None,
    *,
    sent_fields_hash: str | None = None,
) -> Decision:
    """Whether this connection sends the invoice now, and if not, why.

    The caller has already checked the connection may sync at all (trial or subscription, not paused).
    `link` is the ledger's entry when the invoice is already in Xero; `sent_fields_hash`, when given, is the
    keyed hash of what would be sent now, so an invoice whose sent fields did not change is skipped.
    """
    if invoice.connector_id and invoice.connector_id != settings.connector_id:
        return _skip(Why.OTHER_CONNECTION, "The invoice is for another Xero connection.")
    if not belongs_here(invoice, settings):
        return _hold(
            Reason(
                Why.NO_CONNECTION,
                "No Xero Connection is picked on the invoice and this connection is not "
                "the default: pick one on the invoice, or make this the default.",
            )
        )
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
            return _skip(
                Why.BEFORE_SYNC_FROM,
                f"Date Delivered is before {settings.sync_from}, the date this connection syncs invoices from (its Defaults).",
            )
        if invoice.export_status is ExportStatus.EXPORTED:
            return _hold(
                Reason(
                    Why.LINK_MISSING,
                    "Dynamics says the invoice is in Xero, but the connector has no link to "
                    "it: set its Export Status to Not Exported to send it as new.",
                )
            )
        return Decision(Action.CREATE)
    return _update_or_skip(invoice, settings, link, sent_fields_hash)


def _cancelled(invoice: DynamicsInvoice, link: InvoiceLink | None) -> Decision:
    if link is None:
        return _skip(Why.NEVER_SENT, "The invoice was cancelled before it reached Xero; there is nothing to undo.")
    if invoice.xero_status in (XeroStatus.VOIDED, XeroStatus.DELETED):
        return _skip(Why.ALREADY_CANCELLED, f"The invoice is cancelled, and {invoice.xero_status.lower()} in Xero.")
    return Decision(Action.CANCEL)


def _update_or_skip(
    invoice: DynamicsInvoice, settings: ConnectionSettings, link: InvoiceLink, sent_fields_hash: str | None
) -> Decision:
    if invoice.xero_status in (XeroStatus.VOIDED, XeroStatus.DELETED):
        return _hold(
            Reason(
                Why.VOIDED_IN_XERO,
                f"The invoice is {invoice.xero_status.lower()} in Xero, so changes no "
                "longer go across: make a new invoice in Dynamics.",
            )
        )
    target = send_as(invoice, settings).type
    if link.sent_type is not None and link.sent_type is not target:
        return _hold(
            Reason(
                Why.TYPE_CHANGED,
                f"The invoice went to Xero as a {link.sent_type.label} and would now be a "
                f"{target.label}; Xero can't change that: cancel it and make a new one.",
            )
        )
    if invoice.export_status is ExportStatus.READY_TO_UPDATE:
        return Decision(Action.UPDATE)
    if link.sent_version is not None and link.sent_version == invoice.version:
        return _skip(Why.UNCHANGED, "Nothing changed since the invoice was last sent.")
    if sent_fields_hash is not None and sent_fields_hash == link.sent_hash:
        return _skip(Why.UNCHANGED, "Nothing Xero gets from the invoice changed since it was last sent.")
    return Decision(Action.UPDATE)
