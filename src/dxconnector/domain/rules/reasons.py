"""Why an invoice or a record is not sent: the reason codes, a reason's words, and the error that carries them."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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
    NO_LINE_DESCRIPTION = "no_line_description"
    NO_ACCOUNT_CODE = "no_account_code"
    TOO_MANY_TRACKING = "too_many_tracking"
    SAME_TRACKING_CATEGORY = "same_tracking_category"
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
    DELETED_IN_DYNAMICS = "deleted_in_dynamics"  # what became of the Xero copy of an invoice deleted in Dynamics
    XERO_REFUSED = "xero_refused"  # Xero's own words go to the history row in Dynamics
    DYNAMICS_REFUSED = "dynamics_refused"  # a change from Xero Dynamics would not take; its words go to the history row
    NOT_ARCHIVABLE = "not_archivable"  # a product retired in Dynamics: Xero items have no archived state
    INTERNAL_ERROR = "internal_error"  # an unexpected error on one record: it is set aside and the rest of the run goes on


@dataclass(frozen=True)
class Reason:
    code: Why
    text: str


class RuleViolation(ValueError):
    """One or more rules refuse a record; each reason says what to fix."""

    def __init__(self, *reasons: Reason):
        super().__init__(" ".join(reason.text for reason in reasons))
        self.reasons = reasons


def check(rule: Callable[..., object], *args: Any, **kwargs: Any) -> tuple[Reason, ...]:
    try:
        rule(*args, **kwargs)
    except RuleViolation as violation:
        return violation.reasons
    return ()
