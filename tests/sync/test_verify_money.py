"""`dxconnector verify` on the money: each linked invoice's Xero details row shows Xero's amounts due, paid and
credited and its status, and the Xero payment rows in Dynamics are the payments and credits Xero holds, against the
sandbox's Dynamics and Xero. Each test changes one side directly through that side's API, as a user would (or as a
sync not yet run leaves it), and the report says how the two sides differ now."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dxconnector.domain.mapping.choices import option_value
from dxconnector.dynamics.solution.definition import CONNECTION
from dxconnector.sync import payments
from dxconnector.sync.verify import Problem, Report, Row, verify
from tests.sync.test_invoice_types import of_type
from tests.sync.test_payments_from_xero import PaymentsTestCase, money

PAID = option_value("stl3_xeropayment", "stl3_status", "AUTHORISED")
PAYMENT = option_value("stl3_xeropayment", "stl3_kind", "PAYMENT")


class VerifyMoneyTestCase(PaymentsTestCase):
    def verify(self) -> Report:
        return verify(self.connection.pk, clients=self.clients)

    def row_id(self, key: str) -> str:
        """The id the payments stream gives the row of this Xero key."""
        return payments.row_id(self.connector_id(), key)

    def payment_row(self, payment: dict[str, Any]) -> dict[str, Any]:
        [row] = [row for row in self.rows() if row["stl3_xeroid"] == payment["PaymentID"]]
        return row

    def only_row(self, rows: list[Row], problem: Problem) -> Row:
        self.assertEqual([row.problem for row in rows], [problem], [row.line for row in rows])
        return rows[0]

    def assert_money_in_step(self, report: Report, invoices: int, rows: int) -> None:
        lines = [row.line for row in report.invoice_amounts.rows + report.payments.rows]
        self.assertEqual(report.payments_differing, 0, lines)
        self.assertEqual((report.invoice_amounts.compared, report.invoice_amounts.in_step), (invoices, invoices))
        self.assertEqual((report.payments.compared, report.payments.in_step), (rows, rows))


class TestMoneyInStep(VerifyMoneyTestCase):
    def test_an_invoice_just_sent_has_its_amounts_in_step_and_no_payment_rows(self):
        report = self.verify()

        self.assert_money_in_step(report, invoices=1, rows=0)
        self.assertTrue(report.ok, report.lines)

    def test_a_payment_and_a_credit_note_allocated_then_synced_are_in_step(self):
        self.pay(Decimal("40.00"))
        self.credit_note(Decimal("25.00"), allocate=Decimal("25.00"))
        self.sync()

        report = self.verify()

        # the payment, the credit note's allocation to the invoice, and the credit note on the customer
        self.assert_money_in_step(report, invoices=1, rows=3)
        self.assertTrue(report.ok, report.lines)
        self.assertEqual(report.to_json()["payments_differing"], 0)

    def test_a_payment_removed_in_xero_and_synced_is_in_step_as_a_deleted_row(self):
        payment = self.pay(self.total)
        self.sync()
        self.xero().request("delete_payment", payment["PaymentID"], {"Status": "DELETED"})
        self.sync()

        self.assert_money_in_step(self.verify(), invoices=1, rows=1)

    def test_a_credit_note_sent_from_dynamics_is_compared_by_its_remaining_credit_and_applied_amount(self):
        refund = self.make_invoice(
            self.account, [{"description": "Refund", "price": "30", "quantity": 1}], **of_type("ACCRECCREDIT")
        )
        self.sync()
        note = self.xero_credit_note(self.link(refund).xero_id)
        allocation = {
            "Allocations": [{"Invoice": {"InvoiceID": self.xero_id}, "Amount": str(money(note["Total"])), "Date": "2026-12-01"}]
        }
        self.xero().request("create_credit_note_allocation", note["CreditNoteID"], allocation)

        # A credit note's AppliedAmount is compared when Xero's answer carries it (the sandbox's does not yet).
        applied = ("AppliedAmount",) if "AppliedAmount" in self.xero_credit_note(note["CreditNoteID"]) else ()

        report = self.verify()

        found = {(row.dynamics_id, row.problem, row.fields) for row in report.invoice_amounts.rows}
        self.assertEqual(
            found,
            {
                (refund, Problem.DIFFERING, ("RemainingCredit", *applied, "Status")),  # all of it applied: PAID
                (self.invoice_id, Problem.DIFFERING, ("AmountDue", "AmountCredited")),
            },
        )
        row = self.only_row(report.payments.rows, Problem.MISSING_IN_DYNAMICS)  # the allocation, not the note itself
        self.assertIn(f"on invoice {self.invoice_id}", row.detail)

        self.sync()
        after = self.verify()
        # The allocation's row only: a credit note the connector sent is a Dynamics invoice, with no row of its own.
        self.assert_money_in_step(after, invoices=2, rows=1)


class TestMoneyDiffering(VerifyMoneyTestCase):
    def test_a_payment_made_in_xero_and_not_yet_synced_is_missing_in_dynamics_and_the_invoice_s_amounts_differ(self):
        payment = self.pay(Decimal("40.00"))

        report = self.verify()

        row = self.only_row(report.payments.rows, Problem.MISSING_IN_DYNAMICS)
        self.assertEqual(
            (row.dynamics_id, row.xero_ids, row.kind),
            (self.row_id(f"payment:{payment['PaymentID']}"), (payment["PaymentID"].lower(),), "payment"),
        )
        self.assertIn(f"on invoice {self.invoice_id}", row.detail)
        amounts = self.only_row(report.invoice_amounts.rows, Problem.DIFFERING)
        self.assertEqual(
            (amounts.dynamics_id, amounts.xero_ids, amounts.fields),
            (self.invoice_id, (self.xero_id.lower(),), ("AmountDue", "AmountPaid")),
        )
        self.assertFalse(report.ok)
        self.assertEqual(report.payments_differing, 2)
        self.assertEqual((report.payments.compared, report.payments.in_step), (1, 0))

    def test_a_payment_row_whose_amount_someone_changed_in_dynamics_differs_in_its_amount(self):
        payment = self.pay(Decimal("40.00"))
        self.sync()
        row = self.payment_row(payment)
        row_id = self.row_id(f"payment:{payment['PaymentID']}")
        self.dataverse().update("stl3_xeropayments", row_id, {"stl3_amount": 41})

        report = self.verify()

        found = self.only_row(report.payments.rows, Problem.DIFFERING)
        self.assertEqual((found.dynamics_id, found.fields), (row_id, ("Amount",)))
        self.assertEqual(row["stl3_kind"], PAYMENT)
        self.assertTrue(report.invoice_amounts.ok, report.invoice_amounts.lines)
        self.assertFalse(report.ok)

    def test_the_amount_paid_changed_on_the_details_row_in_dynamics_differs(self):
        self.pay(Decimal("40.00"))
        self.sync()
        [details] = self.details(self.invoice_id, "stl3_xeroinvoiceid")
        self.dataverse().update("stl3_xeroinvoices", details["stl3_xeroinvoiceid"], {"stl3_amountpaid": 39.99})

        report = self.verify()

        row = self.only_row(report.invoice_amounts.rows, Problem.DIFFERING)
        self.assertEqual((row.dynamics_id, row.fields, row.kind), (self.invoice_id, ("AmountPaid",), "invoice"))
        self.assertTrue(report.payments.ok, report.payments.lines)
        self.assertEqual(report.payments_differing, 1)

    def test_a_payment_deleted_in_xero_but_still_paid_in_dynamics_differs_in_its_status(self):
        payment = self.pay(self.total)
        self.sync()
        self.xero().request("delete_payment", payment["PaymentID"], {"Status": "DELETED"})

        report = self.verify()

        row = self.only_row(report.payments.rows, Problem.DIFFERING)
        self.assertEqual((row.dynamics_id, row.fields), (self.row_id(f"payment:{payment['PaymentID']}"), ("Status",)))
        self.assertEqual(self.payment_row(payment)["stl3_status"], PAID)
        amounts = self.only_row(report.invoice_amounts.rows, Problem.DIFFERING)
        self.assertEqual(amounts.fields, ("AmountDue", "AmountPaid", "Status"))  # owed again, AUTHORISED not PAID

    def test_a_payment_row_xero_does_not_have_is_not_in_xero(self):
        stray = self.dataverse().create(
            "stl3_xeropayments",
            {
                "stl3_name": "Payment made up in Dynamics",
                "stl3_xeroid": "00000000-0000-0000-0000-00000000abcd",
                "stl3_kind": PAYMENT,
                "stl3_amount": 5,
                "stl3_status": PAID,
                "stl3_connectorid@odata.bind": f"/{CONNECTION.set_name}({self.connector_id()})",
                "stl3_invoiceid@odata.bind": f"/invoices({self.invoice_id})",
            },
        )

        report = self.verify()

        row = self.only_row(report.payments.rows, Problem.MISSING)
        self.assertEqual((row.dynamics_id, row.xero_ids), (stray.lower(), ("00000000-0000-0000-0000-00000000abcd",)))
        self.assertIn("not in Xero", row.detail)
        self.assertIn("Payment rows compared 1: in step 0, differing 0, missing in Dynamics 0, not in Xero 1.", report.lines)
