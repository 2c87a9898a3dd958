"""No poison pills: a record that makes any stage of the sync raise is set aside with a reason naming the record
and the stage, the rest of its batch goes on, the cursor moves past it and the run ends completed with it failed —
never a crash, and never again at every run. Each test injects one raising record into one stage."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any
from unittest import mock

from dxconnector.domain import rules
from dxconnector.sync import deletions, from_xero, invoices, prerequisites, reading, triggers, verify, writeback
from dxconnector.sync.models import Cursor, SyncRun
from dxconnector.sync.streams import INVOICES_FROM_XERO, INVOICES_TO_XERO
from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, settings_choice


class Poison(Exception):
    """Whatever a record might make the code raise."""


def poisoned(real: Callable[..., Any], is_bad: Callable[..., bool]) -> Callable[..., Any]:
    def stand_in(*args: Any, **kwargs: Any) -> Any:
        if is_bad(*args, **kwargs):
            raise Poison("the bad record")
        return real(*args, **kwargs)

    return stand_in


class PoisonPillTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.good = [self.invoice(), self.invoice()]
        self.bad = self.invoice()

    def invoice(self) -> str:
        customer = self.make_account(emailaddress1="accounts@example.com")
        return self.make_invoice(customer, [{"description": "Work", "price": "10", "quantity": 1}])

    def context(self):
        from dxconnector.sync import engine

        made = self.clients(self.connection)
        self.addCleanup(made.close)
        return engine.open_context(self.connection, made)

    @contextmanager
    def poison(self, owner: Any, name: str, is_bad: Callable[..., bool]):
        with mock.patch.object(owner, name, poisoned(getattr(owner, name), is_bad)):
            yield

    def assert_set_aside(self, run: SyncRun, stage: str) -> None:
        self.assertEqual(run.status, SyncRun.Status.SUCCEEDED, run.error)
        attempt = self.attempts(self.bad, direction=None)[-1]
        self.assertEqual((attempt.outcome, attempt.reason_code), ("FAILED", "internal_error"))
        self.assertIn(f"while {stage} (Poison)", attempt.reason)
        self.assertNotIn("the bad record", attempt.reason)  # the error's words go to Dynamics' history only
        for invoice_id in self.good:
            self.assertEqual(self.attempts(invoice_id)[-1].outcome, "SUCCEEDED")
            self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)
        self.assertEqual(run.summary, f"Completed with {run.counts['failed']} failed")

    def assert_not_tried_again(self) -> None:
        before = len(self.attempts(self.bad, direction=None))
        self.sync()
        self.assertEqual(len(self.attempts(self.bad, direction=None)), before)

    def assert_retry_sends_it(self) -> None:
        triggers.retry_invoices(self.connection.pk, [self.bad])
        self.sync()
        self.assertEqual(self.attempts(self.bad)[-1].outcome, "SUCCEEDED")
        self.assertEqual(len(self.xero_invoices_linking_to(self.bad)), 1)

    # --- Dynamics → Xero, stage by stage -------------------------------------------------------------------
    def test_an_invoice_that_cannot_be_read_is_set_aside(self):
        with self.poison(reading, "invoice_record", lambda row, *_: row["invoiceid"] == self.bad):
            run = self.run_once()
        self.assert_set_aside(run, "reading the invoice from Dynamics")
        self.assertTrue(Cursor.objects.filter(connection=self.connection, stream=INVOICES_TO_XERO.name).exists())
        self.assert_not_tried_again()
        self.assert_retry_sends_it()

    def test_an_invoice_whose_decision_raises_is_set_aside(self):
        with self.poison(rules, "pick_up", lambda invoice, *_, **__: invoice.id == self.bad):
            run = self.run_once()
        self.assert_set_aside(run, "deciding whether the invoice goes to Xero")
        self.assert_not_tried_again()
        self.assert_retry_sends_it()

    def test_an_invoice_whose_mapping_raises_is_set_aside(self):
        with self.poison(invoices, "xero_invoice", lambda invoice, *_, **__: invoice.id == self.bad):
            run = self.run_once()
        self.assert_set_aside(run, "preparing the invoice for Xero")
        self.assertFalse(self.xero_invoices_linking_to(self.bad))
        self.assert_retry_sends_it()

    def test_an_invoice_whose_customer_cannot_be_mapped_is_set_aside(self):
        [bad_customer] = [record.customer.id for record in reading.readable(self.context(), [self.bad])[0]]
        with self.poison(prerequisites.contact_mapping, "xero_contact", lambda customer, *_: customer.id == bad_customer):
            run = self.run_once()
        self.assert_set_aside(run, "matching the customer to a Xero contact")

    def test_an_invoice_whose_product_cannot_be_mapped_is_set_aside(self):
        self.set_settings(stl3_createnewproducts=True)
        product = self.make_product()
        self.bad = self.make_invoice(self.make_account(), [{"product": product, "quantity": 1}])
        with self.poison(prerequisites.item_mapping, "xero_item", lambda made, *_: made.id == product["id"]):
            run = self.run_once()
        self.assert_set_aside(run, "making the product a Xero item")

    def test_an_invoice_whose_answer_from_xero_cannot_be_recorded_is_still_linked(self):
        with self.poison(invoices, "_settled_hash", lambda ctx, plan: plan.invoice_id == self.bad):
            run = self.sync()
        self.assertEqual(run.counts.get("failed", 0), 0)
        [copy] = self.xero_invoices_linking_to(self.bad)
        self.assertEqual(self.link(self.bad).xero_id, copy["InvoiceID"])  # never sent as new again
        self.sync()
        self.assertEqual(len(self.xero_invoices_linking_to(self.bad)), 1)

    def test_an_invoice_that_cannot_be_emailed_is_synced_and_says_so(self):
        self.set_settings(stl3_defaultsalesinvoicestatus=settings_choice("stl3_defaultsalesinvoicestatus", "AUTHORISED"),
                          stl3_sendemailfromxero=True)
        with self.poison(invoices, "_to_email", lambda ctx, plan: plan.invoice_id == self.bad):
            run = self.sync()
        self.assertEqual((self.attempts(self.bad)[-1].outcome, run.counts["emailed"]), ("SUCCEEDED", 2))
        [history] = self.history(self.bad)
        self.assertIn("Not emailed from Xero: The connector failed on this record while emailing", history["stl3_message"])

    def test_an_invoice_whose_write_back_raises_is_set_aside_and_not_tried_at_every_run(self):
        with self.poison(writeback, "_requests_for", lambda ctx, item: item.record.invoice.id == self.bad):
            run = self.run_once()
            self.assert_set_aside(run, "writing Xero's answer back to Dynamics")
            self.assertEqual(len(self.xero_invoices_linking_to(self.bad)), 1)
            self.assertFalse(self.link(self.bad).writeback_due)
            self.sync()  # the first read of Xero finds its state not shown in Dynamics, and tries once more
            self.assert_not_tried_again()
        [history] = [row for row in self.history(self.bad) if "failed on this record" in row["stl3_message"]][-1:]
        self.assertIn("Poison: the bad record", history["stl3_message"])
        self.dataverse().update("invoices", self.bad, {"description": "changed"})
        self.sync()
        [details] = self.details(self.bad, "stl3_xeronumber")
        self.assertTrue(details["stl3_xeronumber"])

    # --- Xero → Dynamics, deletions and the reconciliation --------------------------------------------------
    def test_a_document_whose_change_in_xero_cannot_be_read_is_set_aside(self):
        self.set_settings(stl3_defaultsalesinvoicestatus=settings_choice("stl3_defaultsalesinvoicestatus", "AUTHORISED"))
        self.sync()
        self.sync()  # Xero is read from the second run on
        xero_ids = {invoice_id: self.link(invoice_id).xero_id for invoice_id in (*self.good, self.bad)}
        for xero_id in xero_ids.values():
            self.in_xero(resources.PAYMENTS, {"Invoice": {"InvoiceID": xero_id}, "Account": {"Code": "090"}, "Amount": 1})
        bad_xero = xero_ids[self.bad]
        with self.poison(rules, "xero_state_hash", lambda document, key: str(document.get("InvoiceID")) == bad_xero):
            run = self.sync("xero_webhook")
        attempt = self.attempts(self.bad, direction="XERO_TO_D365")[-1]
        self.assertEqual((attempt.outcome, attempt.reason_code), ("FAILED", "internal_error"))
        self.assertIn("while reading what changed in Xero (Poison)", attempt.reason)
        for invoice_id in self.good:
            self.assertEqual(self.attempts(invoice_id, direction="XERO_TO_D365")[-1].outcome, "SUCCEEDED")
        self.assertEqual(run.summary, f"Completed with {run.counts['failed']} failed")
        self.assertTrue(Cursor.objects.filter(connection=self.connection, stream=INVOICES_FROM_XERO.name).exists())

    def test_a_deletion_that_raises_is_set_aside(self):
        self.sync()
        for invoice_id in (*self.good, self.bad):
            self.dataverse().request("DELETE", f"invoices({invoice_id})").raise_for_status()
        with self.poison(deletions, "_decide", lambda link, copy: link.dynamics_id == self.bad):
            run = self.sync()
        self.assertEqual(self.attempts(self.bad)[-1].reason_code, "internal_error")
        self.assertEqual([self.attempts(i)[-1].reason_code for i in self.good], ["deleted_in_dynamics"] * 2)
        self.assertEqual(run.summary, "Completed with 1 failed")

    def test_verify_names_an_invoice_it_could_not_compare_and_goes_on(self):
        self.sync()
        with self.poison(verify, "judge", lambda ctx, report, record, *_: record.invoice.id == self.bad):
            report = verify.verify(self.connection.pk, clients=self.clients)
        self.assertEqual([(row.problem.value, row.dynamics_id) for row in report.rows], [("unchecked", self.bad)])
        self.assertEqual(report.expected, 2)
