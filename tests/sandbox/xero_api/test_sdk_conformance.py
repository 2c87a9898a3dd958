"""The official xero-python SDK against the sandbox: what a connector written with it will actually do.

Every response the SDK receives is also validated against Xero's OpenAPI files (SdkSession), and the
SDK's own deserialiser is the second judge: it rejects wrongly formatted dates and unknown enum values.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from xero_python.accounting import AccountingApi
from xero_python.accounting.models import (
    Account,
    Allocation,
    Allocations,
    Contact,
    Contacts,
    CreditNote,
    CreditNotes,
    CurrencyCode,
    Invoice,
    Invoices,
    Item,
    Items,
    LineAmountTypes,
    LineItem,
    LineItemTracking,
    Payment,
    PaymentDelete,
    Purchase,
    RequestEmpty,
)
from xero_python.api_client.oauth2 import TokenApi
from xero_python.exceptions import AccountingBadRequestException, NotFoundException
from xero_python.identity import IdentityApi

from tests.sandbox.xero_api.client import SdkSession, unique
from tests.sandbox.xero_helpers import connect


@pytest.fixture(scope="module")
def session(accounting_sandbox):
    session = SdkSession(accounting_sandbox, connect(accounting_sandbox, app_kind="web", tenant_index=0))
    yield session
    session.close()


@pytest.fixture
def accounting(session, accounting_sandbox) -> AccountingApi:
    return AccountingApi(session.api_client, base_url=accounting_sandbox.xero["api_url"])


@pytest.fixture
def tenant(session) -> str:
    return session.tenant_id


def sales_invoice(contact_id: str, **fields) -> Invoice:
    return Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact_id),
        date=date(2026, 3, 2),
        line_amount_types=LineAmountTypes.EXCLUSIVE,
        line_items=[LineItem(description="Consulting", quantity=2.0, unit_amount=50.0, account_code="200")],
        **fields,
    )


def new_contact(accounting, tenant) -> Contact:
    contact = Contact(name=unique("SDK contact"), email_address="sdk@example.com")
    return accounting.create_contacts(tenant, Contacts(contacts=[contact])).contacts[0]


# --- identity and organisation -----------------------------------------------------------------------------
def test_the_sdk_lists_its_connections(session, accounting_sandbox, tenant):
    identity = IdentityApi(session.api_client, base_url=accounting_sandbox.url("xero-api"))
    connections = identity.get_connections()
    assert tenant in [str(connection.tenant_id) for connection in connections]
    assert all(connection.tenant_type == "ORGANISATION" for connection in connections)


def test_the_sdk_reads_the_organisation(accounting, tenant):
    [organisation] = accounting.get_organisations(tenant).organisations
    assert (organisation.name, organisation.base_currency) == ("Oakwood Trading Ltd", CurrencyCode.NZD)
    assert organisation.country_code.value == "NZ"
    assert isinstance(organisation.created_date_utc, datetime)


def test_the_sdk_reads_the_reference_data(accounting, tenant):
    banks = accounting.get_accounts(tenant, where='Type=="BANK"', order="Code ASC").accounts
    assert [account.code for account in banks] == ["090", "091"]
    assert accounting.get_tax_rate_by_tax_type(tenant, "OUTPUT2").tax_rates[0].effective_rate == 15
    assert {rate.tax_type for rate in accounting.get_tax_rates(tenant).tax_rates} >= {"OUTPUT2", "INPUT2", "NONE"}
    assert [theme.sort_order for theme in accounting.get_branding_themes(tenant).branding_themes] == [0, 1]
    assert accounting.get_tracking_categories(tenant).tracking_categories[0].name == "Region"
    assert CurrencyCode.NZD in [currency.code for currency in accounting.get_currencies(tenant).currencies]


# --- contacts and items --------------------------------------------------------------------------------------
def test_the_sdk_creates_lists_pages_and_updates_contacts(accounting, tenant):
    marker = unique("SDK page")
    created = accounting.create_contacts(
        tenant, Contacts(contacts=[Contact(name=f"{marker} {n}", contact_number=f"{marker}-{n}") for n in range(3)])
    )
    assert [contact.name for contact in created.contacts] == [f"{marker} {n}" for n in range(3)]
    page = accounting.get_contacts(tenant, where=f'Name.StartsWith("{marker}")', order="Name DESC", page=1, page_size=2)
    assert [contact.name for contact in page.contacts] == [f"{marker} 2", f"{marker} 1"]
    assert (page.pagination.item_count, page.pagination.page_count) == (3, 2)
    contact_id = created.contacts[0].contact_id
    updated = accounting.update_contact(
        tenant, contact_id, Contacts(contacts=[Contact(email_address="updated@example.com")])
    ).contacts[0]
    assert updated.email_address == "updated@example.com" and updated.updated_date_utc > created.contacts[0].updated_date_utc
    assert accounting.get_contact_by_contact_number(tenant, f"{marker}-1").contacts[0].name == f"{marker} 1"
    assert accounting.get_contacts(tenant, i_ds=[contact_id]).contacts[0].contact_id == contact_id


def test_the_sdk_sees_per_element_errors_when_not_summarised(accounting, tenant):
    taken = new_contact(accounting, tenant).name
    answer = accounting.create_contacts(
        tenant, Contacts(contacts=[Contact(name=taken), Contact(name=unique("SDK fine"))]), summarize_errors=False
    )
    bad, good = answer.contacts
    assert bad.has_validation_errors is True and "already assigned" in bad.validation_errors[0].message
    assert good.status_attribute_string == "OK" and good.contact_id


def test_the_sdk_gets_the_validation_exception_when_summarised(accounting, tenant):
    taken = new_contact(accounting, tenant).name
    with pytest.raises(AccountingBadRequestException) as raised:
        accounting.create_contacts(tenant, Contacts(contacts=[Contact(name=taken)]))
    assert raised.value.error_data["Type"] == "ValidationException"
    assert "already assigned" in raised.value.error_data["Elements"][0]["ValidationErrors"][0]["Message"]


def test_the_sdk_creates_and_updates_items(accounting, tenant):
    code = unique("SDK")[:30]
    [item] = accounting.create_items(
        tenant, Items(items=[Item(code=code, name="Sprocket", sales_details=Purchase(unit_price=9.5, account_code="200"))])
    ).items
    assert item.sales_details.unit_price == 9.5 and item.is_sold is True
    [renamed] = accounting.update_item(tenant, item.item_id, Items(items=[Item(code=code, name="Sprocket II")])).items
    assert renamed.name == "Sprocket II"
    assert code in [listed.code for listed in accounting.get_items(tenant, where=f'Code=="{code}"').items]


# --- invoices ------------------------------------------------------------------------------------------------
def test_the_sdk_creates_reads_pages_and_updates_invoices(accounting, tenant):
    contact = new_contact(accounting, tenant)
    invoices = Invoices(
        invoices=[sales_invoice(contact.contact_id, due_date=date(2026, 4, 1), reference=unique("SDK ref"), status="AUTHORISED")]
    )
    [invoice] = accounting.create_invoices(tenant, invoices, idempotency_key=str(uuid.uuid4())).invoices
    assert (invoice.total, invoice.total_tax, invoice.amount_due, invoice.status) == (115, 15, 115, "AUTHORISED")
    assert (invoice.date, invoice.due_date) == (date(2026, 3, 2), date(2026, 4, 1))
    assert invoice.invoice_number.startswith("INV-") and invoice.line_items[0].line_item_id
    page = accounting.get_invoices(tenant, contact_i_ds=[contact.contact_id], statuses=["AUTHORISED"], page=1, page_size=10)
    assert [found.invoice_id for found in page.invoices] == [invoice.invoice_id] and page.pagination.item_count == 1
    assert (
        accounting.get_invoices(tenant, invoice_numbers=[invoice.invoice_number], summary_only=True).invoices[0].line_items
        is None
    )
    [updated] = accounting.update_invoice(tenant, invoice.invoice_id, Invoices(invoices=[Invoice(reference="Changed")])).invoices
    assert updated.reference == "Changed" and updated.updated_date_utc > invoice.updated_date_utc
    assert accounting.get_invoice(tenant, invoice.invoice_id).invoices[0].reference == "Changed"


def test_the_sdk_round_trips_tracking_and_discounts(accounting, tenant):
    contact = new_contact(accounting, tenant)
    line = LineItem(
        description="Discounted",
        quantity=1.0,
        unit_amount=200.0,
        account_code="200",
        discount_rate=25.0,
        tracking=[LineItemTracking(name="Region", option="South")],
    )
    [invoice] = accounting.create_invoices(
        tenant, Invoices(invoices=[Invoice(type="ACCREC", contact=Contact(contact_id=contact.contact_id), line_items=[line])])
    ).invoices
    assert invoice.line_items[0].line_amount == 150 and invoice.line_items[0].tracking[0].option == "South"
    assert invoice.is_discounted is True and invoice.due_date is not None


def test_the_sdk_filters_by_if_modified_since(accounting, tenant):
    contact = new_contact(accounting, tenant)
    [invoice] = accounting.create_invoices(tenant, Invoices(invoices=[sales_invoice(contact.contact_id)])).invoices
    since = invoice.updated_date_utc - timedelta(seconds=1)
    recent = accounting.get_invoices(tenant, if_modified_since=since, contact_i_ds=[contact.contact_id])
    assert [found.invoice_id for found in recent.invoices] == [invoice.invoice_id]
    future = datetime.now(UTC) + timedelta(minutes=5)
    assert accounting.get_invoices(tenant, if_modified_since=future, contact_i_ds=[contact.contact_id]).invoices == []


def test_the_sdk_sees_a_duplicate_invoice_number_as_a_bad_request(accounting, tenant):
    contact = new_contact(accounting, tenant)
    number = unique("SDK-INV")
    accounting.create_invoices(tenant, Invoices(invoices=[sales_invoice(contact.contact_id, invoice_number=number)]))
    with pytest.raises(AccountingBadRequestException) as raised:
        accounting.create_invoices(tenant, Invoices(invoices=[sales_invoice(contact.contact_id, invoice_number=number)]))
    assert raised.value.error_data["Elements"][0]["ValidationErrors"][0]["Message"] == "Invoice # must be unique."


def test_the_sdk_sees_a_missing_invoice_as_not_found(accounting, tenant):
    with pytest.raises(NotFoundException):
        accounting.get_invoice(tenant, str(uuid.uuid4()))


def test_the_sdk_emails_an_invoice_and_gets_its_online_link(accounting, tenant):
    contact = new_contact(accounting, tenant)
    [invoice] = accounting.create_invoices(
        tenant, Invoices(invoices=[sales_invoice(contact.contact_id, status="AUTHORISED")])
    ).invoices
    assert accounting.email_invoice(tenant, invoice.invoice_id, RequestEmpty()) is None
    assert accounting.get_invoice(tenant, invoice.invoice_id).invoices[0].sent_to_contact is True
    online = accounting.get_online_invoice(tenant, invoice.invoice_id).online_invoices[0]
    assert online.online_invoice_url.startswith("https://in.xero.com/")


# --- payments and credit notes -------------------------------------------------------------------------------
def test_the_sdk_pays_an_invoice_and_deletes_the_payment(accounting, tenant):
    contact = new_contact(accounting, tenant)
    [invoice] = accounting.create_invoices(
        tenant, Invoices(invoices=[sales_invoice(contact.contact_id, status="AUTHORISED")])
    ).invoices
    payment = accounting.create_payment(
        tenant,
        Payment(invoice=Invoice(invoice_id=invoice.invoice_id), account=Account(code="090"), amount=115.0, date=date(2026, 3, 9)),
    ).payments[0]
    assert (payment.amount, payment.payment_type, payment.date) == (115, "ACCRECPAYMENT", date(2026, 3, 9))
    paid = accounting.get_invoice(tenant, invoice.invoice_id).invoices[0]
    assert (paid.status, paid.amount_due, paid.fully_paid_on_date) == ("PAID", 0, date(2026, 3, 9))
    listed = accounting.get_payments(tenant, where=f'Invoice.InvoiceID==Guid("{invoice.invoice_id}")', page=1)
    assert [found.payment_id for found in listed.payments] == [payment.payment_id]
    [deleted] = accounting.delete_payment(tenant, payment.payment_id, PaymentDelete(status="DELETED")).payments
    assert deleted.status == "DELETED"
    assert accounting.get_invoice(tenant, invoice.invoice_id).invoices[0].status == "AUTHORISED"


def test_the_sdk_allocates_a_credit_note(accounting, tenant):
    contact = new_contact(accounting, tenant)
    [invoice] = accounting.create_invoices(
        tenant, Invoices(invoices=[sales_invoice(contact.contact_id, status="AUTHORISED")])
    ).invoices
    credit = CreditNote(
        type="ACCRECCREDIT",
        contact=Contact(contact_id=contact.contact_id),
        date=date(2026, 3, 3),
        status="AUTHORISED",
        line_items=[LineItem(description="Returned", quantity=1.0, unit_amount=20.0, account_code="200")],
    )
    [credit_note] = accounting.create_credit_notes(tenant, CreditNotes(credit_notes=[credit])).credit_notes
    assert credit_note.credit_note_number.startswith("CN-") and credit_note.remaining_credit == 23
    allocation = Allocation(invoice=Invoice(invoice_id=invoice.invoice_id), amount=23.0, date=date(2026, 3, 4))
    [allocated] = accounting.create_credit_note_allocation(
        tenant, credit_note.credit_note_id, Allocations(allocations=[allocation])
    ).allocations
    assert allocated.amount == 23
    assert accounting.get_invoice(tenant, invoice.invoice_id).invoices[0].amount_credited == 23
    page = accounting.get_credit_notes(tenant, where=f'CreditNoteID==Guid("{credit_note.credit_note_id}")', page=1, page_size=5)
    assert page.credit_notes[0].status == "PAID" and page.pagination.item_count == 1


def test_the_sdk_updates_a_credit_note(accounting, tenant):
    contact = new_contact(accounting, tenant)
    credit = CreditNote(
        type="ACCPAYCREDIT",
        contact=Contact(contact_id=contact.contact_id),
        date=date(2026, 3, 3),
        line_items=[LineItem(description="Supplier credit", quantity=1.0, unit_amount=10.0, account_code="400")],
    )
    [draft] = accounting.create_credit_notes(tenant, CreditNotes(credit_notes=[credit])).credit_notes
    assert draft.status == "DRAFT" and draft.credit_note_number is None and draft.line_items[0].tax_type == "INPUT2"
    changes = CreditNotes(credit_notes=[CreditNote(reference="Returned goods", status="AUTHORISED")])
    [approved] = accounting.update_credit_note(tenant, draft.credit_note_id, changes).credit_notes
    assert (approved.reference, approved.status, approved.remaining_credit) == ("Returned goods", "AUTHORISED", 11.5)


# --- tokens ----------------------------------------------------------------------------------------------------
@pytest.fixture
def sandbox_token_urls(monkeypatch, accounting_sandbox):
    """The SDK's token URLs are class attributes; point them at the sandbox (monkeypatch restores them)."""
    monkeypatch.setattr(TokenApi, "refresh_token_url", accounting_sandbox.xero["token_url"])
    monkeypatch.setattr(TokenApi, "revoke_token_url", accounting_sandbox.xero["revocation_url"])
    monkeypatch.setattr(TokenApi, "client_credentials_token_url", accounting_sandbox.xero["token_url"])


def test_the_sdk_refreshes_its_token_on_request(accounting_sandbox, sandbox_token_urls):
    session = SdkSession(accounting_sandbox, connect(accounting_sandbox, app_kind="web", tenant_index=0))
    try:
        before = session.token
        refreshed = session.api_client.refresh_oauth2_token()
        assert refreshed["access_token"] != before["access_token"] and refreshed["refresh_token"] != before["refresh_token"]
        assert session.saved == [refreshed] and refreshed["expires_at"] > time.time() + 1700
        accounting = AccountingApi(session.api_client, base_url=accounting_sandbox.xero["api_url"])
        assert accounting.get_organisations(session.tenant_id).organisations[0].name == "Oakwood Trading Ltd"
    finally:
        session.close()


def test_the_sdk_refreshes_an_expiring_token_by_itself(accounting_sandbox, sandbox_token_urls):
    session = SdkSession(accounting_sandbox, connect(accounting_sandbox, app_kind="web", tenant_index=0))
    try:
        expiring = session.token = {**session.token, "expires_at": time.time() + 30}  # inside the SDK's 60-second buffer
        accounting = AccountingApi(session.api_client, base_url=accounting_sandbox.xero["api_url"])
        accounting.get_organisations(session.tenant_id)
        [saved] = session.saved
        assert saved["access_token"] != expiring["access_token"] and session.token == saved
    finally:
        session.close()
