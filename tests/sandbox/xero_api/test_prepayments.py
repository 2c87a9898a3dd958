"""Prepayments and overpayments: made by bank transactions, listed, allocated to invoices like credit notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from xero_python.accounting import AccountingApi
from xero_python.accounting.models import Account as AccountRef
from xero_python.accounting.models import (
    Allocation,
    Allocations,
    BankTransaction,
    BankTransactions,
    Contact,
    Invoice,
    LineAmountTypes,
    LineItem,
)

from tests.sandbox.xero_api.client import SdkSession
from tests.sandbox.xero_helpers import connect


def bank_transaction(api, bank_type, contact, *, amount=115, **fields):
    """A prepayment of 115.00 including GST, or an overpayment of 115.00 (no tax), from or to the contact."""
    element = {
        "Type": bank_type,
        "Contact": {"ContactID": contact["ContactID"]},
        "BankAccount": {"Code": "090"},
        "Date": "2026-03-01",
        "LineItems": [{"Description": "Paid ahead", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}],
        **fields,
    }
    if bank_type.endswith("PREPAYMENT"):
        element.setdefault("LineAmountTypes", "Inclusive")
    else:
        element["LineItems"] = [{"Description": "Paid twice", "LineAmount": amount}]
        element.setdefault("LineAmountTypes", "NoTax")
    return api.put("/BankTransactions", json={"BankTransactions": [element]})


def created(api, bank_type, contact, **fields):
    response = bank_transaction(api, bank_type, contact, **fields)
    assert response.status_code == 200, response.text
    return response.json()["BankTransactions"][0]


def credit(api, collection, credit_id):
    return api.get(f"/{collection}/{credit_id}").json()[collection][0]


def allocate(api, collection, credit_id, invoice, amount, **fields):
    return api.put(
        f"/{collection}/{credit_id}/Allocations",
        json={
            "Allocations": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": amount, "Date": "2026-03-05", **fields}]
        },
    )


# --- made by bank transactions -----------------------------------------------------------------------------
def test_a_receive_prepayment_makes_an_authorised_prepayment_with_all_its_credit_left(api):
    contact = api.new_contact()
    made = created(api, "RECEIVE-PREPAYMENT", contact, Reference="Deposit")
    assert (made["Type"], made["Status"], made["Total"], made["TotalTax"], made["BankAccount"]["Code"]) == (
        "RECEIVE-PREPAYMENT",
        "AUTHORISED",
        115,
        15,
        "090",
    )
    prepayment = credit(api, "Prepayments", made["PrepaymentID"])
    assert (prepayment["Type"], prepayment["Status"], prepayment["Total"], prepayment["RemainingCredit"]) == (
        "RECEIVE-PREPAYMENT",
        "AUTHORISED",
        115,
        115,
    )
    assert prepayment["Contact"]["ContactID"] == contact["ContactID"] and prepayment["Allocations"] == []
    assert prepayment["LineItems"][0]["AccountCode"] == "200" and prepayment["Date"] == made["Date"]
    assert (
        api.get(f"/BankTransactions/{made['BankTransactionID']}").json()["BankTransactions"][0]["PrepaymentID"]
        == (made["PrepaymentID"])
    )


def test_a_receive_overpayment_makes_an_overpayment_without_tax(api):
    made = created(api, "RECEIVE-OVERPAYMENT", api.new_contact(), amount=40)
    overpayment = credit(api, "Overpayments", made["OverpaymentID"])
    assert (overpayment["Type"], overpayment["Status"], overpayment["Total"], overpayment["TotalTax"]) == (
        "RECEIVE-OVERPAYMENT",
        "AUTHORISED",
        40,
        0,
    )
    assert (overpayment["RemainingCredit"], overpayment["LineAmountTypes"]) == (40, "NoTax")


def test_a_spend_prepayment_makes_a_supplier_prepayment(api):
    made = created(
        api,
        "SPEND-PREPAYMENT",
        api.new_contact(),
        LineItems=[{"Description": "Deposit", "Quantity": 1, "UnitAmount": 50, "AccountCode": "400"}],
    )
    assert credit(api, "Prepayments", made["PrepaymentID"])["Type"] == "SPEND-PREPAYMENT"


def test_an_overpayment_with_tax_is_refused(api):
    response = bank_transaction(api, "RECEIVE-OVERPAYMENT", api.new_contact(), LineAmountTypes="Exclusive")
    assert response.status_code == 400
    assert "Overpayments carry no tax" in response.json()["Elements"][0]["ValidationErrors"][0]["Message"]


def test_a_prepayment_needs_a_bank_account(api):
    response = bank_transaction(api, "RECEIVE-PREPAYMENT", api.new_contact(), BankAccount={"Code": "200"})
    assert "is not a bank account" in response.text


@pytest.mark.parametrize("bank_type", ["RECEIVE", "SPEND", "RECEIVE-TRANSFER"])
def test_other_bank_transactions_are_refused_as_not_emulated(api, bank_type):
    response = bank_transaction(api, bank_type, api.new_contact())
    assert response.status_code == 400 and response.json()["Type"] == "ValidationException"
    [message] = [error["Message"] for error in response.json()["Elements"][0]["ValidationErrors"]]
    assert f"Bank transactions of Type {bank_type} are not emulated" in message


def test_bank_transactions_are_listed_filtered_ordered_paged_and_since_a_moment(api):
    contact = api.new_contact()
    made = [created(api, "RECEIVE-PREPAYMENT", contact, amount=amount) for amount in (11.5, 23)]
    made.append(created(api, "RECEIVE-OVERPAYMENT", contact, amount=34.5))
    where = {"where": f'Contact.ContactID==Guid("{contact["ContactID"]}")', "order": "Total DESC"}
    page = api.get("/BankTransactions", params={**where, "page": 1, "pageSize": 2}).json()
    assert [(made["Type"], made["Total"]) for made in page["BankTransactions"]] == [
        ("RECEIVE-OVERPAYMENT", 34.5),
        ("RECEIVE-PREPAYMENT", 23),
    ]
    assert page["pagination"] == {"page": 1, "pageSize": 2, "pageCount": 2, "itemCount": 3}
    assert page["BankTransactions"][1]["PrepaymentID"] == made[1]["PrepaymentID"]
    assert page["BankTransactions"][0]["LineItems"] and page["BankTransactions"][0]["BankAccount"]["Code"] == "090"
    since = api.get("/BankTransactions", params=where, headers={"If-Modified-Since": _iso(made[-1]["UpdatedDateUTC"])}).json()
    assert [listed["BankTransactionID"] for listed in since["BankTransactions"]] == [made[-1]["BankTransactionID"]]


def test_a_bank_transaction_filter_xero_does_not_have_is_refused_as_not_emulated(api):
    response = api.get("/BankTransactions", params={"Statuses": "AUTHORISED"})
    assert response.status_code == 400 and response.json()["Type"] == "ValidationException", response.text
    assert "The query parameter 'Statuses' is not emulated" in response.json()["Message"]


def test_updating_bank_transactions_is_refused_as_not_emulated(api):
    made = created(api, "RECEIVE-OVERPAYMENT", api.new_contact())
    for path in ("/BankTransactions", f"/BankTransactions/{made['BankTransactionID']}"):
        response = api.post(path, json={"BankTransactions": [{"Reference": "changed"}]})
        assert response.status_code == 501 and f"POST /api.xro/2.0{path} is not emulated" in response.json()["Message"]


def test_refunding_a_prepayment_by_payment_is_refused_as_not_emulated(api):
    made = created(api, "RECEIVE-PREPAYMENT", api.new_contact())
    response = api.put(
        "/Payments",
        json={"Payments": [{"Prepayment": {"PrepaymentID": made["PrepaymentID"]}, "Account": {"Code": "090"}, "Amount": 5}]},
    )
    assert response.status_code == 400
    assert (
        "Payments refunding a prepayment or an overpayment are not emulated"
        in response.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    )
    assert credit(api, "Prepayments", made["PrepaymentID"])["RemainingCredit"] == 115


# --- listed ------------------------------------------------------------------------------------------------
def test_prepayments_are_listed_paged_and_since_a_moment(api):
    contact = api.new_contact()
    made = [created(api, "RECEIVE-PREPAYMENT", contact, amount=amount) for amount in (11.5, 23, 34.5)]
    where = {"where": f'Contact.ContactID==Guid("{contact["ContactID"]}")', "order": "Total DESC"}
    page = api.get("/Prepayments", params={**where, "page": 1, "pageSize": 2}).json()
    assert [prepayment["Total"] for prepayment in page["Prepayments"]] == [34.5, 23]
    assert page["pagination"] == {"page": 1, "pageSize": 2, "pageCount": 2, "itemCount": 3}
    latest = credit(api, "Prepayments", made[-1]["PrepaymentID"])
    since = api.get("/Prepayments", params=where, headers={"If-Modified-Since": _iso(latest["UpdatedDateUTC"])}).json()
    assert [prepayment["PrepaymentID"] for prepayment in since["Prepayments"]] == [made[-1]["PrepaymentID"]]


def test_overpayments_are_listed_by_status_and_by_reference(api):
    contact = api.new_contact()
    made = created(api, "RECEIVE-OVERPAYMENT", contact, amount=10, Reference="Paid twice in March")
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    allocate(api, "Overpayments", made["OverpaymentID"], invoice, 10)
    where = f'Contact.ContactID==Guid("{contact["ContactID"]}")'
    listed = api.get("/Overpayments", params={"where": f'{where} AND Status=="PAID"'}).json()["Overpayments"]
    assert [(overpayment["OverpaymentID"], overpayment["RemainingCredit"]) for overpayment in listed] == [
        (made["OverpaymentID"], 0)
    ]
    by_reference = api.get("/Overpayments", params={"References": "Paid twice in March"}).json()["Overpayments"]
    assert made["OverpaymentID"] in [overpayment["OverpaymentID"] for overpayment in by_reference]


def test_an_unknown_prepayment_is_not_found(api):
    assert api.get("/Prepayments/00000000-0000-0000-0000-000000000002").status_code == 404


# --- allocated to invoices -------------------------------------------------------------------------------------
def test_a_prepayment_allocated_to_an_invoice_shows_on_the_invoice_and_counts_as_credit(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    made = created(api, "RECEIVE-PREPAYMENT", contact)
    response = allocate(api, "Prepayments", made["PrepaymentID"], invoice, 40)
    assert response.status_code == 200, response.text
    [allocation] = response.json()["Allocations"]
    assert allocation["AllocationID"] and allocation["Prepayment"]["PrepaymentID"] == made["PrepaymentID"]
    after = api.invoice(invoice["InvoiceID"])
    assert (after["AmountCredited"], after["AmountPaid"], after["AmountDue"], after["Status"]) == (40, 0, 75, "AUTHORISED")
    assert [(entry["PrepaymentID"], entry["AppliedAmount"]) for entry in after["Prepayments"]] == [(made["PrepaymentID"], 40)]
    prepayment = credit(api, "Prepayments", made["PrepaymentID"])
    assert (prepayment["RemainingCredit"], prepayment["Allocations"][0]["AllocationID"]) == (75, allocation["AllocationID"])


def test_an_invoice_covered_by_an_overpayment_a_prepayment_and_a_credit_note_becomes_paid(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    overpayment = created(api, "RECEIVE-OVERPAYMENT", contact, amount=50)
    prepayment = created(api, "RECEIVE-PREPAYMENT", contact, amount=42)
    credit_note = api.new_credit_note(contact=contact)
    allocate(api, "Overpayments", overpayment["OverpaymentID"], invoice, 50)
    allocate(api, "Prepayments", prepayment["PrepaymentID"], invoice, 42)
    api.put(
        f"/CreditNotes/{credit_note['CreditNoteID']}/Allocations",
        json={"Allocations": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 23, "Date": "2026-03-06"}]},
    )
    paid = api.invoice(invoice["InvoiceID"])
    assert (paid["Status"], paid["AmountCredited"], paid["AmountDue"]) == ("PAID", 115, 0)
    assert paid["FullyPaidOnDate"] == "/Date(1772755200000+0000)/"  # 2026-03-06, the last credit's date
    assert [entry["AppliedAmount"] for entry in paid["Overpayments"]] == [50]
    assert [entry["AppliedAmount"] for entry in paid["Prepayments"]] == [42]
    assert [entry["AppliedAmount"] for entry in paid["CreditNotes"]] == [23]
    assert credit(api, "Overpayments", overpayment["OverpaymentID"])["Status"] == "PAID"


def test_deleting_an_overpayment_allocation_gives_the_amounts_back(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    made = created(api, "RECEIVE-OVERPAYMENT", contact)
    [allocation] = allocate(api, "Overpayments", made["OverpaymentID"], invoice, 115).json()["Allocations"]
    assert api.invoice(invoice["InvoiceID"])["Status"] == "PAID"
    response = api.delete(f"/Overpayments/{made['OverpaymentID']}/Allocations/{allocation['AllocationID']}")
    assert response.status_code == 200 and response.json()["IsDeleted"] is True
    after = api.invoice(invoice["InvoiceID"])
    assert (after["Status"], after["AmountDue"], after["AmountCredited"], after["Overpayments"]) == ("AUTHORISED", 115, 0, [])
    overpayment = credit(api, "Overpayments", made["OverpaymentID"])
    assert (overpayment["Status"], overpayment["RemainingCredit"], overpayment["Allocations"][0]["IsDeleted"]) == (
        "AUTHORISED",
        115,
        True,
    )


def test_deleting_a_prepayment_allocation_gives_the_amounts_back(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    made = created(api, "RECEIVE-PREPAYMENT", contact)
    [allocation] = allocate(api, "Prepayments", made["PrepaymentID"], invoice, 15).json()["Allocations"]
    api.delete(f"/Prepayments/{made['PrepaymentID']}/Allocations/{allocation['AllocationID']}")
    assert api.invoice(invoice["InvoiceID"])["AmountDue"] == 115
    assert credit(api, "Prepayments", made["PrepaymentID"])["RemainingCredit"] == 115


def test_a_prepayment_cannot_be_allocated_beyond_its_remaining_credit(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    made = created(api, "RECEIVE-PREPAYMENT", contact, amount=20)
    response = allocate(api, "Prepayments", made["PrepaymentID"], invoice, 30)
    assert response.status_code == 400
    assert "Prepayment cannot be allocated as amount is greater than amount outstanding" in response.text


def test_an_overpayment_cannot_be_allocated_beyond_the_amount_due(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    made = created(api, "RECEIVE-OVERPAYMENT", contact, amount=500)
    response = allocate(api, "Overpayments", made["OverpaymentID"], invoice, 200)
    assert "exceeds the amount due (115.00) on the invoice" in response.text


def test_an_overpayment_goes_only_to_the_same_contacts_invoices(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    made = created(api, "RECEIVE-OVERPAYMENT", api.new_contact())
    response = allocate(api, "Overpayments", made["OverpaymentID"], invoice, 5)
    assert "The overpayment and the invoice must belong to the same contact." in response.text


def test_a_prepayment_goes_only_to_invoices_in_its_currency(au_api):
    contact = au_api.new_contact()
    invoice = au_api.new_invoice(contact=contact, Status="AUTHORISED", CurrencyCode="USD")
    made = created(au_api, "RECEIVE-PREPAYMENT", contact)
    response = allocate(au_api, "Prepayments", made["PrepaymentID"], invoice, 5)
    assert "The prepayment and the invoice must be in the same currency." in response.text


def test_a_receive_prepayment_cannot_go_to_a_bill(api):
    contact = api.new_contact()
    bill = api.new_invoice(
        contact=contact,
        Type="ACCPAY",
        Status="AUTHORISED",
        lines=[{"Description": "Ads", "Quantity": 1, "UnitAmount": 20, "AccountCode": "400"}],
    )
    made = created(api, "RECEIVE-PREPAYMENT", contact)
    response = allocate(api, "Prepayments", made["PrepaymentID"], bill, 5)
    assert "A RECEIVE-PREPAYMENT prepayment can only be allocated to an ACCREC invoice." in response.text


# --- through the official SDK --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sdk(accounting_sandbox):
    session = SdkSession(accounting_sandbox, connect(accounting_sandbox, app_kind="web", tenant_index=0))
    yield session
    session.close()


def test_the_sdk_makes_lists_allocates_and_deallocates_an_overpayment(sdk, accounting_sandbox, api):
    accounting = AccountingApi(sdk.api_client, base_url=accounting_sandbox.xero["api_url"])
    tenant, contact = sdk.tenant_id, api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    [made] = accounting.create_bank_transactions(
        tenant,
        BankTransactions(
            bank_transactions=[
                BankTransaction(
                    type="RECEIVE-OVERPAYMENT",
                    contact=Contact(contact_id=contact["ContactID"]),
                    bank_account=AccountRef(code="090"),
                    line_amount_types=LineAmountTypes.NOTAX,
                    line_items=[LineItem(description="Paid twice", line_amount=60.0)],
                )
            ]
        ),
    ).bank_transactions
    [overpayment] = accounting.get_overpayment(tenant, made.overpayment_id).overpayments
    assert (overpayment.remaining_credit, overpayment.status) == (60, "AUTHORISED")
    listed = accounting.get_overpayments(tenant, where=f'Contact.ContactID==Guid("{contact["ContactID"]}")', page=1).overpayments
    assert [entry.overpayment_id for entry in listed] == [made.overpayment_id]
    [allocation] = accounting.create_overpayment_allocations(
        tenant,
        made.overpayment_id,
        Allocations(
            allocations=[Allocation(invoice=Invoice(invoice_id=invoice["InvoiceID"]), amount=60.0, date=date(2026, 3, 5))]
        ),
    ).allocations
    assert accounting.get_invoice(tenant, invoice["InvoiceID"]).invoices[0].overpayments[0].applied_amount == 60
    deleted = accounting.delete_overpayment_allocations(tenant, made.overpayment_id, allocation.allocation_id)
    assert deleted.is_deleted is True
    assert accounting.get_invoice(tenant, invoice["InvoiceID"]).invoices[0].amount_due == 115


def test_the_sdk_lists_prepayments_modified_since_a_moment(sdk, accounting_sandbox, api):
    accounting = AccountingApi(sdk.api_client, base_url=accounting_sandbox.xero["api_url"])
    contact = api.new_contact()
    made = created(api, "RECEIVE-PREPAYMENT", contact)
    where = f'Contact.ContactID==Guid("{contact["ContactID"]}")'
    later = datetime.now(UTC) + timedelta(hours=1)
    assert accounting.get_prepayments(sdk.tenant_id, where=where, if_modified_since=later).prepayments == []
    [found] = accounting.get_prepayments(sdk.tenant_id, where=where).prepayments
    assert (str(found.prepayment_id), found.remaining_credit) == (made["PrepaymentID"], 115)


def _iso(ms_date: str) -> str:
    """`/Date(1773964800123+0000)/` as the ISO moment If-Modified-Since takes."""
    millis = int(ms_date[6:-7])
    return datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="milliseconds")
