"""Customers: matching a Dynamics account or contact to its Xero contact, and which way a linked customer's edits go."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from dxconnector.domain.records import (
    ConnectionSettings,
    CustomerRef,
    XeroContactSummary,
)
from dxconnector.domain.rules.dates import as_utc
from dxconnector.domain.rules.header import may_create_contact
from dxconnector.domain.rules.reasons import Reason, Why
from dxconnector.domain.rules.text import one_line


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


def match_contact(
    customer: CustomerRef,
    linked_contact_id: str | None,
    candidates: Sequence[XeroContactSummary],
    settings: ConnectionSettings,
    owners: Mapping[str, str] | None = None,
) -> ContactMatch:
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
            return ContactMatch(
                MatchedBy.NONE,
                reason=Reason(
                    Why.AMBIGUOUS_CONTACT,
                    (
                        f"The Xero contact with customer {customer.id}'s {what} is already the contact of another Dynamics customer "
                        f"({taken[0]}), and two customers never share one: give this one its own {what} in Dynamics, or merge "
                        "the two."
                    ),
                ),
            )
        if len(found) == 1:
            return ContactMatch(matched_by, found[0].contact_id)
        if len(found) > 1:
            return ContactMatch(
                MatchedBy.NONE,
                reason=Reason(
                    Why.AMBIGUOUS_CONTACT, f"{len(found)} Xero contacts have the customer's {what}: merge or rename them in Xero."
                ),
            )
        if finder(key, candidates):
            return ContactMatch(
                MatchedBy.NONE,
                reason=Reason(Why.ARCHIVED_CONTACT, "The customer's Xero contact is archived: restore it in Xero."),
            )
    if may_create_contact(settings):
        return ContactMatch(MatchedBy.CREATE)
    return ContactMatch(
        MatchedBy.NONE,
        reason=Reason(
            Why.NO_CONTACT,
            "The customer is not in Xero and Create New Contacts "
            "is off: add the contact in Xero with the same account number or "
            "exact name, or turn the setting on.",
        ),
    )


class Direction(enum.StrEnum):
    NONE = "none"
    TO_XERO = "to_xero"
    TO_DYNAMICS = "to_dynamics"


def contact_edit_direction(
    *,
    dynamics_changed: bool,
    xero_changed: bool,
    dynamics_modified_on: datetime | None,
    xero_updated_on: datetime | None,
    two_way: bool,
) -> Direction:
    """Which way a linked customer's edits go.

    Edits made in Dynamics always go to Xero; edits made in Xero come back only with two-way contact sync.
    When both sides changed since the last sync the later edit wins, whole record; on a tie, or when a time
    is unknown, Dynamics wins, because the customer record is born there.
    """
    if xero_changed and not two_way:
        xero_changed = False
    if dynamics_changed and xero_changed:
        if dynamics_modified_on and xero_updated_on and as_utc(xero_updated_on) > as_utc(dynamics_modified_on):
            return Direction.TO_DYNAMICS
        return Direction.TO_XERO
    if dynamics_changed:
        return Direction.TO_XERO
    if xero_changed:
        return Direction.TO_DYNAMICS
    return Direction.NONE
