"""`dxconnector verify` on the linked customers and products: each compared with its Xero contact or item field by
field, against the sandbox's Dynamics and Xero. Each test changes one side directly through that side's API, as a
user would, and runs no sync after the change: the report says how the two sides differ now."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from typing import Any
from unittest import mock

from dxconnector import cli
from dxconnector.sync import engine
from dxconnector.sync.models import Link
from dxconnector.sync.verify import Problem, Report, Row, verify
from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, unique

EMAIL = "accounts@verify-customers.example"
NOTHING_WRONG = {
    "compared": 1,
    "in_step": 1,
    "differing": 0,
    "missing_in_xero": 0,
    "missing_in_dynamics": 0,
    "not_comparable": 0,
    "unchecked": 0,
    "records": [],
}


class VerifyCustomersAndProductsTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard(stl3_createnewproducts=True)

    def verify(self) -> Report:
        return verify(self.connection.pk, clients=self.clients)

    def cli(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err), mock.patch.object(engine, "connected_clients", self.clients):
            code = cli.main(["verify", str(self.connection.pk), *args])
        return code, out.getvalue(), err.getvalue()

    def synced(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """An account and a product, linked to the Xero contact and item a sync of their invoice made."""
        account = self.make_account(
            emailaddress1=EMAIL, telephone1="09 555 0101", address1_line1="1 Queen Street", address1_city="Auckland"
        )
        product = self.make_product(price="19.95")
        self.make_invoice(account, [{"product": product, "quantity": 2}])
        self.sync()
        return account, product

    def xero_id(self, kind: str, dynamics_id: str) -> str:
        return Link.objects.get(connection=self.connection, kind=kind, dynamics_id=dynamics_id).xero_id

    def only_row(self, rows: list[Row], problem: Problem) -> Row:
        self.assertEqual([row.problem for row in rows], [problem], [row.line for row in rows])
        return rows[0]

    # --- in step ---------------------------------------------------------------------------------------------
    def test_a_linked_customer_and_product_just_synced_are_in_step(self):
        account, product = self.synced()

        code, out, err = self.cli()

        self.assertEqual(code, 0, out)
        lines = out.splitlines()
        self.assertIn("Customers linked 1: in step 1, differing 0, missing in Xero 0, missing in Dynamics 0.", lines)
        self.assertIn("Products linked 1: in step 1, differing 0, missing in Xero 0, missing in Dynamics 0.", lines)
        self.assertTrue(lines[-1].startswith("Dynamics 1 invoices for this connection; Xero 1; missing 0"), lines[-1])
        self.assertIn("Dynamics: 1/1 linked customers read", err)
        self.assertIn("Xero Contacts: 1/1 linked contacts read", err)
        for value in (account["name"], EMAIL, "Auckland", product["name"], "19.95"):
            self.assertNotIn(value, out + err)

        code, out, _ = self.cli("--json")
        figures = json.loads(out)
        self.assertEqual((code, figures["ok"], figures["differing"]), (0, True, 0))
        self.assertEqual((figures["customers"], figures["products"]), (NOTHING_WRONG, NOTHING_WRONG))

    def test_a_dynamics_contact_is_compared_in_the_fields_of_a_contact(self):
        client = self.dataverse()
        person = {"id": client.create("contacts", {"firstname": "Zoë", "lastname": unique("Brontë"), "mobilephone": "021 555"})}
        self.make_invoice(person, [{"description": "Visit", "price": "10", "quantity": 1}], customer_kind="contact")
        self.sync()
        self.assertTrue(self.verify().customers.ok)

        contact_id = self.xero_id(Link.Kind.CONTACT, person["id"])
        [edited] = self.xero().write(resources.CONTACTS, [{"ContactID": contact_id, "LastName": "Edited in Xero"}])
        self.assertTrue(edited.ok, edited.errors)

        row = self.only_row(self.verify().customers.rows, Problem.DIFFERING)
        self.assertEqual((row.dynamics_id, row.xero_ids, row.fields), (person["id"], (contact_id,), ("LastName",)))

    # --- differing -------------------------------------------------------------------------------------------
    def test_an_email_changed_in_xero_only_differs_by_its_field_name_and_fails_the_check(self):
        account, _ = self.synced()
        contact_id = self.xero_id(Link.Kind.CONTACT, account["id"])
        [edited] = self.xero().write(
            resources.CONTACTS, [{"ContactID": contact_id, "EmailAddress": "changed.in.xero@example.com"}]
        )
        self.assertTrue(edited.ok, edited.errors)

        code, out, _ = self.cli()

        self.assertEqual(code, 1, out)
        self.assertIn(f"DIFFERING  customer {account['id']} (Xero {contact_id}): EmailAddress", out.splitlines())
        self.assertIn("Customers linked 1: in step 0, differing 1, missing in Xero 0, missing in Dynamics 0.", out)
        self.assertIn("missing 0, duplicated 0, differing 0", out.splitlines()[-1])  # the invoices' figures
        for value in ("changed.in.xero", EMAIL, account["name"]):
            self.assertNotIn(value, out)

        figures = json.loads(self.cli("--json")[1])
        self.assertEqual((figures["ok"], figures["differing"], figures["customers"]["differing"]), (False, 0, 1))
        self.assertEqual(
            figures["customers"]["records"],
            [
                {
                    "problem": "differing",
                    "dynamics_id": account["id"],
                    "xero_ids": [contact_id],
                    "fields": ["EmailAddress"],
                    "detail": "",
                    "kind": "customer",
                }
            ],
        )

    def test_a_price_changed_in_dynamics_only_differs_in_the_sales_details(self):
        _, product = self.synced()
        self.dataverse().update("products", product["id"], {"price": 24.5})

        report = self.verify()

        row = self.only_row(report.products.rows, Problem.DIFFERING)
        item_id = self.xero_id(Link.Kind.ITEM, product["id"])
        self.assertEqual(
            (row.dynamics_id, row.xero_ids, row.fields, row.kind), (product["id"], (item_id,), ("Sales details",), "product")
        )
        self.assertEqual((report.customers.in_step, report.ok), (1, False))

    def test_a_price_changed_in_xero_by_a_hundredth_of_a_cent_differs(self):
        """Xero's unit prices are read to four places, as the sync writes them: rounded to two, this one would pass."""
        _, product = self.synced()
        item_id = self.xero_id(Link.Kind.ITEM, product["id"])
        [item] = [item for item in self.xero().records(resources.ITEMS, unitdp=4) if item["ItemID"] == item_id]
        sales = {**item["SalesDetails"], "UnitPrice": "19.9501"}
        [edited] = self.xero().write(
            resources.ITEMS, [{"ItemID": item_id, "Code": item["Code"], "SalesDetails": sales}], unitdp=4
        )
        self.assertTrue(edited.ok, edited.errors)

        row = self.only_row(self.verify().products.rows, Problem.DIFFERING)
        self.assertEqual((row.dynamics_id, row.fields), (product["id"], ("Sales details",)))

    # --- missing ---------------------------------------------------------------------------------------------
    def test_a_product_deleted_in_dynamics_is_missing_in_dynamics(self):
        _, product = self.synced()
        item_id = self.xero_id(Link.Kind.ITEM, product["id"])
        self.dataverse().request("DELETE", f"products({product['id']})").raise_for_status()

        code, out, _ = self.cli()

        self.assertEqual(code, 1)
        self.assertIn(
            f"MISSING IN DYNAMICS product {product['id']} (Xero {item_id}): "
            "not in Dynamics any more (deleted there, or out of the connector's reach)",
            out.splitlines(),
        )
        self.assertIn("Products linked 1: in step 0, differing 0, missing in Xero 0, missing in Dynamics 1.", out)

    def test_an_item_deleted_in_xero_is_missing_in_xero(self):
        _, product = self.synced()
        item_id = self.xero_id(Link.Kind.ITEM, product["id"])
        self.xero().request("delete_item", item_id)

        row = self.only_row(self.verify().products.rows, Problem.MISSING)
        self.assertEqual((row.dynamics_id, row.xero_ids), (product["id"], (item_id,)))
        self.assertIn("doesn't list", row.detail)

    # --- not comparable --------------------------------------------------------------------------------------
    def test_a_customer_whose_name_xero_cannot_keep_is_not_comparable_with_the_reason(self):
        account, _ = self.synced()
        self.dataverse().update("accounts", account["id"], {"name": "Renamed\x01Badly"})

        report = self.verify()

        row = self.only_row(report.customers.rows, Problem.NOT_COMPARABLE)
        self.assertEqual(row.dynamics_id, account["id"])
        self.assertIn("text_xero_cannot_store: The customer's name contains a control character", row.detail)
        self.assertNotIn("Renamed", "\n".join(report.lines))
        self.assertFalse(report.ok)
        self.assertIn("not comparable 1", report.customers.summary)
