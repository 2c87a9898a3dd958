"""Retry from the history: an invoice asked for again is read by the next run whatever the cursor says."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

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

    def test_a_customer_and_a_product_asked_for_again_are_forgotten_once_a_run_has_read_them(self):
        customer, product = self.make_account(), self.make_product()
        triggers.retry_records(self.connection.pk, "account", [customer["id"]])
        triggers.retry_records(self.connection.pk, "product", [product["id"]])
        self.sync()
        self.assertFalse(RequestedRecord.objects.filter(connection=self.connection).exists())

    def test_a_run_with_nothing_asked_for_again_deletes_no_requests(self):
        self.sync()
        with CaptureQueriesContext(connection) as queries:
            self.sync()
        deletes = [query["sql"] for query in queries if "DELETE" in query["sql"] and "requestedrecord" in query["sql"]]
        self.assertEqual(deletes, [])
