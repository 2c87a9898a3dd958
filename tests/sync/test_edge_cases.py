"""Edge cases of the invoice sync against the sandboxes: numbers Xero already has, very long invoices,
names beyond ASCII, delivery dates that fall on another day in the connection's time zone, paid bills."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, invoice_choice, settings_choice, unique


class EdgeCasesTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def test_an_invoice_number_xero_already_has_fails_that_invoice_and_leaves_xeros_alone(self):
        self.set_settings(stl3_usexeroinvoicenumber=False, stl3_useinvoicename=True)
        customer = self.make_account()
        number = unique("DUP")
        contact = self.in_xero(resources.CONTACTS, {"Name": unique("Bookkeeper's customer")})
        theirs = self.in_xero(
            resources.INVOICES,
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": contact["ContactID"]},
                "InvoiceNumber": number,
                "Date": "2026-03-01",
                "LineItems": [{"Description": "Theirs", "Quantity": 1, "UnitAmount": 5, "AccountCode": "200"}],
            },
        )
        invoice_id = self.make_invoice(customer, [{"description": "Ours", "price": "70", "quantity": 1}], name=number)
        run = self.sync()
        [attempt] = self.attempts(invoice_id)
        self.assertEqual((attempt.outcome, attempt.reason_code), ("FAILED", "xero_refused"))
        self.assertEqual(run.counts["failed"], 1)
        [history] = self.history(invoice_id)
        self.assertIn("unique", history["stl3_message"].lower())
        self.assertFalse(self.xero_invoices_linking_to(invoice_id))
        untouched = self.xero_invoice(theirs["InvoiceID"])
        self.assertEqual(
            (untouched["Contact"]["ContactID"], untouched["LineItems"][0]["Description"]), (contact["ContactID"], "Theirs")
        )

    def test_a_300_line_invoice_arrives_whole_and_in_order(self):
        lines = [{"description": f"Part {n:03d}", "price": f"{n}.25", "quantity": n % 7 + 1} for n in range(1, 301)]
        invoice_id = self.make_invoice(self.make_account(), lines)
        self.sync()
        xero = self.xero_invoice(self.link(invoice_id).xero_id)
        self.assertEqual(len(xero["LineItems"]), 300)
        self.assertEqual(
            [
                (line["Description"], Decimal(str(line["Quantity"])), Decimal(str(line["UnitAmount"])))
                for line in xero["LineItems"]
            ],
            [(f"Part {n:03d}", Decimal(n % 7 + 1), Decimal(f"{n}.25")) for n in range(1, 301)],
        )
        self.assertEqual(Decimal(str(xero["SubTotal"])), sum(Decimal(f"{n}.25") * (n % 7 + 1) for n in range(1, 301)))

    def test_names_beyond_ascii_arrive_intact(self):
        self.set_settings(stl3_createnewproducts=True)
        tag = unique("")[1:5]
        customer = self.make_account(f"Zoë Ångström & Søn — Kraków {tag}")
        names = [f"Crème brûlée façonnée {tag}", f"Café ☕ doppio 🚀 {tag}", f"抹茶ラテ 北京烤鸭 {tag}"]
        products = [self.make_product(name) for name in names]
        invoice_id = self.make_invoice(
            customer,
            [{"product": product, "quantity": 1} for product in products]
            + [{"description": "Łódź → Zürich, naïve résumé 😀", "price": "1", "quantity": 1}],
            description="Zamówienie № 7 — «spécial» 注文",
        )
        self.sync()
        xero = self.xero_invoice(self.link(invoice_id).xero_id)
        self.assertEqual(xero["Contact"]["Name"], customer["name"])
        self.assertEqual([line["Description"] for line in xero["LineItems"]], [*names, "Łódź → Zürich, naïve résumé 😀"])
        self.assertEqual(xero["Reference"], "Zamówienie № 7 — «spécial» 注文")
        for product in products:
            [item] = self.xero().records(resources.ITEMS, where=f'Code=="{product["number"]}"')
            self.assertEqual(item["Name"], product["name"])
        [contact] = self.xero().records(resources.CONTACTS, where=f'ContactID==Guid("{xero["Contact"]["ContactID"]}")')
        self.assertEqual(contact["Name"], customer["name"])

    def test_the_xero_date_is_the_delivery_day_in_the_connections_time_zone(self):
        for time_zone, delivered, expected in (
            ("Pacific/Auckland", datetime(2026, 3, 10, 20, 0, tzinfo=UTC), "2026-03-11"),  # already the 11th there
            ("America/Los_Angeles", datetime(2026, 3, 11, 4, 0, tzinfo=UTC), "2026-03-10"),  # still the 10th there
            ("Europe/London", datetime(2026, 3, 10, 23, 30, tzinfo=UTC), "2026-03-10"),
            ("Europe/London", datetime(2026, 7, 10, 23, 30, tzinfo=UTC), "2026-07-11"),
        ):  # British Summer Time
            with self.subTest(time_zone, delivered=delivered):
                self.set_settings(stl3_timezone=time_zone)
                invoice_id = self.make_invoice(
                    self.make_account(), [{"description": "Day", "price": "1", "quantity": 1}], delivered=delivered
                )
                self.sync()
                self.assertEqual(self.xero_invoice(self.link(invoice_id).xero_id)["DateString"][:10], expected)

    def test_an_edit_of_a_paid_bill_is_refused_and_says_to_remove_the_payment_first(self):
        self.set_settings(stl3_defaultpurchaseinvoicestatus=settings_choice("stl3_defaultpurchaseinvoicestatus", "AUTHORISED"))
        invoice_id = self.make_invoice(
            self.make_account(),
            [{"description": "Timber", "price": "90", "quantity": 1}],
            stl3_xeroinvoicetype=invoice_choice("stl3_xeroinvoicetype", "ACCPAY"),
            name=unique("BILL"),
        )
        self.sync()
        xero_id = self.link(invoice_id).xero_id
        self.in_xero(
            resources.PAYMENTS,
            {"Invoice": {"InvoiceID": xero_id}, "Account": {"Code": "090"}, "Amount": self.xero_invoice(xero_id)["Total"]},
        )
        [line] = self.lines(invoice_id)
        self.dataverse().update("invoicedetails", line["invoicedetailid"], {"quantity": 2.0})
        self.sync("webhook")  # the edit's own run, before the payment is brought back (the bill then turns read-only)
        refused = self.attempts(invoice_id)[-1]
        self.assertEqual((refused.outcome, refused.reason_code), ("FAILED", "paid_bill"))
        self.assertEqual(self.xero_invoice(xero_id)["Status"], "PAID")
        self.assertEqual(Decimal(str(self.xero_invoice(xero_id)["LineItems"][0]["Quantity"])), Decimal(1))

    def test_an_approved_unpaid_invoice_takes_every_edit_and_stays_approved(self):
        self.set_settings(stl3_defaultsalesinvoicestatus=settings_choice("stl3_defaultsalesinvoicestatus", "AUTHORISED"))
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Fence", "price": "250", "quantity": 1}])
        self.sync()
        xero_id = self.link(invoice_id).xero_id
        [line] = self.lines(invoice_id)
        self.dataverse().update("invoicedetails", line["invoicedetailid"], {"quantity": 3.0, "priceperunit": 240.0})
        self.sync()
        xero = self.xero_invoice(xero_id)
        self.assertEqual((xero["Status"], Decimal(str(xero["Total"]))), ("AUTHORISED", Decimal(720) * Decimal("1.2")))
        self.assertEqual(self.attempts(invoice_id)[-1].reason, "Updated in Xero.")
        [details] = self.details(invoice_id, "stl3_amountdue")
        self.assertEqual(Decimal(str(details["stl3_amountdue"])), Decimal(864))
