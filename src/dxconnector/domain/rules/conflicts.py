"""Two records kept in step field by field — a Dynamics customer and its Xero contact, a product and its item —
and which side's value each field takes (the rule `docs/conflicts.md` states).

The ledger keeps, for each field, a keyed hash of the value each side had after the last sync (`Seen`): never
the value. A field whose hash on one side moved since is changed on that side. So:

- changed on one side only → the other side takes that value;
- changed on both sides, to different values → the value of the side whose record changed later (Dynamics'
  `modifiedon`, Xero's `UpdatedDateUTC`); at the same moment, Dynamics' (the sales team's record of the customer);
- changed on both sides to the same value, or not at all → nothing is written.

Each side is compared with its own last value, not with the other side's, so a value one side stores differently
(a phone number split into parts, an email address Xero can't take) is not taken for an edit and never flaps.
A side with no hash of a field yet (a record linked before this release, or matched to a Xero contact made by
someone else) counts as changed wherever the two sides differ: the later record's value wins.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dxconnector.domain.rules.hashing import content_hash

HASH_LENGTH = 16  # hex characters kept per field: 64 bits tell an edit from no edit


class Side(enum.StrEnum):
    DYNAMICS = "dynamics"
    XERO = "xero"


@dataclass(frozen=True)
class Seen:
    """The keyed hash of each field's value on each side after the last sync."""

    dynamics: Mapping[str, str] = field(default_factory=dict)
    xero: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, dict[str, str]]:
        return {"d": dict(self.dynamics), "x": dict(self.xero)}

    @classmethod
    def from_json(cls, value: object) -> Seen:
        if not isinstance(value, Mapping):
            return cls()
        return cls(dict(value.get("d") or {}), dict(value.get("x") or {}))


@dataclass(frozen=True)
class Conflict:
    """A field changed on both sides since the last sync, and the side whose value it keeps."""

    field: str
    kept: Side


@dataclass(frozen=True)
class Merge:
    to_xero: frozenset[str] = frozenset()  # fields Xero takes from Dynamics
    to_dynamics: frozenset[str] = frozenset()  # fields Dynamics takes from Xero
    conflicts: tuple[Conflict, ...] = ()

    @property
    def nothing_to_do(self) -> bool:
        return not self.to_xero and not self.to_dynamics


def field_hash(name: str, value: str, key: bytes) -> str:
    return content_hash({name: value}, key)[:HASH_LENGTH]


def hashes(values: Mapping[str, str], key: bytes) -> dict[str, str]:
    return {name: field_hash(name, value, key) for name, value in values.items()}


def _changed(name: str, value: str, seen: Mapping[str, str], key: bytes) -> bool:
    return name not in seen or field_hash(name, value, key) != seen[name]


def later_side(dynamics_changed_at: datetime | None, xero_changed_at: datetime | None) -> Side:
    """The side whose record changed later; Dynamics at the same moment or when a side can't say."""
    if dynamics_changed_at and xero_changed_at and xero_changed_at > dynamics_changed_at:
        return Side.XERO
    return Side.DYNAMICS


def merge(
    dynamics: Mapping[str, str],
    xero: Mapping[str, str] | None,
    seen: Seen,
    key: bytes,
    *,
    dynamics_changed_at: datetime | None = None,
    xero_changed_at: datetime | None = None,
    two_way: bool = True,
) -> Merge:
    """Which fields go which way. `dynamics`: the fields Dynamics' record maps to, as Xero would hold them;
    `xero`: the same fields of Xero's record, or None when Xero was not read (its edits are not followed: the
    two-way setting is off, or the record kind only goes to Xero). With `two_way` off, Xero's edits stay in Xero
    (and a field edited in Dynamics still goes, over Xero's)."""
    to_xero: set[str] = set()
    to_dynamics: set[str] = set()
    conflicts: list[Conflict] = []
    follow_xero = xero is not None and two_way
    for name, value in dynamics.items():
        theirs = xero.get(name, "") if xero is not None else None
        if theirs is not None and theirs == value:
            continue
        in_dynamics = _changed(name, value, seen.dynamics, key)
        in_xero = follow_xero and theirs is not None and _changed(name, theirs, seen.xero, key)
        # No hash on a side (a contact matched, not made, has none on Xero's): the sides differ, and the ledger can't
        # say which changed since — both count as changed, so the later record's value wins, not the side without.
        unknown = follow_xero and (name not in seen.dynamics or name not in seen.xero)
        if unknown or (in_dynamics and in_xero):
            kept = later_side(dynamics_changed_at, xero_changed_at)
            conflicts.append(Conflict(name, kept))
            (to_xero if kept is Side.DYNAMICS else to_dynamics).add(name)
        elif in_dynamics:
            to_xero.add(name)
        elif in_xero:
            to_dynamics.add(name)
    return Merge(frozenset(to_xero), frozenset(to_dynamics), tuple(conflicts))
