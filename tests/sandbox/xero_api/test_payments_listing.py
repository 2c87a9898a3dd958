"""GET /Payments as a poller reads it: changes since a moment, page by page, deleted payments included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from xero_python.accounting import AccountingApi

from tests.sandbox.xero_api.client import SdkSession
from tests.sandbox.xero_helpers import connect


def moment_of(ms_date: str) -> datetime:
    """`/Date(1773964800123+0000)/` as an aware datetime."""
    return datetime.fromtimestamp(int(ms_date[6:-7]) / 1000, UTC)


def paid(api, amounts):
    invoice = api.new_invoice(Status="AUTHORISED")
    return invoice, [api.pay(invoice, amount).json()["Payments"][0] for amount in amounts]


def test_only_payments_changed_since_the_moment_are_listed(api):
    _, [earlier] = paid(api, [1])
    _, [later] = paid(api, [2])
    since = moment_of(later["UpdatedDateUTC"]).isoformat(timespec="milliseconds")
    listed = api.get("/Payments", headers={"If-Modified-Since": since}).json()["Payments"]
    ids = [payment["PaymentID"] for payment in listed]
    assert later["PaymentID"] in ids and earlier["PaymentID"] not in ids


def test_a_deleted_payment_is_listed_as_deleted_with_a_later_update_time(api):
    invoice, [payment] = paid(api, [5])
    since = moment_of(payment["UpdatedDateUTC"]).isoformat(timespec="milliseconds")
    api.post(f"/Payments/{payment['PaymentID']}", json={"Status": "DELETED"})
    where = {"where": f'Invoice.InvoiceID==Guid("{invoice["InvoiceID"]}")'}
    [listed] = api.get("/Payments", params=where, headers={"If-Modified-Since": since}).json()["Payments"]
    assert (listed["PaymentID"], listed["Status"], listed["Amount"]) == (payment["PaymentID"], "DELETED", 5)
    assert listed["UpdatedDateUTC"] > payment["UpdatedDateUTC"]
    assert listed["UpdatedDateUTCString"] >= payment["UpdatedDateUTCString"]
    assert api.get(f"/Payments/{payment['PaymentID']}").json()["Payments"][0]["Status"] == "DELETED"


def test_payments_since_a_moment_come_page_by_page(api):
    invoice, made = paid(api, [1, 2, 3])
    since = moment_of(made[0]["UpdatedDateUTC"]).isoformat(timespec="milliseconds")
    pages = [
        api.get("/Payments", params={"page": page, "pageSize": 2}, headers={"If-Modified-Since": since}).json()
        for page in (1, 2, 3)
    ]
    assert [page["pagination"] for page in pages] == [
        {"page": number, "pageSize": 2, "pageCount": 2, "itemCount": 3} for number in (1, 2, 3)
    ]
    assert [[payment["Amount"] for payment in page["Payments"]] for page in pages] == [[1, 2], [3], []]
    assert {payment["Invoice"]["InvoiceID"] for page in pages for payment in page["Payments"]} == {invoice["InvoiceID"]}


# --- through the official SDK --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sdk(accounting_sandbox):
    session = SdkSession(accounting_sandbox, connect(accounting_sandbox, app_kind="web", tenant_index=0))
    yield session
    session.close()


def test_the_sdk_polls_payments_since_a_moment_and_sees_a_deletion(sdk, accounting_sandbox, api):
    accounting = AccountingApi(sdk.api_client, base_url=accounting_sandbox.xero["api_url"])
    _, [kept, deleted] = paid(api, [4, 6])
    api.post(f"/Payments/{deleted['PaymentID']}", json={"Status": "DELETED"})
    since = moment_of(kept["UpdatedDateUTC"])
    answer = accounting.get_payments(sdk.tenant_id, if_modified_since=since, page=1, page_size=10)
    statuses = {str(payment.payment_id): payment.status for payment in answer.payments}
    assert statuses == {kept["PaymentID"]: "AUTHORISED", deleted["PaymentID"]: "DELETED"}
    assert answer.pagination.item_count == 2
