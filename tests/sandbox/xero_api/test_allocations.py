"""Credit note allocations carry an AllocationID and can be deleted, which gives both amounts back."""

from __future__ import annotations

import pytest
from xero_python.accounting import AccountingApi

from dxsandbox.common.store import DocumentStore
from dxsandbox.xero import seed
from dxsandbox.xero.api.accounting import AccountingApi as SandboxAccountingApi
from dxsandbox.xero.api.accounting import allocations, contacts, transactions
from dxsandbox.xero.api.accounting.allocations import CREDIT_NOTE_CREDIT
from dxsandbox.xero.api.accounting.transactions import CREDIT_NOTES, INVOICES
from dxsandbox.xero.events import RecordingSink
from dxsandbox.xero.oauth import XeroIdentity
from tests.sandbox.xero_api.client import SdkSession
from tests.sandbox.xero_helpers import connect


def allocate(api, credit_note, invoice, amount):
    response = api.put(
        f"/CreditNotes/{credit_note['CreditNoteID']}/Allocations",
        json={"Allocations": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": amount, "Date": "2026-03-04"}]},
    )
    assert response.status_code == 200, response.text
    return response.json()["Allocations"][0]


def credit_note_now(api, credit_note):
    return api.get(f"/CreditNotes/{credit_note['CreditNoteID']}").json()["CreditNotes"][0]


def allocated_pair(api, amount=23):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    credit_note = api.new_credit_note(contact=contact)
    return invoice, credit_note, allocate(api, credit_note, invoice, amount)


def test_an_allocation_has_an_id_the_credit_note_lists_it_under(api):
    _, credit_note, allocation = allocated_pair(api, 20)
    assert allocation["AllocationID"] and allocation["IsDeleted"] is False
    [listed] = credit_note_now(api, credit_note)["Allocations"]
    assert (listed["AllocationID"], listed["Amount"], listed["IsDeleted"]) == (allocation["AllocationID"], 20, False)


def test_deleting_an_allocation_gives_the_invoice_and_the_credit_note_their_amounts_back(api):
    invoice, credit_note, allocation = allocated_pair(api, 23)
    paid_credit, before = credit_note_now(api, credit_note), api.invoice(invoice["InvoiceID"])
    assert (paid_credit["Status"], before["AmountCredited"], before["AmountDue"]) == ("PAID", 23, 92)

    response = api.delete(f"/CreditNotes/{credit_note['CreditNoteID']}/Allocations/{allocation['AllocationID']}")

    assert response.status_code == 200, response.text
    deleted = response.json()
    assert (deleted["AllocationID"], deleted["Amount"], deleted["IsDeleted"]) == (allocation["AllocationID"], 23, True)
    assert deleted["Invoice"]["InvoiceID"] == invoice["InvoiceID"] and deleted["CreditNote"]["RemainingCredit"] == 23
    after = api.invoice(invoice["InvoiceID"])
    assert (after["AmountCredited"], after["AmountDue"], after["Status"], after["CreditNotes"]) == (0, 115, "AUTHORISED", [])
    assert after["UpdatedDateUTC"] > before["UpdatedDateUTC"]
    credit_after = credit_note_now(api, credit_note)
    assert (credit_after["RemainingCredit"], credit_after["Status"]) == (23, "AUTHORISED")
    assert credit_after["UpdatedDateUTC"] > paid_credit["UpdatedDateUTC"]
    assert [(entry["AllocationID"], entry["IsDeleted"]) for entry in credit_after["Allocations"]] == [
        (allocation["AllocationID"], True)
    ]


def test_only_the_deleted_allocation_comes_back_when_one_credit_note_was_allocated_twice(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    credit_note = api.new_credit_note(contact=contact)
    first, second = allocate(api, credit_note, invoice, 5), allocate(api, credit_note, invoice, 7)
    api.delete(f"/CreditNotes/{credit_note['CreditNoteID']}/Allocations/{first['AllocationID']}")
    after = api.invoice(invoice["InvoiceID"])
    assert (after["AmountCredited"], [entry["AppliedAmount"] for entry in after["CreditNotes"]]) == (7, [7])
    assert credit_note_now(api, credit_note)["RemainingCredit"] == 16
    assert second["AllocationID"] != first["AllocationID"]


def test_the_credit_freed_by_a_deletion_can_be_allocated_again(api):
    invoice, credit_note, allocation = allocated_pair(api, 23)
    api.delete(f"/CreditNotes/{credit_note['CreditNoteID']}/Allocations/{allocation['AllocationID']}")
    allocate(api, credit_note, invoice, 10)
    assert api.invoice(invoice["InvoiceID"])["AmountCredited"] == 10
    assert credit_note_now(api, credit_note)["RemainingCredit"] == 13


def test_once_its_allocation_is_deleted_the_invoice_can_be_voided(api):
    invoice, credit_note, allocation = allocated_pair(api, 10)
    locked = api.post(f"/Invoices/{invoice['InvoiceID']}", json={"Invoices": [{"Status": "VOIDED"}]})
    assert locked.status_code == 400 and "cannot be voided as it has payments or credit allocated" in locked.text
    api.delete(f"/CreditNotes/{credit_note['CreditNoteID']}/Allocations/{allocation['AllocationID']}")
    voided = api.post(f"/Invoices/{invoice['InvoiceID']}", json={"Invoices": [{"Status": "VOIDED"}]})
    assert voided.status_code == 200 and voided.json()["Invoices"][0]["Status"] == "VOIDED"


def test_an_allocation_cannot_be_deleted_twice(api):
    _, credit_note, allocation = allocated_pair(api, 3)
    path = f"/CreditNotes/{credit_note['CreditNoteID']}/Allocations/{allocation['AllocationID']}"
    api.delete(path)
    again = api.delete(path)
    assert again.status_code == 400 and again.json()["Message"] == "This allocation has already been deleted."


def test_an_unknown_allocation_is_not_found(api):
    _, credit_note, _ = allocated_pair(api, 3)
    other = "00000000-0000-0000-0000-000000000001"
    response = api.delete(f"/CreditNotes/{credit_note['CreditNoteID']}/Allocations/{other}")
    assert response.status_code == 404 and other in response.json()["Detail"]


# --- through the official SDK --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sdk(accounting_sandbox):
    session = SdkSession(accounting_sandbox, connect(accounting_sandbox, app_kind="web", tenant_index=0))
    yield session
    session.close()


def test_the_sdk_deletes_a_credit_note_allocation(sdk, accounting_sandbox, api):
    invoice, credit_note, allocation = allocated_pair(api, 8)
    accounting = AccountingApi(sdk.api_client, base_url=accounting_sandbox.xero["api_url"])
    deleted = accounting.delete_credit_note_allocations(sdk.tenant_id, credit_note["CreditNoteID"], allocation["AllocationID"])
    assert (str(deleted.allocation_id), deleted.is_deleted, deleted.amount) == (allocation["AllocationID"], True, 8)
    [read] = accounting.get_credit_note(sdk.tenant_id, credit_note["CreditNoteID"]).credit_notes
    assert read.remaining_credit == 23 and read.allocations[0].is_deleted is True
    assert accounting.get_invoice(sdk.tenant_id, invoice["InvoiceID"]).invoices[0].amount_due == 115


# --- the change events --------------------------------------------------------------------------------------
TENANT = seed.ORGANISATIONS[0]["tenant_id"]
LINE = {"Description": "Work", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}


def test_deleting_an_allocation_announces_both_documents_changed(tmp_path):
    sink = RecordingSink()
    store = DocumentStore(tmp_path / "xero.sqlite3")
    accounting = SandboxAccountingApi(store, XeroIdentity(store), sink=sink)
    accounting.seed()

    def commit(change):
        return accounting.commit(TENANT, change, api_base="https://api.example.test/api.xro/2.0")

    contact = commit(lambda work: contacts.save(work, {"Name": "Allocation Events Co"}))
    documents = {
        kind: commit(
            lambda work, kind=kind, doc_type=doc_type: transactions.save(
                work,
                kind,
                {"Type": doc_type, "Contact": {"ContactID": contact["ContactID"]}, "Status": "AUTHORISED", "LineItems": [LINE]},
            )
        )
        for kind, doc_type in ((INVOICES, "ACCREC"), (CREDIT_NOTES, "ACCRECCREDIT"))
    }
    invoice, credit_note = documents[INVOICES], documents[CREDIT_NOTES]
    stored = lambda work: work.books.get(CREDIT_NOTES.store_kind, credit_note["CreditNoteID"])  # noqa: E731
    allocation = commit(
        lambda work: allocations.allocate(
            work, CREDIT_NOTE_CREDIT, stored(work), {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 10}, lambda _: None
        )
    )
    sink.events.clear()

    commit(lambda work: allocations.delete(work, CREDIT_NOTE_CREDIT, stored(work), allocation["AllocationID"], lambda _: None))

    assert sorted((event.category, event.event_type, event.resource_id) for event in sink.events) == sorted(
        [("INVOICE", "UPDATE", invoice["InvoiceID"]), ("CREDITNOTE", "UPDATE", credit_note["CreditNoteID"])]
    )
    [credit_event] = [event for event in sink.events if event.category == "CREDITNOTE"]
    assert credit_event.data == {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"}
