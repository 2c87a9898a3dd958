"""One notion of "the same" for our copy of an invoice and Xero's, shared by the paid-invoice rule and verify."""

from decimal import Decimal as D

import pytest

from dxconnector.domain import compare


@pytest.mark.parametrize(
    ("field", "ours", "theirs", "same"),
    [
        ("Date", "2026-03-01", "/Date(1772323200000+0000)/", True),  # the same day, in either of Xero's shapes
        ("Date", "2026-03-01", "/Date(1772409600000+0000)/", False),
        ("Contact", {"ContactID": "ABC"}, {"ContactID": "abc", "Name": "Acme"}, True),
        (
            "Tracking",
            [{"Name": "Region", "Option": "North"}],
            [{"Name": "region", "Option": "NORTH", "TrackingOptionID": "x"}],
            True,
        ),
        ("Tracking", [{"Name": "Region", "Option": "North"}], [], False),
        ("Quantity", D("2"), 2.0, True),
        ("UnitAmount", D("10.50"), D("10.5000"), True),
        ("DiscountRate", None, 0, True),  # none is nought
        ("ItemCode", "pad-1", "PAD-1", True),
        ("BrandingThemeID", "ABC", "abc", True),
        ("Reference", "Spring order", "spring order", False),  # text exactly
        ("Reference", None, "", True),
    ],
)
def test_a_field_is_the_same_by_its_kind(field, ours, theirs, same):
    assert compare.same(field, ours, theirs) is same


def test_a_description_only_line_leaves_its_quantity_and_amount_to_xero():
    assert compare.line_changes({"Description": "Note"}, {"Description": "Note", "Quantity": 1.0, "UnitAmount": 0.0}) == []


def test_what_we_send_no_item_or_tracking_for_must_not_be_in_xero():
    ours = {"Description": "Work", "Quantity": D(1), "UnitAmount": D(10)}
    theirs = {**ours, "ItemCode": "PAD-1", "Tracking": [{"Name": "Region", "Option": "North"}]}
    assert compare.line_changes(ours, theirs) == ["ItemCode", "Tracking"]


@pytest.mark.parametrize(
    ("ours", "theirs", "changes"),
    [
        ({"DiscountRate": D(10)}, {"DiscountRate": 10.0, "DiscountAmount": 2.5}, []),  # the one we send is compared
        ({"DiscountAmount": D("2.5")}, {"DiscountAmount": 2.5, "DiscountRate": 10.0}, []),
        ({}, {"DiscountRate": 10.0}, ["DiscountRate"]),  # none sent: Xero must have none either
    ],
)
def test_of_the_two_discounts_the_one_sent_is_compared(ours, theirs, changes):
    base = {"Description": "Work", "Quantity": D(1), "UnitAmount": D(25)}
    assert compare.line_changes({**base, **ours}, {**base, **theirs}) == changes


def test_lines_are_named_by_position_and_a_different_count_names_the_lines():
    ours = [{"Description": "A", "Quantity": D(1)}, {"Description": "B", "Quantity": D(2)}]
    theirs = [{"Description": "A", "Quantity": 1}, {"Description": "B", "Quantity": 3}]
    assert compare.labelled(compare.lines_changes(ours, theirs)) == ["LineItems[2].Quantity"]
    assert compare.labelled(compare.lines_changes(ours, theirs[:1])) == ["LineItems"]


def test_the_header_compares_what_we_send_or_the_fields_asked_for():
    ours = {"InvoiceID": "x", "Status": "DRAFT", "Reference": "New", "Date": "2026-03-01", "LineItems": []}
    theirs = {
        "InvoiceID": "x",
        "Status": "AUTHORISED",
        "Reference": "Old",
        "Date": "2026-03-01T00:00:00",
        "DueDate": "2026-04-01",
    }
    assert compare.header_changes(ours, theirs) == ["Reference"]  # ids, status and lines are not compared here
    assert compare.header_changes(ours, theirs, ["DueDate"]) == ["DueDate"]
