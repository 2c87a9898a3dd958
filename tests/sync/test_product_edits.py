"""Edits of linked products reach their Xero items, only the fields that changed; what Xero can't take fails that
product alone (docs/conflicts.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.names import XeroItemTable
from dxconnector.domain.rules import Why
from dxconnector.sync.models import Link, SyncAttempt
from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, unique


def item_choice(column: str, code: str) -> int:
    return option_value(XeroItemTable.TABLE, column, code)


class ProductEditsTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard(stl3_createnewproducts=True)

    def linked_products(self, *products: dict[str, Any]) -> None:
        """The products' first invoice goes to Xero: each is linked to the item made for it."""
        self.make_invoice(self.make_account(), [{"product": product, "quantity": 1} for product in products])
        self.sync()

    def linked_product(self, **columns: Any) -> dict[str, Any]:
        product = self.make_product(**columns)
        self.linked_products(product)
        return product

    def item_link(self, product_id: str) -> Link:
        return Link.objects.get(connection=self.connection, kind=Link.Kind.ITEM, dynamics_id=product_id)

    def xero_item(self, product_id: str) -> dict[str, Any]:
        body, _ = self.xero().request("get_item", self.item_link(product_id).xero_id, unitdp=4)
        return body["Items"][0]

    def edit(self, product_id: str, **columns: Any) -> None:
        self.dataverse().update("products", product_id, columns)

    def product_attempts(self, product_id: str) -> list[SyncAttempt]:
        return list(SyncAttempt.objects.filter(connection=self.connection, dynamics_id=product_id).order_by("attempted_at"))

    def history_of(self, attempt: SyncAttempt) -> dict[str, Any]:
        """The attempt's history row in Dynamics (its id is the attempt's), naming the product."""
        row = self.dataverse().request("GET", f"stl3_synchistories({attempt.pk})").json()
        self.assertEqual(row["_stl3_productid_value"], attempt.dynamics_id)
        return row

    def edit_in_xero(self, product: dict[str, Any], **fields: Any) -> None:
        item = {"ItemID": self.item_link(product["id"]).xero_id, "Code": product["number"], **fields}
        [result] = self.xero().write(resources.ITEMS, [item], create_only=False)
        assert result.ok, result.errors

    def xero_item_rows(self, product_id: str) -> list[dict[str, Any]]:
        return self.dataverse().list("stl3_xeroitems", filter=f"_stl3_productid_value eq {product_id}")


class EachFieldTestCase(ProductEditsTestCase):
    def test_each_field_of_a_product_edited_in_dynamics_reaches_its_xero_item(self):
        product = self.linked_product(description="A blue widget")
        edits: list[tuple[str, dict[str, Any], Any]] = [
            ("Name", {"name": (name := unique("Widget"))}, lambda item: item["Name"] == name[:50]),
            ("Description", {"description": "A red widget"}, lambda item: item["Description"] == "A red widget"),
            ("UnitPrice", {"price": 31.25}, lambda item: Decimal(str(item["SalesDetails"]["UnitPrice"])) == Decimal("31.25")),
            ("AccountCode", self.account_code("260"), lambda item: item["SalesDetails"]["AccountCode"] == "260"),
            ("TaxType", self.tax_rate("EXEMPTOUTPUT"), lambda item: item["SalesDetails"]["TaxType"] == "EXEMPTOUTPUT"),
            ("Code", {"productnumber": (code := unique("W").replace(" ", "-"))}, lambda item: item["Code"] == code),
        ]
        for field, columns, arrived in edits:
            with self.subTest(field=field):
                self.edit(product["id"], **columns)
                run = self.sync()
                item = self.xero_item(product["id"])
                self.assertTrue(arrived(item), item)
                self.assertEqual(run.counts.get("products_updated"), 1)
        item = self.xero_item(product["id"])  # every edit kept: none undid another
        self.assertEqual(
            (item["Code"], item["Name"], item["Description"], item["SalesDetails"]["AccountCode"]),
            (code, name[:50], "A red widget", "260"),
        )
        self.assertEqual(Decimal(str(item["SalesDetails"]["UnitPrice"])), Decimal("31.25"))
        self.assertEqual(item["SalesDetails"]["TaxType"], "EXEMPTOUTPUT")
        [row] = self.xero_item_rows(product["id"])
        self.assertEqual(row[XeroItemTable.XERO_CODE], code)

    def test_a_products_history_says_which_fields_went_to_xero(self):
        product = self.linked_product(description="A gadget")
        self.edit(product["id"], name=unique("Gadget"), price=12.5)
        self.sync()
        [attempt] = self.product_attempts(product["id"])
        self.assertEqual(attempt.outcome, SyncAttempt.Outcome.SUCCEEDED)
        self.assertIn("Xero took Name, Sales details from Dynamics", attempt.reason)
        self.assertIn("Xero took Name, Sales details from Dynamics", self.history_of(attempt)["stl3_message"])

    def test_a_second_run_writes_nothing_to_xero(self):
        product = self.linked_product()
        self.edit(product["id"], price=99)
        self.sync()
        before = self.xero_item(product["id"])["UpdatedDateUTC"]
        run = self.sync("webhook")  # our own writes come back from Dynamics' change tracking
        self.assertEqual(self.xero_item(product["id"])["UpdatedDateUTC"], before)
        self.assertNotIn("products_updated", run.counts)
        self.assertEqual(len(self.product_attempts(product["id"])), 1)

    def test_an_edit_made_to_the_item_in_xero_stays_until_the_product_edits_the_same_field(self):
        product = self.linked_product()
        self.edit_in_xero(product, Name="Xero's own")
        self.edit(product["id"], price=77)
        self.sync()
        item = self.xero_item(product["id"])
        self.assertEqual((item["Name"], Decimal(str(item["SalesDetails"]["UnitPrice"]))), ("Xero's own", Decimal("77")))
        self.edit(product["id"], name="Dynamics' own")
        self.sync()
        self.assertEqual(self.xero_item(product["id"])["Name"], "Dynamics' own")


class RetiredProductTestCase(ProductEditsTestCase):
    def test_a_retired_product_is_skipped_with_its_reason_and_its_item_stays(self):
        product = self.linked_product()
        before = self.xero_item(product["id"])
        self.edit(product["id"], statecode=1)
        self.sync()
        self.assertEqual(self.xero_item(product["id"]), before)
        [attempt] = self.product_attempts(product["id"])
        self.assertEqual((attempt.outcome, attempt.reason_code), (SyncAttempt.Outcome.SKIPPED, Why.NOT_ARCHIVABLE.value))
        self.assertIn("Xero's items can't be archived", self.history_of(attempt)["stl3_message"])


class RefusedItemTestCase(ProductEditsTestCase):
    def test_a_code_xero_refuses_fails_that_product_alone_with_xeros_words_in_its_history(self):
        taken = self.in_xero(resources.ITEMS, {"Code": unique("T").replace(" ", "-"), "Name": "Someone else's"})
        refused, other = self.make_product(), self.make_product()
        self.linked_products(refused, other)
        before = self.xero_item(refused["id"])
        self.edit(refused["id"], productnumber=taken["Code"])
        self.edit(other["id"], price=42)
        run = self.sync()
        self.assertEqual(run.counts.get("failed"), 1)
        self.assertEqual(Decimal(str(self.xero_item(other["id"])["SalesDetails"]["UnitPrice"])), Decimal("42"))
        self.assertEqual(self.xero_item(refused["id"]), before)
        [attempt] = self.product_attempts(refused["id"])
        self.assertEqual(attempt.outcome, SyncAttempt.Outcome.FAILED)
        history = self.history_of(attempt)
        self.assertEqual(history["stl3_outcome"], option_value("stl3_synchistory", "stl3_outcome", "FAILED"))
        self.assertIn(f"Item code '{taken['Code']}' already exists", history["stl3_message"])
        [row] = self.xero_item_rows(refused["id"])
        self.assertEqual(row[XeroItemTable.SYNC_STATUS], item_choice(XeroItemTable.SYNC_STATUS, "FAILED"))
        [row] = self.xero_item_rows(other["id"])
        self.assertEqual(row[XeroItemTable.SYNC_STATUS], item_choice(XeroItemTable.SYNC_STATUS, "SYNCED"))


class XeroItemRowTestCase(ProductEditsTestCase):
    def test_a_products_xero_item_row_is_in_dynamics_once_its_first_invoice_links_it(self):
        product = self.linked_product()
        [row] = self.xero_item_rows(product["id"])
        link = self.item_link(product["id"])
        self.assertEqual(row[XeroItemTable.XERO_ITEM_ID], link.xero_id)
        self.assertEqual(row[XeroItemTable.XERO_CODE], product["number"])
        self.assertEqual(row[XeroItemTable.SYNC_STATUS], item_choice(XeroItemTable.SYNC_STATUS, "SYNCED"))
        self.assertEqual(row["_stl3_connectorid_value"], self.connector_id())
