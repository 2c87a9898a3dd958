"""The business rules on their own, without HTTP: totals, due dates, status changes, dates, queries, idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from dxsandbox.xero.api.accounting import status
from dxsandbox.xero.api.accounting.dates import BadDate, ms_date, parse_date, parse_if_modified_since
from dxsandbox.xero.api.accounting.idempotency import CachedResponse, IdempotencyCache, KeyReused, fingerprint
from dxsandbox.xero.api.accounting.query import (
    QueryError,
    apply_order,
    compile_where,
    parse_bool,
    parse_csv,
    parse_page,
)
from dxsandbox.xero.api.accounting.totals import LineFigures, document_totals, line_totals
from dxsandbox.xero.api.accounting.transactions import due_date_for_terms

D = Decimal
GST = D("0.15")


# --- totals -----------------------------------------------------------------------------------------
def test_exclusive_tax_is_added_per_line_and_rounded_half_up():
    line = line_totals(LineFigures(D(1), D("0.10"), GST), "Exclusive")
    assert (line.line_amount, line.tax_amount) == (D("0.10"), D("0.02"))  # 0.015 rounds up


def test_inclusive_tax_is_taken_out_of_the_line():
    line = line_totals(LineFigures(D(1), D("115"), GST), "Inclusive")
    assert (line.line_amount, line.tax_amount) == (D("115.00"), D("15.00"))
    totals = document_totals([line], "Inclusive")
    assert (totals.sub_total, totals.total_tax, totals.total) == (D("100.00"), D("15.00"), D("115.00"))


def test_no_tax_ignores_the_rate():
    assert line_totals(LineFigures(D(2), D(10), GST), "NoTax").tax_amount == D("0.00")


def test_a_discount_rate_and_a_discount_amount_reduce_the_line():
    assert line_totals(LineFigures(D(3), D("9.99"), GST, discount_rate=D(10)), "Exclusive").line_amount == D("26.97")
    by_amount = line_totals(LineFigures(D(1), D(50), GST, discount_amount=D(5)), "Exclusive")
    assert (by_amount.line_amount, by_amount.discount) == (D("45.00"), D("5.00"))


def test_document_totals_add_up_the_rounded_lines():
    lines = [line_totals(LineFigures(D(1), D("0.10"), GST), "Exclusive") for _ in range(3)]
    totals = document_totals(lines, "Exclusive")
    assert (totals.sub_total, totals.total_tax, totals.total) == (D("0.30"), D("0.06"), D("0.36"))


# --- due dates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("terms", "due"),
    [
        (None, date(2026, 2, 14)),
        ({"Type": "DAYSAFTERBILLDATE", "Day": 7}, date(2026, 1, 22)),
        ({"Type": "DAYSAFTERBILLMONTH", "Day": 10}, date(2026, 2, 10)),
        ({"Type": "OFCURRENTMONTH", "Day": 31}, date(2026, 1, 31)),
        ({"Type": "OFFOLLOWINGMONTH", "Day": 31}, date(2026, 2, 28)),
    ],
)
def test_due_dates_follow_payment_terms(terms, due):
    assert due_date_for_terms(date(2026, 1, 15), terms) == due


# --- status -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("current", "requested", "allowed"),
    [
        ("DRAFT", "SUBMITTED", True),
        ("DRAFT", "AUTHORISED", True),
        ("DRAFT", "DELETED", True),
        ("DRAFT", "VOIDED", False),
        ("SUBMITTED", "DRAFT", True),
        ("SUBMITTED", "DELETED", True),
        ("AUTHORISED", "VOIDED", True),
        ("AUTHORISED", "DELETED", False),
        ("AUTHORISED", "DRAFT", False),
        ("AUTHORISED", "PAID", False),
        ("PAID", "AUTHORISED", False),
        ("VOIDED", "AUTHORISED", False),
        ("DELETED", "DRAFT", False),
    ],
)
def test_status_transitions_follow_xero(current, requested, allowed):
    assert (status.transition_problem("Invoice", current, requested, money_applied=False) is None) == allowed


def test_money_applied_prevents_voiding():
    assert status.transition_problem("Invoice", "AUTHORISED", "VOIDED", money_applied=True) is not None


# --- dates ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "given",
    ["2018-10-20", "2018-10-20T00:00:00", "2018-10-20T23:59:59-08:00", "/Date(1539993600000)/", "/Date(1539993600000+0000)/"],
)
def test_dates_are_read_in_every_format_and_written_the_ms_way(given):
    assert ms_date(parse_date(given)) == "/Date(1539993600000+0000)/"


def test_if_modified_since_reads_rfc_1123_and_iso():
    expected = datetime(2020, 2, 6, 12, 17, 43, tzinfo=UTC)
    assert parse_if_modified_since("Thu, 06 Feb 2020 12:17:43 GMT") == expected
    assert parse_if_modified_since("2020-02-06T12:17:43") == expected
    assert parse_if_modified_since("2020-02-06T04:17:43-08:00") == expected
    with pytest.raises(BadDate):
        parse_if_modified_since("last tuesday")


# --- queries --------------------------------------------------------------------------------------------
RECORD = {
    "Status": "AUTHORISED",
    "Type": "ACCREC",
    "Total": 115.0,
    "IsDiscounted": False,
    "Reference": None,
    "Date": "/Date(1539993600000+0000)/",
    "Contact": {"ContactID": "a3675fc4-f8dd-4f03-ba5b-f1870566bcd7", "Name": "Acme Ltd"},
}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ('Status=="AUTHORISED"', True),
        ('status == "authorised"', True),
        ('Status!="AUTHORISED"', False),
        ('Status=="DRAFT" OR Type=="ACCREC"', True),
        ('Status=="DRAFT" AND Type=="ACCREC"', False),
        ('Status=="DRAFT" || (Type=="ACCREC" && Total>100)', True),
        ("NOT IsDiscounted", True),
        ("IsDiscounted==true", False),
        ('Contact.ContactID==Guid("A3675FC4-F8DD-4F03-BA5B-F1870566BCD7")', True),
        ('Contact.Name.Contains("acme")', True),
        ("Date==DateTime(2018, 10, 20)", True),
        ("Date>DateTime(2018,10,20,0,0,1)", False),
        ("Reference==null", True),
        ('Contact.Name.StartsWith("Ac") AND Contact.Name.EndsWith("Ltd")', True),
        ("Total>=115.00", True),
    ],
)
def test_where_clauses(where, expected):
    assert bool(compile_where(where)(RECORD)) is expected


@pytest.mark.parametrize(
    "where", ["Status==", 'Status=="A" AND', '(Status=="A"', "Name.Explode()", 'Guid("x")==Id', "DateTime(1, 2)"]
)
def test_malformed_where_clauses_are_refused(where):
    with pytest.raises(QueryError):
        compile_where(where)


def test_order_sorts_by_several_fields():
    records = [{"Name": "b", "Total": 1}, {"Name": "a", "Total": 2}, {"Name": "a", "Total": 1}, {"Name": None, "Total": 5}]
    assert apply_order(records, "Name ASC, Total DESC") == [records[3], records[1], records[2], records[0]]


def test_parameters_parse_like_xero_reads_them():
    assert parse_bool("True") and parse_bool("true") and not parse_bool("False") and parse_bool(None, default=True)
    assert parse_csv('"INV-1","INV-2"') == ["INV-1", "INV-2"] and parse_csv("a, b,") == ["a", "b"]
    assert parse_page(None, "10") is None
    assert (parse_page("0", None).number, parse_page("2", None).size, parse_page("1", "99999").size) == (1, 100, 1000)


# --- idempotency -----------------------------------------------------------------------------------------
def test_idempotency_keys_replay_for_six_minutes():
    clock = [1000.0]
    cache = IdempotencyCache(now=lambda: clock[0])
    request = fingerprint("PUT", "/api.xro/2.0/Contacts", [], "tenant", b'{"a": 1}')
    cache.remember("app", "key", request, CachedResponse(200, b"{}", "application/json"))
    assert cache.replay("app", "key", fingerprint("PUT", "/api.xro/2.0/Contacts", [], "tenant", b'{ "a":1 }')) is not None
    assert cache.replay("other-app", "key", request) is None
    with pytest.raises(KeyReused):
        cache.replay("app", "key", fingerprint("PUT", "/api.xro/2.0/Contacts", [], "tenant", b'{"a": 2}'))
    clock[0] += 6 * 60
    assert cache.replay("app", "key", request) is None
