"""An account's, a contact's and a product's page shows its Xero rows and its sync attempts, and an invoice's or a
customer's page its payments from Xero, as the connector wrote them through the Web API (its managed solution's Xero
Contact, Xero Item, Xero Payment and Sync History tables)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import lxml.html
import pytest

from dxconnector.dynamics.solution import build_solution_zip, solution_zip_bytes
from dxsandbox.common.sessions import Session
from dxsandbox.microsoft.ui.customers import ACCOUNTS
from dxsandbox.microsoft.ui.forms import Input
from dxsandbox.microsoft.ui.gateway import ActingUser, Organisation
from dxsandbox.microsoft.ui.visits import Visit
from tests.dynamics.solution.test_the_sandbox_takes_the_xero_payments_table import the_solution_at_1_1
from tests.sandbox.dataverse.conftest import ADMIN, API, BASE_URL, SALES, make_org
from tests.sandbox.dynamics_ui.conftest import OAKWOOD_SALES
from tests.sandbox.dynamics_ui.helpers import Person, WebApi, field_value, html, new_id, unique

ACTIVE_OR_SYNCED, ARCHIVED_OR_FAILED = 100000000, 100000001  # the first and second option of each choice
SUCCEEDED, FAILED = 100000000, 100000001
DYNAMICS_TO_XERO = 100000000
PAYMENT, CREDIT_NOTE = 100000000, 100000001  # stl3_kind
PAID, DELETED_IN_XERO = 100000000, 100000001  # stl3_status of a payment


@pytest.fixture
def api(web_api) -> WebApi:
    """Oakwood Sales' Web API as the connector's user, with the solution installed (other suites install it there
    too; importing the same version again changes nothing)."""
    api = web_api(OAKWOOD_SALES)
    response = api.client.post(
        "ImportSolution",
        json={"CustomizationFile": base64.b64encode(solution_zip_bytes()).decode(), "ImportJobId": str(uuid.uuid4())},
    )
    assert response.status_code == 204, response.text
    return api


@pytest.fixture
def seller(person) -> Person:
    return person("sales@oakwood.sandbox", OAKWOOD_SALES)


def upsert(api: WebApi, entity_set: str, values: dict[str, Any]) -> str:
    """A row written as the connector writes it: PATCH by an id of its own."""
    row_id = str(uuid.uuid4())
    response = api.client.patch(f"{entity_set}({row_id})", json=values)
    assert response.status_code == 204, response.text
    return row_id


def a_connection(api: WebApi) -> tuple[str, str]:
    name = unique("Demo Company (NZ)")
    return api.create("stl3_dynamicsxeroconnectors", {"stl3_name": name}), name


def grid_rows(page, grid_id: str) -> list[dict[str, str]]:
    """Each row of a grid, as {column: text} (a link as its href)."""
    found = []
    for row in html(page).xpath(f"//table[@id='{grid_id}']//tr[@data-id]"):
        found.append(
            {cell.get("data-field"): (cell.xpath(".//a/@href") or [cell.text_content().strip()])[0] for cell in row.xpath("td")}
        )
    return found


def test_an_accounts_page_shows_its_xero_contact_and_its_sync_attempts_the_latest_first(api, seller):
    connection, connection_name = a_connection(api)
    account = new_id(seller.post("accounts", data={"name": unique("Ridgeway University")}))
    xero_id = str(uuid.uuid4())
    upsert(
        api,
        "stl3_xerocontacts",
        {
            "stl3_name": "Ridgeway University",
            "stl3_connectorid@odata.bind": f"/stl3_dynamicsxeroconnectors({connection})",
            "stl3_accountid@odata.bind": f"/accounts({account})",
            "stl3_xeroid": xero_id,
            "stl3_xerostatus": ACTIVE_OR_SYNCED,
            "stl3_syncstatus": ACTIVE_OR_SYNCED,
            "stl3_xerourl": f"https://go.xero.com/Contacts/View/{xero_id}",
            "stl3_lastsyncedon": "2025-05-01T09:30:00Z",
        },
    )
    for attempted_on, outcome, message in (
        ("2025-05-01T09:00:00Z", FAILED, "Xero refused the contact: the name is already taken."),
        ("2025-05-01T09:30:00Z", SUCCEEDED, "Contact sent to Xero."),
    ):
        upsert(
            api,
            "stl3_synchistories",
            {
                "stl3_name": "Account to Xero",
                "stl3_accountid@odata.bind": f"/accounts({account})",
                "stl3_attemptedon": attempted_on,
                "stl3_direction": DYNAMICS_TO_XERO,
                "stl3_outcome": outcome,
                "stl3_message": message,
                "stl3_xeroid": xero_id,
            },
        )

    page = seller.get("accounts", account)
    [contact] = grid_rows(page, "xero-contacts")
    assert {key: contact[key] for key in ("stl3_connectorid", "stl3_xeroid", "stl3_xerostatus", "stl3_syncstatus")} == {
        "stl3_connectorid": connection_name,
        "stl3_xeroid": xero_id,
        "stl3_xerostatus": "Active",
        "stl3_syncstatus": "In step",
    }
    assert contact["stl3_xerourl"] == f"https://go.xero.com/Contacts/View/{xero_id}"
    assert contact["stl3_lastsyncedon"]
    attempts = grid_rows(page, "sync-history")
    assert [(a["stl3_outcome"], a["stl3_message"]) for a in attempts] == [
        ("Succeeded", "Contact sent to Xero."),
        ("Failed", "Xero refused the contact: the name is already taken."),
    ]
    assert {a["stl3_direction"] for a in attempts} == {"Dynamics to Xero"}


def test_a_contacts_page_shows_its_archived_xero_contact_that_failed_to_sync(api, seller):
    connection, _ = a_connection(api)
    contact = new_id(seller.post("contacts", data={"firstname": "Ana", "lastname": unique("Ngata")}))
    upsert(
        api,
        "stl3_xerocontacts",
        {
            "stl3_name": "Ana Ngata",
            "stl3_connectorid@odata.bind": f"/stl3_dynamicsxeroconnectors({connection})",
            "stl3_contactid@odata.bind": f"/contacts({contact})",
            "stl3_xerostatus": ARCHIVED_OR_FAILED,
            "stl3_syncstatus": ARCHIVED_OR_FAILED,
        },
    )
    [row] = grid_rows(seller.get("contacts", contact), "xero-contacts")
    assert (row["stl3_xerostatus"], row["stl3_syncstatus"], row["stl3_xerourl"]) == (
        "Archived",
        "Failed (see Sync History)",
        "",
    )


def test_a_products_page_shows_its_xero_item_and_its_sync_attempts(api, seller):
    connection, connection_name = a_connection(api)
    product = new_id(seller.post("products", data={"name": unique("Harbour cruise"), "price": "49.95"}))
    item_id = str(uuid.uuid4())
    upsert(
        api,
        "stl3_xeroitems",
        {
            "stl3_name": "Harbour cruise",
            "stl3_connectorid@odata.bind": f"/stl3_dynamicsxeroconnectors({connection})",
            "stl3_productid@odata.bind": f"/products({product})",
            "stl3_xeroid": item_id,
            "stl3_xerocode": "CRUISE-2",
            "stl3_syncstatus": ACTIVE_OR_SYNCED,
            "stl3_xerourl": f"https://go.xero.com/Accounts/Inventory/{item_id}",
            "stl3_lastsyncedon": "2025-05-01T09:31:00Z",
        },
    )
    upsert(
        api,
        "stl3_synchistories",
        {
            "stl3_name": "Product to Xero",
            "stl3_productid@odata.bind": f"/products({product})",
            "stl3_attemptedon": "2025-05-01T09:31:00Z",
            "stl3_outcome": SUCCEEDED,
            "stl3_message": "Item CRUISE-2 created in Xero.",
        },
    )

    page = seller.get("products", product)
    [item] = grid_rows(page, "xero-items")
    assert (item["stl3_connectorid"], item["stl3_xerocode"], item["stl3_xeroid"], item["stl3_syncstatus"]) == (
        connection_name,
        "CRUISE-2",
        item_id,
        "In step",
    )
    assert item["stl3_xerourl"] == f"https://go.xero.com/Accounts/Inventory/{item_id}"
    assert [a["stl3_message"] for a in grid_rows(page, "sync-history")] == ["Item CRUISE-2 created in Xero."]


def test_a_record_not_yet_synced_says_so(api, seller):
    account = new_id(seller.post("accounts", data={"name": unique("Quiet Bay Ltd")}))
    page = html(seller.get("accounts", account))
    assert page.xpath("//table[@id='xero-contacts']//td")[0].text_content() == "Not linked to a Xero contact."
    assert page.xpath("//table[@id='sync-history']//td")[0].text_content() == "No sync attempts yet."


def new_invoice(seller: Person, customer: str) -> str:
    form = seller.get("invoices", "new")
    defaults = {name: field_value(form, name) for name in ("pricelevelid", "transactioncurrencyid")}
    return new_id(seller.post("invoices", data={"name": unique("Invoice"), "customerid": customer, **defaults}))


def a_payment(api: WebApi, connection: str, invoice: str, customer: tuple[str, str], **values: Any) -> str:
    lookup, entity_set = {"account": ("stl3_accountid", "accounts"), "contact": ("stl3_contactid", "contacts")}[customer[0]]
    return upsert(
        api,
        "stl3_xeropayments",
        {
            "stl3_name": "Payment from Xero",
            "stl3_connectorid@odata.bind": f"/stl3_dynamicsxeroconnectors({connection})",
            "stl3_invoiceid@odata.bind": f"/invoices({invoice})",
            f"{lookup}@odata.bind": f"/{entity_set}({customer[1]})",
            "stl3_currencycode": "NZD",
            "stl3_currencyrate": 1.0,
            "stl3_status": PAID,
            **values,
        },
    )


def test_an_invoices_page_shows_its_xero_payments_and_credits_the_latest_first(api, seller):
    connection, _ = a_connection(api)
    account = new_id(seller.post("accounts", data={"name": unique("Ridgeway University")}))
    invoice = new_invoice(seller, f"account:{account}")
    payment_id = str(uuid.uuid4())
    a_payment(
        api,
        connection,
        invoice,
        ("account", account),
        stl3_xeroid=payment_id,
        stl3_kind=PAYMENT,
        stl3_paymentdate="2025-05-02",
        stl3_amount=120.5,
        stl3_reference="Bank transfer 0042",
        stl3_bankaccount="Business Bank Account",
        stl3_xerourl=f"https://go.xero.com/Bank/ViewTransaction.aspx?bankTransactionID={payment_id}",
    )
    a_payment(
        api,
        connection,
        invoice,
        ("account", account),
        stl3_kind=CREDIT_NOTE,
        stl3_paymentdate="2025-05-09",
        stl3_amount=30,
        stl3_creditnotenumber="CN-0007",
        stl3_status=DELETED_IN_XERO,
    )

    credit, payment = grid_rows(seller.get("invoices", invoice), "xero-payments")
    assert (credit["stl3_paymentdate"], credit["stl3_kind"], credit["stl3_creditnotenumber"], credit["stl3_status"]) == (
        "5/9/2025",  # as Dynamics shows a date only
        "Credit note",
        "CN-0007",
        "Deleted or reversed in Xero",
    )
    assert {
        key: payment[key] for key in ("stl3_currencycode", "stl3_reference", "stl3_kind", "stl3_status", "stl3_bankaccount")
    } == {
        "stl3_currencycode": "NZD",
        "stl3_reference": "Bank transfer 0042",
        "stl3_kind": "Payment",
        "stl3_status": "Paid",
        "stl3_bankaccount": "Business Bank Account",
    }
    assert "120.5" in payment["stl3_amount"]
    assert payment["stl3_xerourl"].endswith(payment_id)
    assert "stl3_invoiceid" not in payment  # the invoice's own page: no column naming it


def test_a_customers_page_shows_its_payments_with_their_invoice_and_its_balances_in_xero(api, seller):
    connection, connection_name = a_connection(api)
    contact = new_id(seller.post("contacts", data={"firstname": "Ana", "lastname": unique("Ngata")}))
    invoice = new_invoice(seller, f"contact:{contact}")
    invoice_name = api.get(f"invoices({invoice})", **{"$select": "name"})["name"]
    a_payment(api, connection, invoice, ("contact", contact), stl3_kind=PAYMENT, stl3_paymentdate="2025-05-02", stl3_amount=80)
    upsert(
        api,
        "stl3_xerocontacts",
        {
            "stl3_name": "Ana Ngata",
            "stl3_connectorid@odata.bind": f"/stl3_dynamicsxeroconnectors({connection})",
            "stl3_contactid@odata.bind": f"/contacts({contact})",
            "stl3_outstanding": 1250.75,
            "stl3_overdue": 300,
            "stl3_balancecurrency": "NZD",
            "stl3_balanceson": "2025-05-03T08:00:00Z",
        },
    )

    page = seller.get("contacts", contact)
    [payment] = grid_rows(page, "xero-payments")
    assert (payment["stl3_invoiceid"], payment["stl3_kind"], payment["stl3_paymentdate"]) == (
        invoice_name,
        "Payment",
        "5/2/2025",
    )
    [xero_contact] = grid_rows(page, "xero-contacts")
    assert xero_contact["stl3_connectorid"] == connection_name
    assert "1,250.75" in xero_contact["stl3_outstanding"] and "300" in xero_contact["stl3_overdue"]
    assert (xero_contact["stl3_balancecurrency"], bool(xero_contact["stl3_balanceson"])) == ("NZD", True)


def test_a_customer_without_payments_says_so(api, seller):
    account = new_id(seller.post("accounts", data={"name": unique("Quiet Bay Ltd")}))
    page = html(seller.get("accounts", account))
    assert page.xpath("//table[@id='xero-payments']//td")[0].text_content() == "No payments from Xero."


# --- without the solution -------------------------------------------------------------------------------------------


def account_page(org, account_id: str) -> str:
    """The account's page in the app, in-process, as the organisation's salesperson."""
    organisation = Organisation({"unique_name": "orgcontoso"}, org.service, BASE_URL)
    caller = organisation.caller_for(SALES)
    visit = Visit(Session("sales"), {"upn": "sales@contoso.test"}, organisation, ActingUser(organisation, caller), "Salesperson")
    return ACCOUNTS.edit_page(visit, Input(params={"id": account_id})).body.decode()


def test_before_the_solution_is_installed_the_page_shows_nothing_of_xero(tmp_path):
    org = make_org(tmp_path)
    try:
        account_id = org.api.create("account", {"name": "Before the solution"})["accountid"]
        assert "xero-contacts" not in account_page(org, account_id)
        imported = org.client(ADMIN).post(
            f"{API}/ImportSolution",
            json={"CustomizationFile": base64.b64encode(solution_zip_bytes()).decode(), "ImportJobId": str(uuid.uuid4())},
        )
        assert imported.status_code == 204, imported.text
        shown = account_page(org, account_id)
        assert "id='xero-contacts'" in shown and "id='sync-history'" in shown and "id='xero-payments'" in shown
    finally:
        org.service.webhooks.close()


def test_with_the_older_solution_the_page_shows_the_columns_it_has_and_no_payments(tmp_path):
    org = make_org(tmp_path)
    try:
        account_id = org.api.create("account", {"name": "On 1.1"})["accountid"]
        imported = org.client(ADMIN).post(
            f"{API}/ImportSolution",
            json={
                "CustomizationFile": base64.b64encode(build_solution_zip(the_solution_at_1_1())).decode(),
                "ImportJobId": str(uuid.uuid4()),
            },
        )
        assert imported.status_code == 204, imported.text
        page = lxml.html.fromstring(account_page(org, account_id))
        headers = [th.text_content() for th in page.xpath("//table[@id='xero-contacts']//th")]
        assert "Xero Contact ID" in headers and "Outstanding" not in headers
        assert not page.xpath("//table[@id='xero-payments']")
    finally:
        org.service.webhooks.close()
