"""The change events the Accounting API hands to its sink (the webhook deliverer) after each commit.

These run the business layer in-process against its own store: the events are the interface, and a
RecordingSink shows exactly what was announced, in order.
"""

from __future__ import annotations

import pytest

from dxsandbox.common.store import DocumentStore
from dxsandbox.xero import seed
from dxsandbox.xero.api.accounting import AccountingApi, contacts, payments, transactions
from dxsandbox.xero.api.accounting.transactions import CREDIT_NOTES, INVOICES
from dxsandbox.xero.api.accounting.validation import ValidationFailure
from dxsandbox.xero.events import RecordingSink
from dxsandbox.xero.oauth import XeroIdentity

TENANT = seed.ORGANISATIONS[0]["tenant_id"]
BASE = "https://api.example.test/api.xro/2.0"
LINE = {"Description": "Work", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def accounting(tmp_path, sink) -> AccountingApi:
    store = DocumentStore(tmp_path / "xero.sqlite3")
    api = AccountingApi(store, XeroIdentity(store), sink=sink)
    api.seed()
    return api


def commit(accounting, change):
    return accounting.commit(TENANT, change, api_base=BASE)


def announced(sink):
    return [(event.category, event.event_type) for event in sink.events]


def test_creating_a_contact_announces_a_contact_create(accounting, sink):
    contact = commit(accounting, lambda work: contacts.save(work, {"Name": "Event Co"}))
    [event] = sink.events
    assert (event.tenant_id, event.category, event.event_type, event.resource_id) == (
        TENANT,
        "CONTACT",
        "CREATE",
        contact["ContactID"],
    )
    assert event.resource_url == f"{BASE}/Contacts/{contact['ContactID']}" and event.data is None


def test_updating_a_contact_announces_an_update(accounting, sink):
    contact = commit(accounting, lambda work: contacts.save(work, {"Name": "Before"}))
    commit(accounting, lambda work: contacts.save(work, {"Name": "After"}, existing=contact))
    assert announced(sink) == [("CONTACT", "CREATE"), ("CONTACT", "UPDATE")]


def test_an_invoice_naming_a_new_contact_announces_both(accounting, sink):
    invoice = commit(
        accounting,
        lambda work: transactions.save(work, INVOICES, {"Type": "ACCREC", "Contact": {"Name": "Inline"}, "LineItems": [LINE]}),
    )
    assert announced(sink) == [("CONTACT", "CREATE"), ("INVOICE", "CREATE")]
    assert sink.events[1].resource_url == f"{BASE}/Invoices/{invoice['InvoiceID']}"


def test_credit_note_events_carry_type_and_status(accounting, sink):
    commit(
        accounting,
        lambda work: transactions.save(
            work,
            CREDIT_NOTES,
            {"Type": "ACCRECCREDIT", "Contact": {"Name": "Credited"}, "Status": "AUTHORISED", "LineItems": [LINE]},
        ),
    )
    assert sink.events[-1].category == "CREDITNOTE"
    assert sink.events[-1].data == {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"}


def test_a_payment_announces_an_invoice_update(accounting, sink):
    invoice = commit(
        accounting,
        lambda work: transactions.save(
            work, INVOICES, {"Type": "ACCREC", "Contact": {"Name": "Payer"}, "Status": "AUTHORISED", "LineItems": [LINE]}
        ),
    )
    sink.events.clear()
    commit(
        accounting,
        lambda work: payments.create(
            work, {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Account": {"Code": "090"}, "Amount": 115}
        ),
    )
    assert announced(sink) == [("INVOICE", "UPDATE")]


def test_a_failed_write_announces_nothing_and_saves_nothing(accounting, sink):
    with pytest.raises(ValidationFailure):
        commit(
            accounting,
            lambda work: transactions.save(
                work,
                INVOICES,
                {"Type": "ACCREC", "Contact": {"Name": "Never saved"}, "LineItems": [{**LINE, "AccountCode": "999"}]},
            ),
        )
    assert sink.events == []
    assert contacts.find_by_name(accounting.books(TENANT), "Never saved") is None


def test_a_failing_sink_does_not_fail_the_write(tmp_path):
    class BrokenSink:
        def emit(self, event):
            raise RuntimeError("webhook target down")

    store = DocumentStore(tmp_path / "xero.sqlite3")
    accounting = AccountingApi(store, XeroIdentity(store), sink=BrokenSink())
    accounting.seed()
    contact = commit(accounting, lambda work: contacts.save(work, {"Name": "Still saved"}))
    assert accounting.books(TENANT).get(contacts.KIND, contact["ContactID"]) is not None
