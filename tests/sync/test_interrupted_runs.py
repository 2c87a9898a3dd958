"""Re-running after a run stopped at any point neither duplicates nor loses an invoice."""

from __future__ import annotations

from unittest import mock

from dxconnector.sync import invoices, state, writeback
from dxconnector.sync.models import Cursor, SyncRun
from dxconnector.sync.streams import INVOICES_TO_XERO
from dxconnector.xero import resources
from tests.sandboxes import control
from tests.sync.helpers import IsolatedSyncTestCase, SyncTestCase
from tests.sync.test_invoice_types import of_type


class Crash(Exception):
    """The worker died here."""


def once(real):
    """A stand-in that crashes the first time and behaves after."""
    calls = {"n": 0}

    def stand_in(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Crash()
        return real(*args, **kwargs)

    return stand_in


class InterruptedRunTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.invoice_id = self.make_invoice(self.make_account(), [{"description": "Survey", "price": "250", "quantity": 1}])

    def test_a_crash_after_xero_answered_but_before_the_ledger_recorded_it_neither_duplicates_nor_loses_the_invoice(self):
        with mock.patch.object(invoices.state, "commit_batch", once(state.commit_batch)), self.assertRaises(Crash):
            self.run_once()
        self.assertEqual(len(self.xero_invoices_linking_to(self.invoice_id)), 1)  # Xero has it, the ledger doesn't
        self.assertFalse(Cursor.objects.filter(connection=self.connection, stream=INVOICES_TO_XERO.name).exists())
        again = self.sync()
        self.assertEqual(again.counts["recovered"], 1)  # found in Xero by its link back to Dynamics
        [xero] = self.xero_invoices_linking_to(self.invoice_id)
        self.assertEqual(self.link(self.invoice_id).xero_id, xero["InvoiceID"])
        self.assertEqual(self.invoice_row(self.invoice_id, select="stl3_xeronumber")["stl3_xeronumber"], xero["InvoiceNumber"])

    def test_a_credit_note_whose_answer_was_lost_is_recognised_in_xero_and_not_made_twice(self):
        customer = self.make_account()
        lines = [
            {"description": "Returned goods", "price": "30", "quantity": 2},
            {"description": "Restocking", "price": "5", "quantity": 1},
        ]
        credit_note = self.make_invoice(customer, lines, **of_type("ACCRECCREDIT"))
        twin = self.make_invoice(
            customer, [{"description": "Returned goods", "price": "30", "quantity": 1}], **of_type("ACCRECCREDIT")
        )
        with mock.patch.object(invoices.state, "commit_batch", once(state.commit_batch)), self.assertRaises(Crash):
            self.run_once()
        # This customer's: other tests of the session's organisation make credit notes too.
        made = {
            note["CreditNoteID"]
            for note in self.xero().records(resources.CREDIT_NOTES)
            if (note.get("Contact") or {}).get("Name") == customer["name"]
        }
        self.assertEqual(len(made), 2)  # Xero has both, the ledger neither
        again = self.sync()
        self.assertEqual(again.counts["recovered"], 3)  # the invoice of setUp, found by its Url, and both credit notes
        self.assertEqual(
            {
                note["CreditNoteID"]
                for note in self.xero().records(resources.CREDIT_NOTES)
                if (note.get("Contact") or {}).get("Name") == customer["name"]
            },
            made,
        )
        self.assertEqual({self.link(credit_note).xero_id, self.link(twin).xero_id}, made)
        self.assertEqual(len(self.xero_credit_note(self.link(twin).xero_id)["LineItems"]), 1)

    def test_a_crash_before_the_write_back_leaves_it_due_and_the_next_run_writes_it(self):
        with mock.patch.object(writeback, "execute", once(writeback.execute)), self.assertRaises(Crash):
            self.run_once()
        self.assertTrue(self.link(self.invoice_id).writeback_due)
        self.assertIsNone(self.invoice_row(self.invoice_id, select="stl3_xeronumber")["stl3_xeronumber"])
        again = self.sync()
        self.assertEqual(again.counts.get("succeeded", 0), 0)  # nothing sent again
        [xero] = self.xero_invoices_linking_to(self.invoice_id)
        self.assertEqual(self.invoice_row(self.invoice_id, select="stl3_xeronumber")["stl3_xeronumber"], xero["InvoiceNumber"])
        self.assertFalse(self.link(self.invoice_id).writeback_due)
        self.assertEqual(len(self.history(self.invoice_id)), 1)  # the first run's attempt, reported once

    def test_an_edit_made_while_the_run_writes_back_is_not_lost(self):
        edited = []

        def edit_first(client, requests):
            if not edited:
                edited.append(self.dataverse().update("invoices", self.invoice_id, {"description": "Changed meanwhile"}))
            return real(client, requests)

        real = writeback.execute
        with mock.patch.object(writeback, "execute", edit_first):
            self.sync()
        [xero] = self.xero_invoices_linking_to(self.invoice_id)
        self.assertEqual(self.invoice_row(self.invoice_id, select="stl3_xeronumber")["stl3_xeronumber"], xero["InvoiceNumber"])
        self.sync()
        self.assertEqual(self.xero_invoice(xero["InvoiceID"])["Reference"], "Changed meanwhile")


class XeroFailingTestCase(IsolatedSyncTestCase):
    def test_the_cursor_does_not_advance_when_xero_fails(self):
        self.onboard()
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Survey", "price": "250", "quantity": 1}])
        control(self.sandbox, "PUT", "/faults", {"rates": {"500": 1.0}})
        try:
            failed = self.run_once(clients=lambda connection: self.clients(connection, max_attempts=1))
        finally:
            control(self.sandbox, "PUT", "/faults", {"rates": {}})
        self.assertEqual((failed.status, failed.error), (SyncRun.Status.FAILED, "RetryableError (500)"))
        self.assertFalse(Cursor.objects.filter(connection=self.connection, stream=INVOICES_TO_XERO.name).exists())
        self.assertFalse(self.attempts(invoice_id))
        self.sync()
        self.assertTrue(Cursor.objects.filter(connection=self.connection, stream=INVOICES_TO_XERO.name).exists())
        self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)
