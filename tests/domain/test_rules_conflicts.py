"""The rule that decides which side's value each field of a customer or product takes (docs/conflicts.md)."""

from datetime import UTC, datetime, timedelta

import pytest

from dxconnector.domain.rules.conflicts import HASH_LENGTH, Conflict, Merge, Seen, Side, field_hash, hashes, later_side, merge

KEY = b"connection key"
EARLY = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
LATE = EARLY + timedelta(seconds=2)
BEFORE = {"Name": "Acme Ltd", "EmailAddress": "old@acme.example", "Phone DEFAULT": "555 0100"}
SEEN = Seen(hashes(BEFORE, KEY), hashes(BEFORE, KEY))  # both sides alike after the last sync


def edited(**fields: str) -> dict[str, str]:
    return {**BEFORE, **{name.replace("_", " "): value for name, value in fields.items()}}


@pytest.mark.parametrize(
    ("case", "dynamics", "xero", "seen", "at", "two_way", "expected"),
    [
        ("nothing changed", BEFORE, BEFORE, SEEN, (EARLY, LATE), True, Merge()),
        (
            "changed in Dynamics only",
            edited(EmailAddress="new@acme.example"),
            BEFORE,
            SEEN,
            (LATE, EARLY),
            True,
            Merge(to_xero=frozenset({"EmailAddress"})),
        ),
        (
            "changed in Dynamics only, though Xero's record changed later (another field's edit there)",
            edited(EmailAddress="new@acme.example"),
            edited(Phone_DEFAULT="555 0199"),
            SEEN,
            (EARLY, LATE),
            True,
            Merge(to_xero=frozenset({"EmailAddress"}), to_dynamics=frozenset({"Phone DEFAULT"})),
        ),
        (
            "changed in Xero only",
            BEFORE,
            edited(Phone_DEFAULT="555 0199"),
            SEEN,
            (LATE, EARLY),
            True,
            Merge(to_dynamics=frozenset({"Phone DEFAULT"})),
        ),
        (
            "changed on both sides, Xero later",
            edited(EmailAddress="d@acme.example"),
            edited(EmailAddress="x@acme.example"),
            SEEN,
            (EARLY, LATE),
            True,
            Merge(to_dynamics=frozenset({"EmailAddress"}), conflicts=(Conflict("EmailAddress", Side.XERO),)),
        ),
        (
            "changed on both sides, Dynamics later",
            edited(EmailAddress="d@acme.example"),
            edited(EmailAddress="x@acme.example"),
            SEEN,
            (LATE, EARLY),
            True,
            Merge(to_xero=frozenset({"EmailAddress"}), conflicts=(Conflict("EmailAddress", Side.DYNAMICS),)),
        ),
        (
            "changed on both sides at the same moment: Dynamics'",
            edited(EmailAddress="d@acme.example"),
            edited(EmailAddress="x@acme.example"),
            SEEN,
            (EARLY, EARLY),
            True,
            Merge(to_xero=frozenset({"EmailAddress"}), conflicts=(Conflict("EmailAddress", Side.DYNAMICS),)),
        ),
        (
            "changed on both sides, a side can't say when: Dynamics'",
            edited(EmailAddress="d@acme.example"),
            edited(EmailAddress="x@acme.example"),
            SEEN,
            (None, LATE),
            True,
            Merge(to_xero=frozenset({"EmailAddress"}), conflicts=(Conflict("EmailAddress", Side.DYNAMICS),)),
        ),
        (
            "changed on both sides to the same value",
            edited(EmailAddress="same@acme.example"),
            edited(EmailAddress="same@acme.example"),
            SEEN,
            (EARLY, LATE),
            True,
            Merge(),
        ),
        (
            "a field emptied in Xero",
            BEFORE,
            edited(EmailAddress=""),
            SEEN,
            (EARLY, LATE),
            True,
            Merge(to_dynamics=frozenset({"EmailAddress"})),
        ),
        (
            "two-way off: Xero's edit stays in Xero",
            BEFORE,
            edited(Phone_DEFAULT="555 0199"),
            SEEN,
            (EARLY, LATE),
            False,
            Merge(),
        ),
        (
            "two-way off: Dynamics' edit goes over Xero's, without a conflict",
            edited(EmailAddress="d@acme.example"),
            edited(EmailAddress="x@acme.example"),
            SEEN,
            (EARLY, LATE),
            False,
            Merge(to_xero=frozenset({"EmailAddress"})),
        ),
        (
            "Xero not read (products; two-way off): Dynamics' edits only",
            edited(EmailAddress="d@acme.example"),
            None,
            SEEN,
            (EARLY, None),
            True,
            Merge(to_xero=frozenset({"EmailAddress"})),
        ),
        (
            "Xero not read: an unchanged field is not sent, whatever Xero holds",
            BEFORE,
            None,
            SEEN,
            (EARLY, None),
            True,
            Merge(),
        ),
        (
            "no baseline on Xero's side (a contact someone else made), Dynamics later",
            edited(EmailAddress="d@acme.example"),
            BEFORE,
            Seen(hashes(BEFORE, KEY), {}),
            (LATE, EARLY),
            True,
            Merge(to_xero=frozenset({"EmailAddress"}), conflicts=(Conflict("EmailAddress", Side.DYNAMICS),)),
        ),
        (
            "no baseline on Xero's side, Xero later: the later record's value",
            BEFORE,
            edited(Phone_DEFAULT="555 0199"),
            Seen(hashes(BEFORE, KEY), {}),
            (EARLY, LATE),
            True,
            Merge(to_dynamics=frozenset({"Phone DEFAULT"}), conflicts=(Conflict("Phone DEFAULT", Side.XERO),)),
        ),
        (
            "no baseline on Xero's side, Dynamics later: never the older Xero value over Dynamics'",
            BEFORE,
            edited(Phone_DEFAULT="555 0199"),
            Seen(hashes(BEFORE, KEY), {}),
            (LATE, EARLY),
            True,
            Merge(to_xero=frozenset({"Phone DEFAULT"}), conflicts=(Conflict("Phone DEFAULT", Side.DYNAMICS),)),
        ),
        (
            "no baseline on Dynamics' side, Xero later",
            edited(Phone_DEFAULT="555 0222"),
            BEFORE,
            Seen({}, hashes(BEFORE, KEY)),
            (EARLY, LATE),
            True,
            Merge(to_dynamics=frozenset({"Phone DEFAULT"}), conflicts=(Conflict("Phone DEFAULT", Side.XERO),)),
        ),
        (
            "no baseline on a side, both alike: nothing",
            BEFORE,
            BEFORE,
            Seen(hashes(BEFORE, KEY), {}),
            (EARLY, LATE),
            True,
            Merge(),
        ),
        (
            "no baseline on either side: each field that differs, the later record's value",
            BEFORE,
            edited(Phone_DEFAULT="555 0199"),
            Seen(),
            (LATE, EARLY),
            True,
            Merge(to_xero=frozenset({"Phone DEFAULT"}), conflicts=(Conflict("Phone DEFAULT", Side.DYNAMICS),)),
        ),
        (
            "no baseline on either side, both alike: nothing",
            BEFORE,
            BEFORE,
            Seen(),
            (LATE, EARLY),
            True,
            Merge(),
        ),
        (
            "no baseline on Dynamics' side, two-way off: every field goes to Xero once",
            BEFORE,
            None,
            Seen({}, hashes(BEFORE, KEY)),
            (EARLY, None),
            False,
            Merge(to_xero=frozenset(BEFORE)),
        ),
        (
            "a field Xero's record lacks counts as empty there",
            {**BEFORE, "Phone FAX": "555 0101"},
            BEFORE,
            Seen(hashes({**BEFORE, "Phone FAX": ""}, KEY), hashes({**BEFORE, "Phone FAX": ""}, KEY)),
            (LATE, EARLY),
            True,
            Merge(to_xero=frozenset({"Phone FAX"})),
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_merge(case, dynamics, xero, seen, at, two_way, expected):
    dynamics_at, xero_at = at
    assert merge(dynamics, xero, seen, KEY, dynamics_changed_at=dynamics_at, xero_changed_at=xero_at, two_way=two_way) == expected


def test_several_fields_go_their_own_ways_in_one_merge():
    merged = merge(
        edited(Name="Acme Limited", EmailAddress="d@acme.example"),
        edited(EmailAddress="x@acme.example", Phone_DEFAULT="555 0199"),
        SEEN,
        KEY,
        dynamics_changed_at=LATE,
        xero_changed_at=EARLY,
    )
    assert merged == Merge(
        to_xero=frozenset({"Name", "EmailAddress"}),
        to_dynamics=frozenset({"Phone DEFAULT"}),
        conflicts=(Conflict("EmailAddress", Side.DYNAMICS),),
    )
    assert not merged.nothing_to_do


@pytest.mark.parametrize(
    ("dynamics_at", "xero_at", "side"),
    [
        (EARLY, LATE, Side.XERO),
        (LATE, EARLY, Side.DYNAMICS),
        (EARLY, EARLY, Side.DYNAMICS),
        (None, LATE, Side.DYNAMICS),
        (LATE, None, Side.DYNAMICS),
        (None, None, Side.DYNAMICS),
    ],
)
def test_the_later_side(dynamics_at, xero_at, side):
    assert later_side(dynamics_at, xero_at) is side


def test_each_side_is_compared_with_its_own_last_value_so_a_value_stored_differently_never_flaps():
    # Xero split the phone number into parts: its text differs from Dynamics', but neither side changed since.
    xero = edited(Phone_DEFAULT="64 9 555 0100")
    assert merge(BEFORE, xero, Seen(hashes(BEFORE, KEY), hashes(xero, KEY)), KEY, xero_changed_at=LATE) == Merge()


def test_a_field_hash_is_keyed_short_and_never_the_value():
    one = field_hash("EmailAddress", "old@acme.example", KEY)
    assert len(one) == HASH_LENGTH and "acme" not in one
    assert one != field_hash("EmailAddress", "old@acme.example", b"another key")
    assert one != field_hash("Name", "old@acme.example", KEY)  # the same value in another field


@pytest.mark.parametrize("stored", [None, "", [], {"d": None, "x": None}, {}])
def test_a_link_without_hashes_reads_as_no_baseline(stored):
    assert Seen.from_json(stored) == Seen()


def test_the_ledgers_json_round_trips():
    assert Seen.from_json(SEEN.as_json()) == SEEN
