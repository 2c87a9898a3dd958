"""Reading lists: where, order, paging, If-Modified-Since, the id/number/status filters, summaryOnly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.sandbox.xero_api.client import unique


@pytest.fixture
def marked(api):
    """Three invoices sharing a unique Reference, so a test can list exactly them."""
    marker = unique("ref")
    contact = api.new_contact()
    invoices = [
        api.new_invoice(
            contact=contact,
            Reference=marker,
            Date=day,
            Status=status,
            lines=[{"Description": "x", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}],
        )
        for day, status, amount in (
            ("2026-01-10", "DRAFT", 10),
            ("2026-02-10", "AUTHORISED", 30),
            ("2026-03-10", "AUTHORISED", 20),
        )
    ]
    return marker, contact, invoices


def numbers(response):
    return [invoice["InvoiceNumber"] for invoice in response.json()["Invoices"]]


def listed(api, marker, where="", headers=None, **params):
    clause = f'Reference=="{marker}"' + (f" AND {where}" if where else "")
    return api.get("/Invoices", params={"where": clause, **params}, headers=headers)


def test_where_combines_equality_inequality_and_or(api, marked):
    marker, _, invoices = marked
    assert numbers(listed(api, marker, 'Status=="AUTHORISED"')) == [invoices[1]["InvoiceNumber"], invoices[2]["InvoiceNumber"]]
    assert numbers(listed(api, marker, 'Status!="AUTHORISED"')) == [invoices[0]["InvoiceNumber"]]
    either = f'(InvoiceNumber=="{invoices[0]["InvoiceNumber"]}" OR InvoiceNumber=="{invoices[2]["InvoiceNumber"]}")'
    assert numbers(listed(api, marker, either)) == [invoices[0]["InvoiceNumber"], invoices[2]["InvoiceNumber"]]


def test_where_follows_dotted_paths_and_guids(api, marked):
    marker, contact, _invoices = marked
    assert len(listed(api, marker, f'Contact.ContactID==Guid("{contact["ContactID"].upper()}")').json()["Invoices"]) == 3
    assert listed(api, marker, 'Contact.ContactID==Guid("00000000-0000-0000-0000-000000000000")').json()["Invoices"] == []
    assert len(listed(api, marker, f'Contact.Name=="{contact["Name"]}"').json()["Invoices"]) == 3


def test_where_compares_dates_numbers_and_booleans(api, marked):
    marker, _, invoices = marked
    assert numbers(listed(api, marker, "Date>=DateTime(2026, 02, 10)")) == [
        invoices[1]["InvoiceNumber"],
        invoices[2]["InvoiceNumber"],
    ]
    assert numbers(listed(api, marker, "Date<DateTime(2026,2,1) AND Total>10")) == [invoices[0]["InvoiceNumber"]]
    assert len(listed(api, marker, "HasAttachments==false").json()["Invoices"]) == 3


def test_where_supports_contains_and_starts_with(api, marked):
    marker, contact, _ = marked
    assert len(api.get("/Invoices", params={"where": f'Reference.Contains("{marker[4:]}")'}).json()["Invoices"]) == 3
    assert len(api.get("/Contacts", params={"where": f'Name.StartsWith("{contact["Name"][:-2]}")'}).json()["Contacts"]) == 1


def test_order_sorts_ascending_and_descending(api, marked):
    marker, _, invoices = marked
    by_total = [invoice["InvoiceNumber"] for invoice in sorted(invoices, key=lambda invoice: invoice["Total"])]
    assert numbers(listed(api, marker, order="Total ASC")) == by_total
    assert numbers(listed(api, marker, order="Total DESC")) == by_total[::-1]
    assert numbers(listed(api, marker, order="Date DESC")) == [invoice["InvoiceNumber"] for invoice in invoices[::-1]]


def test_paging_reports_pagination_and_defaults_to_100_per_page(api, marked):
    marker, _, invoices = marked
    first = listed(api, marker, page=1, pageSize=2).json()
    second = listed(api, marker, page=2, pageSize=2).json()
    assert first["pagination"] == {"page": 1, "pageSize": 2, "pageCount": 2, "itemCount": 3}
    assert numbers_of(first) + numbers_of(second) == [invoice["InvoiceNumber"] for invoice in invoices]
    assert listed(api, marker, page=1).json()["pagination"]["pageSize"] == 100
    assert listed(api, marker, page=1, pageSize=5000).json()["pagination"]["pageSize"] == 1000
    assert listed(api, marker, page=9, pageSize=2).json()["Invoices"] == []


def numbers_of(body):
    return [invoice["InvoiceNumber"] for invoice in body["Invoices"]]


def updated_at(record) -> datetime:
    milliseconds = int(record["UpdatedDateUTC"][6:19])
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=milliseconds)


@pytest.mark.parametrize("spelling", ["iso-offset", "iso-naive", "iso-other-zone", "rfc1123"])
def test_if_modified_since_accepts_iso_and_rfc_1123(api, marked, spelling):
    marker, _, invoices = marked
    since = updated_at(invoices[2]).replace(microsecond=0)
    header = {
        "iso-offset": since.isoformat(),
        "iso-naive": since.replace(tzinfo=None).isoformat(),
        "iso-other-zone": since.astimezone(datetime.now().astimezone().tzinfo).isoformat(),
        "rfc1123": format_datetime(since, usegmt=True),
    }[spelling]
    listed_since = listed(api, marker, headers={"If-Modified-Since": header})
    assert invoices[2]["InvoiceNumber"] in numbers(listed_since)
    later = (updated_at(invoices[2]) + timedelta(seconds=2)).isoformat()
    assert numbers(listed(api, marker, headers={"If-Modified-Since": later})) == []


def test_a_bad_if_modified_since_is_a_400(api):
    assert api.get("/Invoices", headers={"If-Modified-Since": "yesterday"}).status_code == 400


def test_id_number_contact_and_status_filters(api, marked):
    _, contact, invoices = marked
    ids = ",".join(invoice["InvoiceID"] for invoice in invoices[:2])
    assert numbers(api.get("/Invoices", params={"IDs": ids})) == [invoice["InvoiceNumber"] for invoice in invoices[:2]]
    assert numbers(api.get("/Invoices", params={"InvoiceNumbers": invoices[2]["InvoiceNumber"]})) == [
        invoices[2]["InvoiceNumber"]
    ]
    by_contact = api.get("/Invoices", params={"ContactIDs": contact["ContactID"], "Statuses": "DRAFT,SUBMITTED"})
    assert numbers(by_contact) == [invoices[0]["InvoiceNumber"]]


def test_created_by_my_app_leaves_out_other_apps_invoices(api, custom_api, marked):
    marker, contact, invoices = marked
    theirs = custom_api.new_invoice(contact=contact, Reference=marker)
    assert custom_api.tenant_id == api.tenant_id
    assert len(listed(api, marker).json()["Invoices"]) == 4
    mine = listed(api, marker, createdByMyApp="True").json()["Invoices"]
    assert [invoice["InvoiceID"] for invoice in mine] == [invoice["InvoiceID"] for invoice in invoices]
    [only_theirs] = listed(custom_api, marker, createdByMyApp="True").json()["Invoices"]
    assert only_theirs["InvoiceID"] == theirs["InvoiceID"]


def test_summary_only_leaves_out_lines_and_payments(api, marked):
    marker, _, _ = marked
    [summary, *_] = listed(api, marker, page=1, summaryOnly="True").json()["Invoices"]
    assert "LineItems" not in summary and "Payments" not in summary and summary["Total"] > 0


def test_search_term_finds_invoices_by_reference(api, marked):
    marker, _, _invoices = marked
    assert len(api.get("/Invoices", params={"searchTerm": marker.upper()}).json()["Invoices"]) == 3


@pytest.mark.parametrize(
    "where", ['Status=="DRAFT" AND', 'Status=="DRAFT"))', 'Contact.ContactID==Guid("nope")', "Date>=DateTime(2026)"]
)
def test_a_malformed_where_is_a_query_parse_error(api, where):
    response = api.get("/Invoices", params={"where": where})
    assert response.status_code == 400 and response.json()["Type"] == "QueryParseException"


def test_a_malformed_order_is_a_query_parse_error(api):
    assert api.get("/Invoices", params={"order": "Total UPWARDS"}).json()["Type"] == "QueryParseException"


def test_paging_without_where_or_order_gives_the_same_records_as_the_whole_list(api, marked):
    _, _, invoices = marked
    since = {"If-Modified-Since": updated_at(invoices[0]).replace(microsecond=0).isoformat()}
    whole = ids_of(api.get("/Invoices", headers=since).json())
    first = api.get("/Invoices", params={"page": 1, "pageSize": 2}, headers=since).json()
    pages = [first] + [
        api.get("/Invoices", params={"page": n, "pageSize": 2}, headers=since).json()
        for n in range(2, first["pagination"]["pageCount"] + 1)
    ]
    assert first["pagination"]["itemCount"] == len(whole) >= 3
    assert [invoice_id for page in pages for invoice_id in ids_of(page)] == whole


def ids_of(body):
    return [invoice["InvoiceID"] for invoice in body["Invoices"]]  # bills may carry no number
