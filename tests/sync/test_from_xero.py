"""Xero → Dynamics: payments, status and numbers made in Xero come back onto the Dynamics invoice and its Xero
details, with a history row — and our own writes are not brought back as if they were news."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from dxconnector.domain.mapping.choices import option_value
from dxconnector.sync import state
from dxconnector.sync.models import Cursor, SyncAttempt, XeroWebhookEvent
from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase

AUTHORISED = {
    "stl3_defaultsalesinvoicestatus": option_value(
        "stl3_stellariseconnectorsettings", "stl3_defaultsalesinvoicestatus", "AUTHORISED"
    )
}


def xero_status(code: str) -> int:
    return option_value("stl3_xeroinvoice", "stl3_xerostatus", code)


class FromXeroTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard(**AUTHORISED)
        self.invoice_id = self.make_invoice(self.make_account(), [{"description": "Install", "price": "100", "quantity": 1}])
        self.first = self.sync()
        self.xero_id = self.link(self.invoice_id).xero_id

    def pay(self, amount: Decimal) -> None:
        self.in_xero(
            resources.PAYMENTS, {"Invoice": {"InvoiceID": self.xero_id}, "Account": {"Code": "090"}, "Amount": str(amount)}
        )

    def paid_columns(self) -> dict:
        [details] = self.details(self.invoice_id, "stl3_xerostatus,stl3_amountdue,stl3_amountpaid,stl3_fullypaidon")
        return details

    def test_our_own_writes_are_not_brought_back(self):
        self.assertEqual(self.first.counts.get("brought_back", 0), 0)
        again = self.sync()
        self.assertEqual(again.counts.get("brought_back", 0), 0)
        self.assertEqual(len(self.history(self.invoice_id)), 1)

    def test_the_run_that_sent_the_first_invoices_leaves_reading_xero_to_the_next_which_misses_nothing(self):
        self.assertIsNone(state.cursor(self.connection.pk, "invoices-from-xero"))
        # The contact looked up, then created; the invoice created, and its online link read. Nothing read back.
        self.assertEqual(self.first.counts["xero_calls"], 4)
        self.pay(Decimal(str(self.xero_invoice(self.xero_id)["Total"])))  # between the two runs
        sweep = self.sync("sweep")  # quiet, but Xero was never read
        self.assertEqual(sweep.counts["brought_back"], 1)
        self.assertIsNotNone(state.cursor(self.connection.pk, "invoices-from-xero"))

    def test_a_run_that_reads_nothing_new_leaves_the_cursor_where_it_was(self):
        self.sync()  # the first read of Xero
        before = state.cursor(self.connection.pk, "invoices-from-xero")
        self.assertIsNotNone(before)
        self.sync()
        self.assertEqual(state.cursor(self.connection.pk, "invoices-from-xero"), before)

    def test_a_full_payment_in_xero_marks_the_invoice_paid_in_dynamics_with_its_amounts_and_a_history_row(self):
        total = Decimal(str(self.xero_invoice(self.xero_id)["Total"]))
        self.pay(total)
        run = self.sync()
        self.assertEqual(run.counts["brought_back"], 1)
        details = self.paid_columns()
        self.assertEqual(details["stl3_xerostatus"], xero_status("PAID"))
        self.assertEqual((Decimal(str(details["stl3_amountpaid"])), Decimal(str(details["stl3_amountdue"]))), (total, Decimal(0)))
        self.assertTrue(details["stl3_fullypaidon"])
        invoice = self.invoice_row(self.invoice_id, select="statecode,statuscode,stl3_xerostatus")
        self.assertEqual((invoice["statecode"], invoice["statuscode"]), (2, 100001))
        rows = {row["stl3_name"]: row for row in self.history(self.invoice_id)}  # both may share their second
        self.assertEqual(set(rows), {"Invoice to Xero: Succeeded", "Invoice from Xero: Succeeded"})
        self.assertEqual(
            rows["Invoice from Xero: Succeeded"]["stl3_direction"],
            option_value("stl3_synchistory", "stl3_direction", "XERO_TO_D365"),
        )
        brought_back = self.attempts(self.invoice_id, direction=None)[-1]
        self.assertEqual(brought_back.direction, SyncAttempt.Direction.TO_DYNAMICS)
        self.assertEqual(brought_back.reason, "Xero: paid")
        self.assertEqual(self.sync().counts.get("brought_back", 0), 0)  # told once

    def test_a_part_payment_marks_it_partly_paid_and_the_rest_completes_it(self):
        total = Decimal(str(self.xero_invoice(self.xero_id)["Total"]))
        self.pay(Decimal("40"))
        self.sync()
        self.assertEqual(Decimal(str(self.paid_columns()["stl3_amountdue"])), total - 40)
        invoice = self.invoice_row(self.invoice_id, select="statecode,statuscode")
        self.assertEqual((invoice["statecode"], invoice["statuscode"]), (2, 100002))
        part_paid = self.attempts(self.invoice_id, direction=SyncAttempt.Direction.TO_DYNAMICS)[-1]
        self.assertEqual(part_paid.reason, "Xero: part paid")  # no amount: the connector keeps none
        self.pay(total - 40)
        self.sync()
        self.assertEqual(self.attempts(self.invoice_id, direction=SyncAttempt.Direction.TO_DYNAMICS)[-1].reason, "Xero: paid")
        invoice = self.invoice_row(self.invoice_id, select="statecode,statuscode")
        self.assertEqual((invoice["statecode"], invoice["statuscode"]), (2, 100001))
        self.assertEqual(self.paid_columns()["stl3_xerostatus"], xero_status("PAID"))

    def test_an_invoice_voided_in_xero_is_cancelled_in_dynamics(self):
        self.xero().write(resources.INVOICES, [{"InvoiceID": self.xero_id, "Status": "VOIDED"}])
        self.sync()
        self.assertEqual(self.paid_columns()["stl3_xerostatus"], xero_status("VOIDED"))
        invoice = self.invoice_row(self.invoice_id, select="statecode,stl3_xerostatus")
        self.assertEqual(invoice["stl3_xerostatus"], option_value("invoice", "stl3_xerostatus", "VOIDED"))
        self.assertEqual(invoice["statecode"], 3)  # Canceled
        self.assertEqual(self.attempts(self.invoice_id, direction=SyncAttempt.Direction.TO_DYNAMICS)[-1].reason, "Xero: voided")

    def test_invoices_made_in_xero_by_someone_else_are_left_alone(self):
        contact = self.in_xero(resources.CONTACTS, {"Name": "Walk-in customer"})
        self.in_xero(
            resources.INVOICES,
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": contact["ContactID"]},
                "Status": "AUTHORISED",
                "LineItems": [{"Description": "Cash sale", "Quantity": 1, "UnitAmount": 5, "AccountCode": "200"}],
            },
        )
        self.assertEqual(self.sync().counts.get("brought_back", 0), 0)

    def test_a_sweep_asks_xero_only_when_its_webhooks_told_of_a_change_or_a_while_has_passed(self):
        self.sync()  # the first read of Xero
        self.pay(Decimal("40"))
        quiet = self.sync("sweep")
        self.assertEqual((quiet.counts["xero_calls"], quiet.counts.get("brought_back", 0)), (0, 0))
        XeroWebhookEvent.objects.create(
            tenant_id=self.connection.xero.tenant_id,
            category="INVOICE",
            event_type="UPDATE",
            resource_id=self.xero_id,
            event_date=timezone.now(),
        )
        told = self.sync("sweep")
        self.assertEqual(told.counts["brought_back"], 1)
        XeroWebhookEvent.objects.update(received_at=timezone.now() - timedelta(minutes=2))  # long before that read
        self.pay(Decimal("10"))
        self.assertEqual(self.sync("sweep").counts.get("brought_back", 0), 0)
        Cursor.objects.filter(connection=self.connection, stream="invoices-from-xero").update(
            updated_at=timezone.now() - timedelta(hours=1)
        )
        self.assertEqual(self.sync("sweep").counts["brought_back"], 1)
