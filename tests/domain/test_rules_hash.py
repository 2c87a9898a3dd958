from datetime import date
from decimal import Decimal as D

import pytest

from dxconnector.domain.records import InvoiceType
from dxconnector.domain.rules import content_hash

KEY = b"connection-secret"
BODY = {"Type": "ACCREC", "Date": "2026-03-10", "LineItems": [{"Description": "Widget", "Quantity": D(2),
                                                                "UnitAmount": D("10.00")}]}


def test_the_hash_is_keyed_hex_sha256():
    digest = content_hash(BODY, KEY)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert content_hash(BODY, b"another key") != digest


@pytest.mark.parametrize("same", [
    dict(BODY),
    {"LineItems": BODY["LineItems"], "Date": "2026-03-10", "Type": "ACCREC"},  # key order
    {**BODY, "LineItems": [{"Description": "Widget", "Quantity": D("2.0"), "UnitAmount": D("10")}]},  # 10.00 = 10
    {**BODY, "Type": InvoiceType.ACCREC},  # an enum is its value
    {**BODY, "LineItems": [{"Description": "Widget", "Quantity": D(2), "UnitAmount": D("10.00")}]},
])
def test_the_hash_does_not_change_when_nothing_sent_changes(same):
    assert content_hash(same, KEY) == content_hash(BODY, KEY)


@pytest.mark.parametrize("different", [
    {**BODY, "Type": "ACCPAY"},
    {**BODY, "Date": "2026-03-11"},
    {**BODY, "Reference": "PO 1"},
    {**BODY, "LineItems": [{"Description": "Widget", "Quantity": D(3), "UnitAmount": D("10.00")}]},
    {**BODY, "LineItems": [{"Description": "Widget", "Quantity": D(2), "UnitAmount": D("10.01")}]},
    {**BODY, "LineItems": [{"Description": "Widgets", "Quantity": D(2), "UnitAmount": D("10.00")}]},
    {**BODY, "LineItems": BODY["LineItems"] * 2},
])
def test_the_hash_changes_when_a_sent_field_changes(different):
    assert content_hash(different, KEY) != content_hash(BODY, KEY)


def test_composed_and_decomposed_accents_hash_alike():
    assert content_hash({"Name": "Zoë"}, KEY) == content_hash({"Name": "Zoe\u0308"}, KEY)


def test_dates_hash_as_iso_dates():
    assert content_hash({"Date": date(2026, 3, 10)}, KEY) == content_hash({"Date": "2026-03-10"}, KEY)


def test_a_hash_without_a_key_is_refused():
    with pytest.raises(ValueError):
        content_hash(BODY, b"")
