"""Retry from the history: an invoice asked for again is read by the next run whatever the cursor says."""

from __future__ import annotations

from dxconnector.sync import triggers
from dxconnector.sync.models import QueuedSync, RequestedRecord
from tests.sync.helpers import SyncTestCase


class RetryTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard(stl3_createnewcontacts=False)

    def test_a_failed_invoice_goes_again_once_retried_after_its_cause_is_mended(self):
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Setup", "price": "80", "quantity": 1}])
        self.sync()
        self.assertEqual([a.outcome for a in self.attempts(invoice_id)], ["FAILED"])
        self.set_settings(stl3_createnewcontacts=True)
        self.sync()  # nothing changed on the invoice: the cursor has moved past it
        self.assertEqual([a.outcome for a in self.attempts(invoice_id)], ["FAILED"])

        self.assertTrue(triggers.retry_invoices(self.connection.pk, [invoice_id]))
        self.assertTrue(QueuedSync.objects.filter(connection=self.connection, trigger="retry").exists())
        self.sync()
        self.assertEqual([a.outcome for a in self.attempts(invoice_id)], ["FAILED", "SUCCEEDED"])
        [copy] = self.xero_invoices_linking_to(invoice_id)
        self.assertEqual(copy["InvoiceID"], self.link(invoice_id).xero_id)
        self.assertFalse(RequestedRecord.objects.filter(connection=self.connection).exists())

    def test_a_retry_asked_twice_is_one_request(self):
        triggers.retry_invoices(self.connection.pk, ["inv-1", "inv-1"])
        self.assertFalse(triggers.retry_invoices(self.connection.pk, ["inv-1"]))  # a run is queued already
        self.assertEqual(RequestedRecord.objects.filter(connection=self.connection).count(), 1)
