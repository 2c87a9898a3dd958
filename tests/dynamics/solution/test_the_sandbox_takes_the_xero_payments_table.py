"""Solution 1.2.0.0 in the Dataverse sandbox: the Xero Payment table takes the rows the connector writes (an upsert by
id binding the invoice, its customer and the connection), its rows go with their invoice, the Xero contact rows take
the customer's balances, the connector row the organisation's details and the reference tables a status; importing it
over 1.1.0.0 adds them, and the connector's user then holds the access the checklist asks for on them."""

from __future__ import annotations

import dataclasses
import json
import uuid

from dxconnector.domain.access import all_required_privileges, check_access
from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.names import (
    BrandingThemeTable,
    ConnectorTable,
    CurrencyTable,
    InvoiceColumns,
    XeroContactTable,
    XeroPaymentTable,
    lookup_value,
    odata_bind,
)
from dxconnector.dynamics.solution import build_solution_zip
from dxconnector.dynamics.solution.definition import (
    ACCOUNT,
    BRANDING_THEME,
    CONNECTION,
    CONTACT,
    CURRENCY,
    DYNAMICS_XERO_CONNECTOR,
    INVOICE,
    XERO_CONTACT,
    XERO_PAYMENT,
)
from tests.dynamics.solution.test_the_sandbox_takes_the_xero_link_tables import (
    FORMATTED,
    a_connection,
    import_solution,
    installed,  # noqa: F401 (a fixture)
    read,
    upsert,
)
from tests.sandbox.dataverse.conftest import ADMIN, API, INTEGRATION, Org, make_org

PAYMENT_ID = "b26fd49a-cbae-470a-a8f8-bcbc119e0379"


def an_invoice(org: Org, customer: str) -> str:
    return org.api.create("invoice", {"name": "INV-0042", "customerid_account@odata.bind": f"/accounts({customer})"})["invoiceid"]


def a_payment(org: Org, invoice: str, account: str, connection: str, **values) -> str:
    row_id = str(uuid.uuid4())
    upsert(
        org,
        "stl3_xeropayments",
        row_id,
        {
            XeroPaymentTable.NAME: "Payment 120.50 NZD on INV-0042",
            odata_bind(XeroPaymentTable.INVOICE_ID): f"/invoices({invoice})",
            odata_bind(XeroPaymentTable.ACCOUNT_ID): f"/accounts({account})",
            odata_bind(XeroPaymentTable.CONNECTOR_ID): f"/stl3_dynamicsxeroconnectors({connection})",
            XeroPaymentTable.XERO_ID: PAYMENT_ID,
            XeroPaymentTable.KIND: option_value(XeroPaymentTable.TABLE, XeroPaymentTable.KIND, "PAYMENT"),
            XeroPaymentTable.PAYMENT_DATE: "2025-05-02",
            XeroPaymentTable.AMOUNT: 120.5,
            XeroPaymentTable.CURRENCY_CODE: "NZD",
            XeroPaymentTable.CURRENCY_RATE: 1.0,
            XeroPaymentTable.REFERENCE: "Bank transfer 0042",
            XeroPaymentTable.PAYMENT_TYPE: "ACCRECPAYMENT",
            XeroPaymentTable.STATUS: option_value(XeroPaymentTable.TABLE, XeroPaymentTable.STATUS, "AUTHORISED"),
            XeroPaymentTable.BANK_ACCOUNT: "Business Bank Account",
            XeroPaymentTable.XERO_URL: f"https://go.xero.com/Bank/ViewTransaction.aspx?bankTransactionID={PAYMENT_ID}",
            **values,
        },
    )
    return row_id


def test_a_payment_on_a_linked_invoice_is_bound_to_the_invoice_its_customer_and_the_connection(installed):
    connection = a_connection(installed)
    account = installed.api.create("account", {"name": "Ridgeway University"})["accountid"]
    invoice = an_invoice(installed, account)
    row_id = a_payment(installed, invoice, account, connection)

    row = read(installed, "stl3_xeropayments", row_id)
    assert (
        row[lookup_value(XeroPaymentTable.INVOICE_ID)],
        row[lookup_value(XeroPaymentTable.ACCOUNT_ID)],
        row[lookup_value(XeroPaymentTable.CONNECTOR_ID)],
        row[lookup_value(XeroPaymentTable.CONTACT_ID)],
    ) == (invoice, account, connection, None)
    assert (row[XeroPaymentTable.KIND + FORMATTED], row[XeroPaymentTable.STATUS + FORMATTED]) == ("Payment", "Paid")
    assert (row[XeroPaymentTable.PAYMENT_DATE], row[XeroPaymentTable.AMOUNT], row[XeroPaymentTable.CURRENCY_RATE]) == (
        "2025-05-02",
        120.5,
        1.0,
    )
    on_the_invoice = installed.client(INTEGRATION).get(
        f"{API}/invoices({invoice})",
        params={"$expand": f"{XeroPaymentTable.INVOICE_RELATIONSHIP}($select={XeroPaymentTable.XERO_ID})"},
    )
    assert [r[XeroPaymentTable.XERO_ID] for r in on_the_invoice.json()[XeroPaymentTable.INVOICE_RELATIONSHIP]] == [PAYMENT_ID]


def test_a_payment_reversed_in_xero_keeps_its_row_with_the_deleted_status(installed):
    connection = a_connection(installed)
    account = installed.api.create("account", {"name": "Ridgeway University"})["accountid"]
    row_id = a_payment(installed, an_invoice(installed, account), account, connection)
    deleted = option_value(XeroPaymentTable.TABLE, XeroPaymentTable.STATUS, "DELETED")
    upsert(installed, "stl3_xeropayments", row_id, {XeroPaymentTable.STATUS: deleted})
    assert read(installed, "stl3_xeropayments", row_id)[XeroPaymentTable.STATUS + FORMATTED] == "Deleted or reversed in Xero"


def test_a_credit_note_allocation_carries_its_number(installed):
    connection = a_connection(installed)
    account = installed.api.create("account", {"name": "Ridgeway University"})["accountid"]
    row_id = a_payment(
        installed,
        an_invoice(installed, account),
        account,
        connection,
        **{
            XeroPaymentTable.KIND: option_value(XeroPaymentTable.TABLE, XeroPaymentTable.KIND, "CREDIT_NOTE"),
            XeroPaymentTable.CREDIT_NOTE_NUMBER: "CN-0007",
            XeroPaymentTable.BANK_ACCOUNT: None,
        },
    )
    row = read(installed, "stl3_xeropayments", row_id)
    assert (row[XeroPaymentTable.KIND + FORMATTED], row[XeroPaymentTable.CREDIT_NOTE_NUMBER]) == ("Credit note", "CN-0007")


def test_a_currency_code_longer_than_three_letters_is_refused(installed):
    refused = installed.client(INTEGRATION).patch(
        f"{API}/stl3_xeropayments({uuid.uuid4()})", json={XeroPaymentTable.NAME: "Bad", XeroPaymentTable.CURRENCY_CODE: "NZDX"}
    )
    assert refused.status_code == 400


def test_deleting_the_invoice_deletes_its_payment_rows(installed):
    connection = a_connection(installed)
    account = installed.api.create("account", {"name": "Ridgeway University"})["accountid"]
    invoice = an_invoice(installed, account)
    row_id = a_payment(installed, invoice, account, connection)
    assert installed.client(ADMIN).delete(f"{API}/invoices({invoice})").status_code == 204
    assert installed.client(INTEGRATION).get(f"{API}/stl3_xeropayments({row_id})").status_code == 404


def test_the_xero_contact_row_takes_the_customers_balances(installed):
    connection = a_connection(installed)
    account = installed.api.create("account", {"name": "Ridgeway University"})["accountid"]
    row_id = str(uuid.uuid4())
    upsert(
        installed,
        "stl3_xerocontacts",
        row_id,
        {
            XeroContactTable.NAME: "Ridgeway University",
            odata_bind(XeroContactTable.CONNECTOR_ID): f"/stl3_dynamicsxeroconnectors({connection})",
            odata_bind(XeroContactTable.ACCOUNT_ID): f"/accounts({account})",
            XeroContactTable.OUTSTANDING: 1250.75,
            XeroContactTable.OVERDUE: 300,
            XeroContactTable.BALANCE_CURRENCY: "NZD",
            XeroContactTable.BALANCES_ON: "2025-05-03T08:00:00Z",
        },
    )
    row = read(installed, "stl3_xerocontacts", row_id)
    assert (
        row[XeroContactTable.OUTSTANDING],
        row[XeroContactTable.OVERDUE],
        row[XeroContactTable.BALANCE_CURRENCY],
        row[XeroContactTable.BALANCES_ON],
    ) == (1250.75, 300, "NZD", "2025-05-03T08:00:00Z")


def test_the_connector_row_takes_the_organisations_details_and_the_reference_rows_a_status(installed):
    connection = a_connection(installed)
    details = {
        ConnectorTable.LEGAL_NAME: "Demo Company (NZ) Limited",
        ConnectorTable.COUNTRY_CODE: "NZ",
        ConnectorTable.BASE_CURRENCY: "NZD",
        ConnectorTable.XERO_TIME_ZONE: "NEWZEALANDSTANDARDTIME",
        ConnectorTable.FINANCIAL_YEAR_END: "31 March",
        ConnectorTable.SHORT_CODE: "!23eYt",
        ConnectorTable.XERO_URL: "https://go.xero.com/organisationlogin/default.aspx?shortcode=!23eYt",
    }
    upsert(installed, "stl3_dynamicsxeroconnectors", connection, details)
    row = read(installed, "stl3_dynamicsxeroconnectors", connection)
    assert {name: row[name] for name in details} == details

    archived = option_value(CurrencyTable.TABLE, CurrencyTable.STATUS, "ARCHIVED")
    currency = str(uuid.uuid4())
    upsert(installed, "stl3_currencies", currency, {CurrencyTable.NAME: "Fijian Dollar", CurrencyTable.CODE: "FJD"})
    # The sandbox applies no choice default to a Web API write (the default is the form's DefaultFormValue): the
    # connector sets the status itself.
    assert read(installed, "stl3_currencies", currency)[CurrencyTable.STATUS] is None
    upsert(installed, "stl3_currencies", currency, {CurrencyTable.STATUS: archived})
    assert read(installed, "stl3_currencies", currency)[CurrencyTable.STATUS + FORMATTED] == "Archived"
    theme = str(uuid.uuid4())
    upsert(installed, "stl3_brandingthemes", theme, {BrandingThemeTable.NAME: "Standard", BrandingThemeTable.STATUS: archived})
    assert read(installed, "stl3_brandingthemes", theme)[BrandingThemeTable.STATUS + FORMATTED] == "Archived"


def the_solution_at_1_1():
    """The solution as 1.1.0.0 was: no payments table, no balances, organisation details or reference statuses."""

    def without(table, *names):
        return dataclasses.replace(
            table,
            columns=tuple(c for c in table.columns if c.name not in names),
            sections=tuple(dataclasses.replace(s, fields=tuple(f for f in s.fields if f not in names)) for s in table.sections),
            views=tuple(dataclasses.replace(v, columns=tuple(c for c in v.columns if c not in names)) for v in table.views),
        )

    xero_contact = without(
        XERO_CONTACT,
        XeroContactTable.OUTSTANDING,
        XeroContactTable.OVERDUE,
        XeroContactTable.BALANCE_CURRENCY,
        XeroContactTable.BALANCES_ON,
    )
    connection = dataclasses.replace(without(CONNECTION, *(c.name for c in CONNECTION.columns[6:])), sections=())
    older = {
        XERO_CONTACT.name: xero_contact,
        CONNECTION.name: connection,
        CURRENCY.name: without(CURRENCY, CurrencyTable.STATUS),
        BRANDING_THEME.name: without(BRANDING_THEME, BrandingThemeTable.STATUS),
    }
    tables = tuple(older.get(t.name, t) for t in DYNAMICS_XERO_CONNECTOR.tables if t is not XERO_PAYMENT)

    def without_payment_grids(extension):
        forms = tuple(
            dataclasses.replace(
                form,
                sections=tuple(s for s in form.sections if not (s.subgrid and s.subgrid.target == XERO_PAYMENT.name)),
            )
            for form in extension.forms
        )
        return dataclasses.replace(extension, forms=forms)

    extensions = tuple(
        without_payment_grids(e) if e in (INVOICE, ACCOUNT, CONTACT) else e for e in DYNAMICS_XERO_CONNECTOR.extensions
    )
    return dataclasses.replace(DYNAMICS_XERO_CONNECTOR, version="1.1.0.0", tables=tables, extensions=extensions)


def test_importing_1_2_over_1_1_adds_the_payments_table_and_the_new_columns(tmp_path):
    org = make_org(tmp_path)
    try:
        import_solution(org, build_solution_zip(the_solution_at_1_1()))
        assert org.client(INTEGRATION).get(f"{API}/stl3_xeropayments").status_code == 404
        import_solution(org, build_solution_zip(DYNAMICS_XERO_CONNECTOR))
        assert org.client(INTEGRATION).get(f"{API}/stl3_xeropayments").json()["value"] == []
        for table, column in (
            (XeroContactTable.TABLE, XeroContactTable.OUTSTANDING),
            (ConnectorTable.TABLE, ConnectorTable.LEGAL_NAME),
            (CurrencyTable.TABLE, CurrencyTable.STATUS),
            (BrandingThemeTable.TABLE, BrandingThemeTable.STATUS),
        ):
            attributes = org.client(ADMIN).get(
                f"{API}/EntityDefinitions(LogicalName='{table}')/Attributes", params={"$select": "LogicalName"}
            )
            assert column in {a["LogicalName"] for a in attributes.json()["value"]}, (table, column)
        [solution] = (
            org.client(ADMIN)
            .get(f"{API}/solutions", params={"$select": "version", "$filter": "uniquename eq 'DynamicsXeroConnector'"})
            .json()["value"]
        )
        assert solution["version"] == "1.2.0.0"
    finally:
        org.service.webhooks.close()


def test_once_installed_the_connectors_user_holds_read_write_on_the_payments_table(installed):
    me = installed.client(INTEGRATION).get(f"{API}/WhoAmI").json()["UserId"]
    response = installed.client(INTEGRATION).get(
        f"{API}/systemusers({me})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)",
        params={"@p": json.dumps(all_required_privileges())},
    )
    held = {entry["PrivilegeName"] for entry in response.json()["RolePrivileges"]}
    assert [check.item.table for check in check_access(held) if not check.ok] == []
    assert {"prvReadstl3_xeropayment", "prvWritestl3_xeropayment", "prvCreatestl3_xeropayment"} <= held


def test_a_paid_invoice_takes_no_write_of_the_connectors_columns_until_it_is_reopened(installed):
    account = installed.api.create("account", {"name": "Ridgeway University"})["accountid"]
    invoice = an_invoice(installed, account)
    client = installed.client(INTEGRATION)
    paid = {"statecode": 2, "statuscode": 100001}
    assert client.patch(f"{API}/invoices({invoice})", json=paid).status_code == 204
    xero_number = {InvoiceColumns.XERO_NUMBER: "INV-0042"}
    refused = client.patch(f"{API}/invoices({invoice})", json=xero_number)
    assert refused.status_code == 400 and InvoiceColumns.XERO_NUMBER in refused.json()["error"]["message"]
    assert client.patch(f"{API}/invoices({invoice})", json={"statecode": 0, "statuscode": 4}).status_code == 204
    assert client.patch(f"{API}/invoices({invoice})", json=xero_number).status_code == 204
