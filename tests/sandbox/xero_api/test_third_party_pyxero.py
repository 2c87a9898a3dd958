"""pyxero, the long-lived community Xero client (PyPI `pyxero`), against the sandbox: nobody here wrote it, and it
talks the way many integrations still do: XML request bodies (`<Invoice>…</Invoice>`, or `<Invoices>` for a
list), JSON answers by Accept, GUIDs in `IDs=` without dashes, `where` clauses it builds from keyword arguments.

pyxero reaches Xero at its hard-coded host; the sandbox's host is set on the credentials (`base_url`, which the
client reads for every call) and its CA is trusted through REQUESTS_CA_BUNDLE. Every answer it receives is checked
against Xero's OpenAPI file by the session's recording check.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from xero import Xero
from xero.auth import OAuth2Credentials
from xero.exceptions import XeroBadRequest, XeroNotFound

from tests.sandbox.xero_api.client import unique
from tests.sandbox.xero_helpers import connect

API_SUFFIX = "/api.xro/2.0"


@pytest.fixture(scope="module")
def pyxero_credentials(accounting_sandbox):
    """Credentials for a connection of the web app to Oakwood Trading, its tenant found by pyxero itself."""
    connection = connect(accounting_sandbox, app_kind="web", tenant_index=0)
    tokens = connection.tokens
    token = {
        "access_token": tokens["access_token"],
        "refresh_token": tokens.get("refresh_token"),
        "token_type": tokens["token_type"],
        "expires_in": tokens["expires_in"],
        "expires_at": time.time() + tokens["expires_in"],
    }
    credentials = OAuth2Credentials(connection.app["client_id"], connection.app["client_secret"], token=token)
    credentials.base_url = accounting_sandbox.xero["api_url"].removesuffix(API_SUFFIX)
    return credentials, connection


@pytest.fixture
def xero(pyxero_credentials, accounting_sandbox, monkeypatch) -> Xero:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", accounting_sandbox.ca_file)
    credentials, connection = pyxero_credentials
    if credentials.tenant_id is None:
        credentials.set_default_tenant()  # GET /connections, through pyxero
        assert credentials.tenant_id == connection.tenant_id
    return Xero(credentials)


@pytest.fixture
def contact(xero):
    (created,) = xero.contacts.put({"Name": unique("pyxero contact"), "EmailAddress": "pyxero@example.com"})
    return created


def an_invoice(contact, **fields):
    return {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact["ContactID"]},
        "Date": date(2026, 3, 2),
        "DueDate": date(2026, 3, 30),
        "LineAmountTypes": "Exclusive",
        "LineItems": [
            {"Description": "Consulting", "Quantity": 2, "UnitAmount": 50, "AccountCode": "200"},
            {"Description": "Travel", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"},
        ],
        **fields,
    }


def test_pyxero_creates_a_contact_in_xml_and_reads_it_back(xero, contact):
    assert uuid.UUID(contact["ContactID"]) and contact["EmailAddress"] == "pyxero@example.com"
    (found,) = xero.contacts.get(contact["ContactID"])
    assert found["Name"] == contact["Name"] and found["ContactStatus"] == "ACTIVE"


def test_pyxero_creates_an_invoice_with_lines_and_gets_it_with_its_dates(xero, contact):
    (invoice,) = xero.invoices.put(an_invoice(contact, Reference="pyxero", Status="AUTHORISED"))
    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"]) == (110, 16.5, 126.5)
    assert [line["LineAmount"] for line in invoice["LineItems"]] == [100, 10]
    (found,) = xero.invoices.get(invoice["InvoiceID"])
    assert found["Status"] == "AUTHORISED" and found["Reference"] == "pyxero"
    assert found["Date"] == datetime(2026, 3, 2, tzinfo=UTC) and found["DueDate"] == datetime(2026, 3, 30, tzinfo=UTC)
    assert found["Contact"]["ContactID"] == contact["ContactID"]


def test_pyxero_puts_several_invoices_as_one_xml_list(xero, contact):
    invoices = xero.invoices.put([an_invoice(contact, Reference="first"), an_invoice(contact, Reference="second")])
    assert [invoice["Reference"] for invoice in invoices] == ["first", "second"]


def test_pyxero_updates_an_invoice_with_an_xml_post(xero, contact):
    (invoice,) = xero.invoices.put(an_invoice(contact))
    xero.invoices.save({"InvoiceID": invoice["InvoiceID"], "Reference": "saved by pyxero"})
    assert xero.invoices.get(invoice["InvoiceID"])[0]["Reference"] == "saved by pyxero"


def test_pyxero_filters_by_ids_sent_without_dashes(xero, contact):
    first, second = xero.invoices.put([an_invoice(contact), an_invoice(contact)])
    found = xero.invoices.filter(IDs=[first["InvoiceID"], second["InvoiceID"]])
    assert sorted(invoice["InvoiceID"] for invoice in found) == sorted([first["InvoiceID"], second["InvoiceID"]])
    assert [found["ContactID"] for found in xero.contacts.filter(IDs=[contact["ContactID"]])] == [contact["ContactID"]]


def test_pyxero_filters_with_where_clauses_it_builds(xero, contact):
    marker = unique("pyxero-ref")
    (draft,) = xero.invoices.put(an_invoice(contact, Reference=marker))
    (authorised,) = xero.invoices.put(an_invoice(contact, Reference=marker, Status="AUTHORISED"))
    by_contact = xero.invoices.filter(Contact_ContactID=contact["ContactID"])  # Contact.ContactID==Guid("…")
    assert {invoice["InvoiceID"] for invoice in by_contact} == {draft["InvoiceID"], authorised["InvoiceID"]}
    only_authorised = xero.invoices.filter(Reference=marker, Status="AUTHORISED")  # Reference=="…"&&Status=="…"
    assert [invoice["InvoiceID"] for invoice in only_authorised] == [authorised["InvoiceID"]]
    by_name = xero.contacts.filter(Name__contains=contact["Name"][-10:])  # Name.contains("…")
    assert [found["ContactID"] for found in by_name] == [contact["ContactID"]]


def test_pyxero_filters_with_its_list_parameters_and_modified_since(xero, contact):
    (invoice,) = xero.invoices.put(an_invoice(contact, Status="AUTHORISED"))
    found = xero.invoices.filter(ContactIDs=[contact["ContactID"]], Statuses=["AUTHORISED"], page=1)
    assert [each["InvoiceID"] for each in found] == [invoice["InvoiceID"]]
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)  # pyxero sends it as If-Modified-Since
    assert invoice["InvoiceID"] in {each["InvoiceID"] for each in xero.invoices.filter(since=since)}
    assert xero.invoices.filter(since=datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)) == []


def test_pyxero_reads_xeros_validation_errors(xero):
    with pytest.raises(XeroBadRequest) as refused:
        xero.invoices.put({"Type": "ACCREC", "LineItems": [{"Description": "no contact"}]})
    assert refused.value.response.status_code == 400 and refused.value.errors
    assert "ValidationException" in str(refused.value)


def test_pyxero_sees_an_unknown_invoice_as_not_found(xero):
    with pytest.raises(XeroNotFound):
        xero.invoices.get(str(uuid.uuid4()))


def test_pyxero_is_told_when_a_list_parameter_is_not_emulated(xero):
    """pyxero sends `page` for any collection; the sandbox does not page items, and says so instead of ignoring it."""
    with pytest.raises(XeroBadRequest) as refused:
        xero.items.filter(page=2)
    assert "'page' is not emulated" in str(refused.value)


def test_pyxero_reads_the_organisation_through_the_plural_route_older_clients_use(xero, accounting_sandbox):
    (organisation,) = xero.organisations.all()  # GET /Organisations
    oakwood = next(
        org for org in accounting_sandbox.xero["organisations"] if org["tenant_id"] == xero.organisations.credentials.tenant_id
    )
    assert (organisation["Name"], organisation["BaseCurrency"]) == (oakwood["name"], oakwood["base_currency"])
