"""Each attempt keeps the invoice's numbers as people know it — Dynamics' invoice ID read with the invoice, Xero's
InvoiceNumber from Xero's answer — for the history to name it by (identifiers, like the ids)."""

from __future__ import annotations

from tests.sync.helpers import SyncTestCase


class AttemptNumbersTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def number_in_dynamics(self, invoice_id: str) -> str:
        return self.invoice_row(invoice_id, select="invoicenumber")["invoicenumber"]

    def test_a_sent_invoice_is_recorded_with_both_numbers(self):
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Visit", "price": "10", "quantity": 1}])
        self.sync()
        [attempt] = self.attempts(invoice_id)
        xero = self.xero_invoice(self.link(invoice_id).xero_id)
        self.assertEqual(attempt.outcome, "SUCCEEDED")
        self.assertEqual(
            (attempt.dynamics_number, attempt.xero_number), (self.number_in_dynamics(invoice_id), xero["InvoiceNumber"])
        )
        self.assertTrue(attempt.xero_number)

    def test_a_held_back_invoice_is_recorded_with_its_dynamics_number(self):
        invoice_id = self.make_invoice(self.make_account(), [])
        self.sync()
        [attempt] = self.attempts(invoice_id)
        self.assertEqual(
            (attempt.outcome, attempt.dynamics_number, attempt.xero_number),
            ("HELD_BACK", self.number_in_dynamics(invoice_id), ""),
        )

    def test_xeros_news_brought_back_is_recorded_with_both_numbers(self):
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Visit", "price": "10", "quantity": 1}])
        self.sync()
        xero_id = self.link(invoice_id).xero_id
        self.xero().request("update_invoice", xero_id, {"Invoices": [{"InvoiceID": xero_id, "Status": "AUTHORISED"}]})
        self.sync()
        [back] = self.attempts(invoice_id, direction="XERO_TO_D365")
        self.assertEqual(
            (back.dynamics_number, back.xero_number),
            (self.number_in_dynamics(invoice_id), self.xero_invoice(xero_id)["InvoiceNumber"]),
        )
