"""Every kind of Dynamics invoice line, as it arrives on the Xero invoice: catalogue products, write-ins,
description-only lines, bundles, discounts, account codes, tax and tracking."""

from __future__ import annotations

import uuid
from decimal import Decimal

from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, invoice_choice, lines_of


def money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def shown(xero: dict) -> list[tuple]:
    """Lines as lines_of has them, a text-only line (nothing to pay, no account) as its description alone."""
    return [
        line[0] if not line[4] and not money(source.get("LineAmount")) else line
        for line, source in zip(lines_of(xero), xero["LineItems"], strict=True)
    ]


BUNDLE, REQUIRED_COMPONENT = 2, 3  # invoicedetail.producttypecode


class LineKindsTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def test_products_write_ins_and_description_only_lines_arrive_in_order_with_their_codes_tax_and_tracking(self):
        in_xero = self.make_product(price="19.95")
        self.in_xero(resources.ITEMS, {"Code": in_xero["number"], "Name": in_xero["name"]})
        not_in_xero = self.make_product(price="5.00")
        own_account = self.make_product(price="7.00", **self.account_code("260"))
        invoice_id = self.make_invoice(
            self.make_account(),
            [
                {
                    "product": in_xero,
                    "quantity": 2,
                    "discount": "4.90",
                    "columns": {**self.tax_rate("OUTPUT2"), **self.tracking_option("Region", "North")},
                },
                {"product": not_in_xero, "quantity": 1},
                {"description": "Site visit", "price": "80", "quantity": 1, "columns": self.account_code("270")},
                {"description": "Delivered on the 3rd, thank you", "price": "0", "quantity": 0},
                {"product": own_account, "quantity": 3, "price": "6.50"},
            ],
        )
        self.sync()
        xero = self.xero_invoice(self.link(invoice_id).xero_id)
        self.assertEqual(
            shown(xero),
            [
                (in_xero["name"], Decimal(2), Decimal("19.95"), in_xero["number"], "200"),
                (not_in_xero["name"], Decimal(1), Decimal("5.00"), None, "200"),  # not in Xero, not created: no item
                ("Site visit", Decimal(1), Decimal(80), None, "270"),  # the line's own account code
                "Delivered on the 3rd, thank you",  # text only
                (
                    own_account["name"],
                    Decimal(3),
                    Decimal("6.50"),
                    None,
                    "260",
                ),  # the product's account code, its price overridden
            ],
        )
        first = xero["LineItems"][0]
        self.assertEqual((first["TaxType"], money(first["DiscountAmount"])), ("OUTPUT2", Decimal("4.90")))
        self.assertEqual([(t["Name"], t["Option"]) for t in first["Tracking"]], [("Region", "North")])
        self.assertEqual(money(xero["SubTotal"]), Decimal("39.90") - Decimal("4.90") + 5 + 80 + Decimal("19.50"))

    def test_an_invoice_discount_percentage_goes_as_each_lines_discount_rate_and_an_amount_as_discount_amounts(self):
        customer = self.make_account()
        percent = self.make_invoice(
            customer,
            [
                {"description": "Chairs", "price": "50", "quantity": 4},
                {"description": "Desk", "price": "200", "quantity": 1, "discount": "20"},
            ],
            discountpercentage=10,
        )
        amount = self.make_invoice(customer, [{"description": "Chairs", "price": "50", "quantity": 4}], discountamount=15)
        self.sync()
        xero = self.xero_invoice(self.link(percent).xero_id)
        self.assertEqual(
            [(money(line.get("DiscountRate")), money(line.get("DiscountAmount"))) for line in xero["LineItems"]],
            [(Decimal(10), None), (None, Decimal(38))],
        )  # 20 off, then 10% of the 180 left
        self.assertEqual(money(xero["SubTotal"]), Decimal(180) + Decimal(162))
        shared = self.xero_invoice(self.link(amount).xero_id)
        self.assertEqual([money(line.get("DiscountAmount")) for line in shared["LineItems"]], [Decimal(15)])
        self.assertEqual(money(shared["SubTotal"]), Decimal(185))

    def test_a_bundle_goes_with_its_components_as_text_lines_or_as_its_header_alone(self):
        kit, bolt, nut = self.make_product(price="30.00"), self.make_product(price="1.00"), self.make_product(price="0.50")

        def bundle_lines():
            return [
                {"product": kit, "quantity": 1, "columns": {"producttypecode": BUNDLE, "sequencenumber": 1}},
                {"product": bolt, "quantity": 4, "columns": {"producttypecode": REQUIRED_COMPONENT, "sequencenumber": 2}},
                {"product": nut, "quantity": 1, "columns": {"producttypecode": REQUIRED_COMPONENT, "sequencenumber": 3}},
                {"description": "Assembly", "price": "15", "quantity": 1, "columns": {"sequencenumber": 4}},
            ]

        customer = self.make_account()
        whole = self.make_invoice(customer, bundle_lines())
        header_only = self.make_invoice(customer, bundle_lines(), stl3_bundleheaderonly=True)
        self.sync()
        self.assertEqual(
            shown(self.xero_invoice(self.link(whole).xero_id)),
            [
                (kit["name"], Decimal(1), Decimal(30), None, "200"),
                f"4 × {bolt['name']}",  # components: text under their bundle, the price on the header
                nut["name"],
                ("Assembly", Decimal(1), Decimal(15), None, "200"),
            ],
        )
        self.assertEqual(
            shown(self.xero_invoice(self.link(header_only).xero_id)),
            [
                (kit["name"], Decimal(1), Decimal(30), None, "200"),
                ("Assembly", Decimal(1), Decimal(15), None, "200"),
            ],
        )

    def test_each_bundles_components_follow_their_own_header_whatever_their_sequence_numbers(self):
        kit, box, bolt, nut = (self.make_product(price=price) for price in ("30.00", "20.00", "1.00", "0.50"))
        kit_line, box_line = str(uuid.uuid4()), str(uuid.uuid4())
        invoice_id = self.make_invoice(
            self.make_account(),
            [
                {
                    "product": kit,
                    "quantity": 1,
                    "columns": {"invoicedetailid": kit_line, "producttypecode": BUNDLE, "sequencenumber": 1},
                },
                {
                    "product": box,
                    "quantity": 1,
                    "columns": {"invoicedetailid": box_line, "producttypecode": BUNDLE, "sequencenumber": 2},
                },
                {
                    "product": bolt,
                    "quantity": 4,
                    "columns": {"producttypecode": REQUIRED_COMPONENT, "sequencenumber": 3, "parentbundleid": kit_line},
                },
                {
                    "product": nut,
                    "quantity": 2,
                    "columns": {"producttypecode": REQUIRED_COMPONENT, "sequencenumber": 4, "parentbundleid": box_line},
                },
            ],
        )
        self.sync()
        self.assertEqual(
            shown(self.xero_invoice(self.link(invoice_id).xero_id)),
            [
                (kit["name"], Decimal(1), Decimal(30), None, "200"),
                f"4 × {bolt['name']}",
                (box["name"], Decimal(1), Decimal(20), None, "200"),
                f"2 × {nut['name']}",
            ],
        )

    def test_the_account_code_falls_back_from_line_to_product_to_default_and_fails_clearly_without_one(self):
        self.set_settings(stl3_defaultsalesaccountcode=None)
        coded = self.make_product(**self.account_code("260"))
        customer = self.make_account()
        goes = self.make_invoice(
            customer,
            [
                {"product": coded, "quantity": 1},
                {"description": "Own code", "price": "3", "quantity": 1, "columns": self.account_code("270")},
            ],
        )
        stuck = self.make_invoice(
            customer,
            [
                {"description": "Fine", "price": "3", "quantity": 1, "columns": self.account_code("270")},
                {"description": "No code anywhere", "price": "3", "quantity": 1},
            ],
        )
        self.sync()
        self.assertEqual([line[4] for line in lines_of(self.xero_invoice(self.link(goes).xero_id))], ["260", "270"])
        [attempt] = self.attempts(stuck)
        self.assertEqual((attempt.outcome, attempt.reason_code), ("HELD_BACK", "no_account_code"))
        self.assertIn("Line 2 has no account code", attempt.reason)
        self.assertIn("Default Sales Account Code", attempt.reason)
        self.assertFalse(self.xero_invoices_linking_to(stuck))

        self.set_settings(stl3_defaultsalesaccountcode="200")
        self.dataverse().update("invoices", stuck, {"description": "Default set"})
        self.sync()
        self.assertEqual([line[4] for line in lines_of(self.xero_invoice(self.link(stuck).xero_id))], ["270", "200"])

    def test_line_amount_types_decide_how_xero_reads_the_amounts_and_no_tax_sends_no_tax_rate(self):
        customer = self.make_account()
        made = {
            kind: self.make_invoice(
                customer,
                [{"description": "Service", "price": "120", "quantity": 1, "columns": self.tax_rate("OUTPUT2")}],
                stl3_lineamounttypes=invoice_choice("stl3_lineamounttypes", kind),
            )
            for kind in ("Exclusive", "Inclusive", "NoTax")
        }
        self.sync()
        found = {kind: self.xero_invoice(self.link(invoice_id).xero_id) for kind, invoice_id in made.items()}
        self.assertEqual(
            {kind: xero["LineAmountTypes"] for kind, xero in found.items()},
            {"Exclusive": "Exclusive", "Inclusive": "Inclusive", "NoTax": "NoTax"},
        )
        self.assertEqual(
            {kind: (money(xero["SubTotal"]), money(xero["TotalTax"]), money(xero["Total"])) for kind, xero in found.items()},
            {
                "Exclusive": (Decimal(120), Decimal(24), Decimal(144)),  # 20% VAT on top
                "Inclusive": (Decimal(100), Decimal(20), Decimal(120)),  # 20% VAT inside
                "NoTax": (Decimal(120), Decimal(0), Decimal(120)),
            },
        )
        self.assertEqual(found["Exclusive"]["LineItems"][0]["TaxType"], "OUTPUT2")
