"""Which status changes Xero allows on invoices and credit notes.

DRAFT and SUBMITTED can move between themselves, be approved (AUTHORISED) or be DELETED. AUTHORISED
can only be VOIDED, and only while no payment or credit is applied; it becomes PAID (and back) through
payments and allocations, never by request. PAID, VOIDED and DELETED are final as far as a request goes.
"""

from __future__ import annotations

DRAFT, SUBMITTED, AUTHORISED, PAID, VOIDED, DELETED = "DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"
STATUSES = (DRAFT, SUBMITTED, AUTHORISED, PAID, VOIDED, DELETED)
CREATABLE = (DRAFT, SUBMITTED, AUTHORISED)
APPROVED = (AUTHORISED, PAID)
FINAL = (VOIDED, DELETED)

_ALLOWED = {
    DRAFT: {DRAFT, SUBMITTED, AUTHORISED, DELETED},
    SUBMITTED: {DRAFT, SUBMITTED, AUTHORISED, DELETED},
    AUTHORISED: {AUTHORISED, VOIDED},
    PAID: {PAID},
    VOIDED: {VOIDED},
    DELETED: {DELETED},
}


def creation_problem(label: str, requested: str) -> str | None:
    if requested in CREATABLE:
        return None
    return f"{label}s cannot be created with a status of {requested}; use DRAFT, SUBMITTED or AUTHORISED."


def transition_problem(label: str, current: str, requested: str, *, money_applied: bool) -> str | None:
    """None when `current` may become `requested`, else the reason it may not."""
    if requested in _ALLOWED[current]:
        if requested == VOIDED and current == AUTHORISED and money_applied:
            return f"This {label.lower()} cannot be voided as it has payments or credit allocated to it. Remove them first."
        return None
    if current in FINAL:
        return f"{label} not of valid status for modification. A {current} {label.lower()} cannot be changed."
    if requested == DELETED:
        return (
            f"{label} not of valid status for deletion. "
            f"Only DRAFT and SUBMITTED {label.lower()}s can be deleted; void an AUTHORISED one instead."
        )
    if requested == VOIDED:
        return f"{label} not of valid status for voiding. Only AUTHORISED {label.lower()}s can be voided; delete a {current} one instead."
    if requested == PAID:
        return f"A {label.lower()} becomes PAID when payments or credits cover it; its Status cannot be set to PAID."
    return f"The status of this {current} {label.lower()} cannot be changed to {requested}."
