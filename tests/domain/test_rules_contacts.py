from datetime import UTC, datetime, timedelta

import pytest

from dxconnector.domain.records import ConnectionSettings, CustomerKind, CustomerRef, XeroContactSummary
from dxconnector.domain.rules import Direction, MatchedBy, Why, contact_edit_direction, contested, match_contact

ACME = CustomerRef(CustomerKind.ACCOUNT, "acc-1", "Acme Ltd", "A-100")
ZOE = CustomerRef(CustomerKind.CONTACT, "con-1", "Zoë Ngāta", "")
CREATE = ConnectionSettings(create_new_contacts=True)
KNOWN_ONLY = ConnectionSettings(create_new_contacts=False)

BY_ACCOUNT_NUMBER = XeroContactSummary("x-num", "ACME Limited", account_number="A-100")
BY_CONTACT_NUMBER = XeroContactSummary("x-cnum", "Acme (old)", contact_number="A-100")
BY_NAME = XeroContactSummary("x-name", "Acme Ltd")
OTHER = XeroContactSummary("x-other", "Beta Ltd", account_number="B-200")
ZOE_IN_XERO = XeroContactSummary("x-zoe", "Zoë Ngāta")
ARCHIVED_NAME = XeroContactSummary("x-arch", "Acme Ltd", status="ARCHIVED")


@pytest.mark.parametrize(
    ("customer", "linked", "candidates", "matched_by", "contact_id"),
    [
        (ACME, "x-linked", [BY_ACCOUNT_NUMBER, BY_NAME], MatchedBy.LINK, "x-linked"),  # the stored link first
        (ACME, None, [BY_NAME, BY_ACCOUNT_NUMBER, OTHER], MatchedBy.NUMBER, "x-num"),  # then the number
        (ACME, None, [BY_CONTACT_NUMBER, BY_NAME], MatchedBy.NUMBER, "x-cnum"),  # Xero's ContactNumber counts too
        (ACME, None, [BY_NAME, OTHER], MatchedBy.NAME, "x-name"),  # then the exact name
        (ZOE, None, [ZOE_IN_XERO], MatchedBy.NAME, "x-zoe"),  # non-ASCII names match exactly
        (ZOE, None, [XeroContactSummary("x", "Zoe Ngata")], MatchedBy.CREATE, None),  # no folding of accents
        (ACME, None, [XeroContactSummary("x", "acme ltd")], MatchedBy.CREATE, None),  # exact means exact
        (ACME, None, [XeroContactSummary("x", "  Acme Ltd ")], MatchedBy.NAME, "x"),  # but spaces around don't count
        (ACME, None, [OTHER], MatchedBy.CREATE, None),
        (ACME, None, [], MatchedBy.CREATE, None),
        (ACME, None, [ARCHIVED_NAME, BY_NAME], MatchedBy.NAME, "x-name"),  # archived ones are never picked
    ],
)
def test_contacts_are_matched_by_link_then_number_then_exact_name(customer, linked, candidates, matched_by, contact_id):
    match = match_contact(customer, linked, candidates, CREATE)
    assert (match.matched_by, match.contact_id) == (matched_by, contact_id)


@pytest.mark.parametrize(
    ("candidates", "settings", "code"),
    [
        ([], KNOWN_ONLY, Why.NO_CONTACT),
        ([OTHER], KNOWN_ONLY, Why.NO_CONTACT),
        ([BY_ACCOUNT_NUMBER, XeroContactSummary("x2", "Acme Two", account_number="A-100")], CREATE, Why.AMBIGUOUS_CONTACT),
        ([ARCHIVED_NAME], CREATE, Why.ARCHIVED_CONTACT),
        ([XeroContactSummary("x", "Other", account_number="A-100", status="ARCHIVED")], CREATE, Why.ARCHIVED_CONTACT),
    ],
)
def test_a_customer_that_cannot_be_matched_or_created_gets_a_reason(candidates, settings, code):
    match = match_contact(ACME, None, candidates, settings)
    assert match.matched_by is MatchedBy.NONE and match.contact_id is None
    assert match.reason.code is code and match.reason.text


@pytest.mark.parametrize(
    ("candidates", "owners", "matched_by", "contact_id"),
    [
        ([BY_NAME], {"x-name": "acc-2"}, MatchedBy.NONE, None),  # the name's contact is another customer's
        ([BY_ACCOUNT_NUMBER], {"x-num": "acc-2"}, MatchedBy.NONE, None),  # so is the number's
        ([BY_NAME], {"x-name": "acc-1"}, MatchedBy.NAME, "x-name"),  # linked to this very customer: fine
        ([BY_NAME, OTHER], {"x-other": "acc-2"}, MatchedBy.NAME, "x-name"),  # others' contacts that don't match don't count
    ],
)
def test_a_xero_contact_linked_to_another_customer_is_never_matched(candidates, owners, matched_by, contact_id):
    match = match_contact(ACME, None, candidates, CREATE, owners)
    assert (match.matched_by, match.contact_id) == (matched_by, contact_id)
    if matched_by is MatchedBy.NONE:
        assert match.reason.code is Why.AMBIGUOUS_CONTACT
        assert "acc-1" in match.reason.text and "acc-2" in match.reason.text


def test_names_match_as_xero_keeps_them_on_one_line():
    customer = CustomerRef(CustomerKind.ACCOUNT, "a", "Twin  Traders\nLtd", "")
    assert match_contact(customer, None, [XeroContactSummary("x", "Twin Traders Ltd")], KNOWN_ONLY).contact_id == "x"


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ({"a": "k1", "b": "k2"}, {}),
        ({"a": "k1", "b": "k1", "c": "k2"}, {"a": ("b",), "b": ("a",)}),
        ({"a": "k", "b": "k", "c": "k"}, {"a": ("b", "c"), "b": ("a", "c"), "c": ("a", "b")}),
    ],
)
def test_records_of_one_batch_that_would_be_one_xero_record_name_each_other(wanted, expected):
    assert contested(wanted) == expected


def test_a_customer_without_a_number_is_matched_by_name_alone():
    customer = CustomerRef(CustomerKind.CONTACT, "c", "Ana Silva", "")
    candidates = [XeroContactSummary("x-empty-number", "Someone", account_number=""), XeroContactSummary("x-ana", "Ana Silva")]
    assert match_contact(customer, None, candidates, KNOWN_ONLY).contact_id == "x-ana"


T = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
LATER = T + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("d_changed", "x_changed", "d_time", "x_time", "two_way", "expected"),
    [
        (False, False, T, T, True, Direction.NONE),
        (True, False, T, None, True, Direction.TO_XERO),
        (False, True, None, T, True, Direction.TO_DYNAMICS),
        (False, True, None, T, False, Direction.NONE),  # Xero's edits come back only with two-way sync
        (True, True, T, LATER, True, Direction.TO_DYNAMICS),  # the later edit wins
        (True, True, LATER, T, True, Direction.TO_XERO),
        (True, True, T, T, True, Direction.TO_XERO),  # a tie: Dynamics wins
        (True, True, None, T, True, Direction.TO_XERO),  # a time unknown: Dynamics wins
        (True, True, T, LATER, False, Direction.TO_XERO),  # one-way: Dynamics always
        (True, True, datetime(2026, 3, 10, 9, 0), LATER, True, Direction.TO_DYNAMICS),  # naive times are UTC
    ],
)
def test_the_conflict_rule_for_contact_edits_on_both_sides(d_changed, x_changed, d_time, x_time, two_way, expected):
    assert (
        contact_edit_direction(
            dynamics_changed=d_changed,
            xero_changed=x_changed,
            dynamics_modified_on=d_time,
            xero_updated_on=x_time,
            two_way=two_way,
        )
        is expected
    )
