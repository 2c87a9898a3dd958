"""Each Xero invoice type picked on a Dynamics invoice lands in Xero's Invoices or CreditNotes with that Type,
and a negative invoice becomes a credit note only when the connection says so."""

from __future__ import annotations

from decimal import Decimal

from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, invoice_choice, lines_of


def of_type(code: str) -> dict[str, int]:
    return {"stl3_xeroinvoicetype": invoice_choice("stl3_xeroinvoicetype", code)}


class InvoiceTypesTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def test_each_invoice_type_lands_in_its_xero_collection_with_its_type_and_default_account(self):
        customer = self.make_account()
        made = {
            code: self.make_invoice(customer, [{"description": f"{code} line", "price": "40", "quantity": 2}], **of_type(code))
            for code in ("ACCREC", "ACCPAY", "ACCRECCREDIT", "ACCPAYCREDIT")
        }
        run = self.sync()
        self.assertEqual(run.counts["succeeded"], 4)
        for code, invoice_id in made.items():
            with self.subTest(code):
                link = self.link(invoice_id)
                self.assertEqual(link.sent_type, code)
                if code.endswith("CREDIT"):
                    xero = self.xero_credit_note(link.xero_id)
                    self.assertEqual(xero["CreditNoteID"], link.xero_id)
                else:
                    xero = self.xero_invoice(link.xero_id)
                    self.assertEqual(xero["InvoiceID"], link.xero_id)
                self.assertEqual(xero["Type"], code)
                account = "200" if code.startswith("ACCREC") else "300"
                self.assertEqual(lines_of(xero), [(f"{code} line", Decimal(2), Decimal(40), None, account)])
                [details] = self.details(invoice_id, "stl3_xeroid,stl3_xeronumber")
                number = xero.get("CreditNoteNumber") or xero.get("InvoiceNumber")
                self.assertEqual((details["stl3_xeroid"], details["stl3_xeronumber"]), (link.xero_id, number))
        contact_id = self.xero_credit_note(self.link(made["ACCRECCREDIT"]).xero_id)["Contact"]["ContactID"]
        credit_notes = {
            c["CreditNoteID"]
            for c in self.xero().records(resources.CREDIT_NOTES, where=f'Contact.ContactID==Guid("{contact_id}")')
        }
        self.assertEqual(credit_notes, {self.link(made["ACCRECCREDIT"]).xero_id, self.link(made["ACCPAYCREDIT"]).xero_id})
        invoices = {
            i["InvoiceID"] for i in self.xero().records(resources.INVOICES, where=f'Contact.ContactID==Guid("{contact_id}")')
        }
        self.assertEqual(invoices, {self.link(made["ACCREC"]).xero_id, self.link(made["ACCPAY"]).xero_id})

    def test_a_negative_invoice_is_held_back_unless_credit_notes_are_made_automatically(self):
        lines = [{"description": "Returned goods", "price": "-30", "quantity": 2}]
        held = self.make_invoice(self.make_account(), lines)
        self.sync()
        [attempt] = self.attempts(held)
        self.assertEqual((attempt.outcome, attempt.reason_code), ("HELD_BACK", "negative_total"))
        self.assertFalse(self.xero_invoices_linking_to(held))

        self.set_settings(stl3_creditnotesautomatically=True)
        sale, bill = (self.make_invoice(self.make_account(), lines, **of_type(code)) for code in ("ACCREC", "ACCPAY"))
        self.sync()
        for invoice_id, credit_type, account in ((sale, "ACCRECCREDIT", "200"), (bill, "ACCPAYCREDIT", "300")):
            with self.subTest(credit_type):
                credit_note = self.xero_credit_note(self.link(invoice_id).xero_id)
                self.assertEqual(credit_note["Type"], credit_type)
                self.assertEqual(lines_of(credit_note), [("Returned goods", Decimal(2), Decimal(30), None, account)])
                self.assertEqual(Decimal(str(credit_note["SubTotal"])), Decimal(60))

    def test_a_negative_credit_note_is_held_back_with_a_reason(self):
        invoice_id = self.make_invoice(
            self.make_account(), [{"description": "Oops", "price": "-5", "quantity": 1}], **of_type("ACCRECCREDIT")
        )
        self.sync()
        [attempt] = self.attempts(invoice_id)
        self.assertEqual((attempt.outcome, attempt.reason_code), ("HELD_BACK", "negative_credit_note"))

    def test_an_edited_credit_note_is_updated_in_place_in_xero(self):
        invoice_id = self.make_invoice(
            self.make_account(),
            [{"description": "Refund", "price": "10", "quantity": 1}],
            **of_type("ACCRECCREDIT"),
            description="First",
        )
        self.sync()
        first = self.link(invoice_id)
        [line] = self.lines(invoice_id)
        self.dataverse().update("invoicedetails", line["invoicedetailid"], {"quantity": 3.0})
        self.sync()
        again = self.link(invoice_id)
        credit_note = self.xero_credit_note(again.xero_id)
        self.assertEqual(again.xero_id, first.xero_id)
        self.assertEqual(Decimal(str(credit_note["LineItems"][0]["Quantity"])), Decimal(3))
        self.assertEqual([a.outcome for a in self.attempts(invoice_id)], ["SUCCEEDED", "SUCCEEDED"])
