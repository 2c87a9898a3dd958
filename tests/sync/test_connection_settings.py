"""Each setting of the connection's settings row in Dynamics, on and off, as it shows on the invoices in Xero."""

from __future__ import annotations

from decimal import Decimal

from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, invoice_choice, settings_choice, unique


def sales_status(code: str) -> dict[str, int]:
    return {"stl3_defaultsalesinvoicestatus": settings_choice("stl3_defaultsalesinvoicestatus", code)}


def purchase_status(code: str) -> dict[str, int]:
    return {"stl3_defaultpurchaseinvoicestatus": settings_choice("stl3_defaultpurchaseinvoicestatus", code)}


BILL = {"stl3_xeroinvoicetype": invoice_choice("stl3_xeroinvoicetype", "ACCPAY")}
ONE_LINE = [{"description": "Service", "price": "100", "quantity": 1}]


class ConnectionSettingsTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def sent(self, settings: dict, **invoice_columns) -> dict:
        """Set the settings, make an invoice, sync it and read it back from Xero."""
        self.set_settings(**settings)
        invoice_id = self.make_invoice(self.make_account(), ONE_LINE, **invoice_columns)
        self.sync()
        self.assertEqual(self.attempts(invoice_id)[-1].outcome, "SUCCEEDED")
        return {"id": invoice_id, **self.xero_document(invoice_id)}

    def test_the_invoice_number_is_xeros_own_the_dynamics_invoice_id_or_the_invoice_name(self):
        xeros = self.sent({"stl3_usexeroinvoicenumber": True})
        self.assertRegex(xeros["InvoiceNumber"], r"^INV-\d{4,}$")
        by_id = self.sent({"stl3_usexeroinvoicenumber": False, "stl3_useinvoicename": False})
        self.assertEqual(by_id["InvoiceNumber"], self.invoice_row(by_id["id"], select="invoicenumber")["invoicenumber"])
        name = unique("PO")
        by_name = self.sent({"stl3_usexeroinvoicenumber": False, "stl3_useinvoicename": True}, name=name)
        self.assertEqual(by_name["InvoiceNumber"], name)
        [details] = self.details(by_name["id"], "stl3_xeronumber")
        self.assertEqual(details["stl3_xeronumber"], name)

    def test_the_description_goes_as_the_reference_only_when_the_setting_is_on(self):
        on = self.sent({"stl3_descriptiontoreference": True}, description="Order for\nthe spring   range " + "x" * 300)
        self.assertEqual(on["Reference"], "Order for the spring range " + "x" * 228)  # one line, Xero's 255 characters
        off = self.sent({"stl3_descriptiontoreference": False}, description="Not for Xero")
        self.assertFalse(off.get("Reference"))

    def test_the_default_statuses_for_sales_and_purchases_are_each_kept(self):
        for code in ("DRAFT", "SUBMITTED", "AUTHORISED"):
            with self.subTest(code):
                sale = self.sent({**sales_status(code), **purchase_status("DRAFT")})
                bill = self.sent({**sales_status("DRAFT"), **purchase_status(code)}, **BILL)
                self.assertEqual((sale["Type"], sale["Status"]), ("ACCREC", code))
                self.assertEqual((bill["Type"], bill["Status"]), ("ACCPAY", code))

    def test_products_missing_from_xero_go_without_an_item_when_create_products_is_off(self):
        product = self.make_product(price="12.00")
        invoice_id = self.make_invoice(self.make_account(), [{"product": product, "quantity": 1}])
        run = self.sync()
        [line] = self.xero_invoice(self.link(invoice_id).xero_id)["LineItems"]
        self.assertEqual((line["Description"], line.get("ItemCode")), (product["name"], None))
        self.assertFalse(list(self.xero().records(resources.ITEMS, where=f'Code=="{product["number"]}"')))
        self.assertEqual(run.counts.get("items_created", 0), 0)

    def test_with_create_contacts_off_a_customer_already_in_xero_is_found_by_exact_name(self):
        self.set_settings(stl3_createnewcontacts=False)
        customer = self.make_account(number="")
        contact = self.in_xero(resources.CONTACTS, {"Name": customer["name"]})
        invoice_id = self.make_invoice(customer, ONE_LINE)
        run = self.sync()
        self.assertEqual(self.xero_invoice(self.link(invoice_id).xero_id)["Contact"]["ContactID"], contact["ContactID"])
        self.assertEqual(run.counts.get("contacts_created", 0), 0)

    def test_the_default_tax_type_applies_to_lines_without_a_tax_rate(self):
        sale = self.sent({"stl3_defaulttaxtype": "RROUTPUT"})
        self.assertEqual(sale["LineItems"][0]["TaxType"], "RROUTPUT")
        self.assertEqual(Decimal(str(sale["TotalTax"])), Decimal(5))  # 5% of 100

    def test_the_branding_theme_picked_on_the_invoice_goes_to_xero(self):
        themes = {theme["Name"]: theme["BrandingThemeID"] for theme in self.xero().records(resources.BRANDING_THEMES)}
        chosen = self.sent({}, **self.branding_theme(themes["Special Projects"]))
        self.assertEqual(chosen["BrandingThemeID"], themes["Special Projects"])

    def test_an_approved_sales_invoice_is_emailed_from_xero_once_when_asked(self):
        self.set_settings(stl3_sendemailfromxero=True, **sales_status("AUTHORISED"))
        customer = self.make_account(emailaddress1="accounts@example.com")
        emailed = self.make_invoice(customer, ONE_LINE)
        not_asked = self.make_invoice(customer, ONE_LINE, stl3_sendemailfromxero=False)  # the invoice's own flag wins
        bill = self.make_invoice(customer, ONE_LINE, **BILL)  # Xero emails sales invoices only
        self.sync()
        self.assertTrue(self.xero_invoice(self.link(emailed).xero_id).get("SentToContact"))
        self.assertFalse(self.xero_invoice(self.link(not_asked).xero_id).get("SentToContact"))
        self.assertEqual(self.attempts(bill)[-1].outcome, "SUCCEEDED")
        self.dataverse().update("invoices", emailed, {"description": "Edited after sending"})
        self.sync()  # an edit is not emailed again
        self.assertEqual([a.outcome for a in self.attempts(emailed)], ["SUCCEEDED", "SUCCEEDED"])

    def test_an_email_xero_refuses_leaves_the_invoice_synced_with_xeros_words_in_its_history(self):
        self.set_settings(stl3_sendemailfromxero=True, **sales_status("AUTHORISED"))
        invoice_id = self.make_invoice(self.make_account(), ONE_LINE)  # the customer has no email address
        self.sync()
        [attempt] = self.attempts(invoice_id)
        self.assertEqual((attempt.outcome, attempt.reason), ("SUCCEEDED", "Created in Xero."))
        self.assertEqual(self.xero_invoice(self.link(invoice_id).xero_id)["Status"], "AUTHORISED")
        [history] = self.history(invoice_id)
        self.assertIn("Not emailed from Xero", history["stl3_message"])
        self.assertIn("no email address", history["stl3_message"])

    def test_a_draft_is_not_emailed_even_when_asked(self):
        self.set_settings(stl3_sendemailfromxero=True)
        invoice_id = self.make_invoice(self.make_account(emailaddress1="accounts@example.com"), ONE_LINE)
        self.sync()
        xero = self.xero_invoice(self.link(invoice_id).xero_id)
        self.assertEqual((xero["Status"], xero.get("SentToContact")), ("DRAFT", False))
