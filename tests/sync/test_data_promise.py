"""PRODUCT §3.8: after a sync, no table of the connector holds an amount, a line, a description or a name."""

from __future__ import annotations

from django.db import connection as database

from dxconnector.sync.models import Link
from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, unique


def every_cell() -> list[tuple[str, str]]:
    """(table, cell as text) for every row of every table in the connector's database."""
    cells = []
    with database.cursor() as cursor:
        for table in database.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {database.ops.quote_name(table)}")
            cells += [(table, str(value)) for row in cursor.fetchall() for value in row if value is not None]
    return cells


class DataPromiseTestCase(SyncTestCase):
    def test_after_a_sync_no_connector_table_holds_an_amount_a_line_a_description_or_a_customer_name(self):
        self.onboard(stl3_createnewproducts=True)
        customer = self.make_account(
            name=unique("Łódź Präzision"), emailaddress1="ap@lodz.example", telephone1="+48 555 0199", address1_city="Gdańsk"
        )
        product = self.make_product(name=unique("Ångström kit"), price="4321.77")
        description = unique("Calibration visit, second floor")
        invoice_id = self.make_invoice(
            customer,
            [{"product": product, "quantity": 3}, {"description": unique("Travel surcharge"), "price": "987.65", "quantity": 1}],
            description=description,
        )
        self.sync()
        xero = self.xero_invoice(self.link(invoice_id).xero_id)
        lines = [line["Description"] for line in xero["LineItems"]]
        secrets = {
            "customer name": customer["name"],
            "account number": customer["accountnumber"],
            "email": "ap@lodz.example",
            "phone": "555 0199",
            "city": "Gdańsk",
            "product name": product["name"],
            "description": description,
            "lines": lines[1],
            "unit amount": "4321.77",
            "other unit amount": "987.65",
            "total": str(xero["Total"]),
            "sub total": str(xero["SubTotal"]),
        }
        cells = every_cell()
        self.assertIn(("sync_link", invoice_id), cells)  # the scan does read the connector's rows
        leaks = [(what, table) for table, cell in cells for what, secret in secrets.items() if secret in cell]
        self.assertEqual(leaks, [])
        self.assertTrue(self.link(invoice_id).sent_hash)  # what it keeps instead: a keyed hash

    def test_after_customers_and_products_are_edited_both_ways_no_connector_table_holds_their_names_emails_phones_or_prices(
        self,
    ):
        self.onboard(stl3_createnewproducts=True, stl3_twowaycontactsync=True)
        customer = self.make_account(name=unique("Łódź Präzision"), emailaddress1="ap@lodz.example", telephone1="+48 555 0199")
        product = self.make_product(name=unique("Ångström kit"), price="4321.77")
        self.make_invoice(customer, [{"product": product, "quantity": 1}])
        self.sync()
        secrets = {
            "customer name": customer["name"],
            "email": "ap@lodz.example",
            "phone": "555 0199",
            "product name": product["name"],
            "price": "4321.77",
        }
        renamed, product_name = unique("Zürich Präzision"), unique("Gdańsk kit")
        self.dataverse().update(
            "accounts", customer["id"], {"name": renamed, "emailaddress1": "billing@gdansk.example", "address1_city": "Gdańsk"}
        )
        self.dataverse().update("products", product["id"], {"name": product_name, "price": 1234.56})
        self.sync()
        contact_id = Link.objects.get(connection=self.connection, kind=Link.Kind.CONTACT, dynamics_id=customer["id"]).xero_id
        [edited] = self.xero().write(
            resources.CONTACTS,
            [
                {
                    "ContactID": contact_id,
                    "EmailAddress": "ar@zurich.example",
                    "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "044 555 0177"}],
                }
            ],
            create_only=False,
        )
        assert edited.ok, edited.errors
        item_id = Link.objects.get(connection=self.connection, kind=Link.Kind.ITEM, dynamics_id=product["id"]).xero_id
        xero_item_name = unique("Xero kit")
        [edited] = self.xero().write(
            resources.ITEMS,
            [{"ItemID": item_id, "Code": product["number"], "Name": xero_item_name, "SalesDetails": {"UnitPrice": 987.65}}],
            create_only=False,
        )
        assert edited.ok, edited.errors
        self.sync()
        self.dataverse().update("products", product["id"], {"price": 2468.13})
        self.sync()
        account = self.dataverse().request("GET", f"accounts({customer['id']})").json()
        self.assertEqual((account["emailaddress1"], account["telephone1"]), ("ar@zurich.example", "044 555 0177"))
        secrets |= {
            "new customer name": renamed,
            "new email": "billing@gdansk.example",
            "city": "Gdańsk",
            "new product name": product_name,
            "new price": "1234.56",
            "email from Xero": "ar@zurich.example",
            "phone from Xero": "555 0177",
            "item name in Xero": xero_item_name,
            "item price in Xero": "987.65",
            "last price": "2468.13",
        }
        cells = every_cell()
        self.assertIn(("sync_link", customer["id"]), cells)  # the scan does read the connector's rows
        self.assertIn(("sync_link", product["id"]), cells)
        leaks = [(what, table) for table, cell in cells for what, secret in secrets.items() if secret in cell]
        self.assertEqual(leaks, [])
