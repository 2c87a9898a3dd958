"""No poison pills: a record that makes any stage of the sync raise is set aside with a reason naming the record
and the stage, the rest of its batch goes on, the cursor moves past it and the run ends completed with it failed —
never a crash, and never again at every run. Each test injects one raising record into one stage."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from datetime import timedelta
from typing import Any
from unittest import mock

from django.utils import timezone

from dxconnector import cli
from dxconnector.domain import rules
from dxconnector.domain.mapping import reference
from dxconnector.dynamics.solution.definition import CHART_OF_ACCOUNTS
from dxconnector.sync import (
    deletions,
    engine,
    invoices,
    prerequisites,
    reading,
    reference_lists,
    triggers,
    verify,
    writeback,
)
from dxconnector.sync.models import Cursor, SyncRun
from dxconnector.sync.streams import (
    INVOICES_FROM_XERO,
    INVOICES_TO_XERO,
    REFERENCE_LISTS_FROM_XERO,
)
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


class PoisonedRun(SyncTestCase):
    """Three invoices, one of which will be the bad one."""

    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.good = [self.invoice(), self.invoice()]
        self.bad = self.invoice()

    def invoice(self) -> str:
        customer = self.make_account(emailaddress1="accounts@example.com")
        return self.make_invoice(customer, [{"description": "Work", "price": "10", "quantity": 1}])

    def context(self):
        made = self.clients(self.connection)
        self.addCleanup(made.close)
        return engine.open_context(self.connection, made)

    @contextmanager
    def poison(self, owner: Any, name: str, is_bad: Callable[..., bool]):
        with mock.patch.object(owner, name, poisoned(getattr(owner, name), is_bad)):
            yield


class PoisonPillTestCase(PoisonedRun):
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
        self.set_settings(
            stl3_defaultsalesinvoicestatus=settings_choice("stl3_defaultsalesinvoicestatus", "AUTHORISED"),
            stl3_sendemailfromxero=True,
        )
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


class CommandLineTestCase(PoisonedRun):
    """What `dxconnector sync` and `verify` print about it: a line, never a traceback."""

    def run_cli(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err), mock.patch.object(engine, "connected_clients", self.clients):
            code = cli.main([*args, str(self.connection.pk)])
        return code, out.getvalue(), err.getvalue()

    def test_sync_says_the_run_completed_with_the_records_it_could_not_sync(self):
        with self.poison(reading, "invoice_record", lambda row, *_: row["invoiceid"] == self.bad):
            code, out, err = self.run_cli("sync")
        self.assertEqual(code, 0, err)
        self.assertTrue(out.splitlines()[-1].startswith("Sync completed with 1 failed: "), out)
        self.assertNotIn("Traceback", out + err)

    def test_an_error_nobody_foresaw_is_one_line_with_what_to_do(self):
        with self.poison(engine, "sync_streams", lambda ctx: True):
            code, out, err = self.run_cli("sync")
        self.assertEqual(code, 1)
        self.assertIn("dxconnector sync: stopped by an unexpected error (Poison: the bad record); the next run carries on", err)
        self.assertNotIn("Traceback", out + err)
        self.assertEqual(SyncRun.objects.get(connection=self.connection).status, SyncRun.Status.FAILED)

    def test_verify_stopped_by_an_error_nobody_foresaw_says_so_in_one_line(self):
        with self.poison(verify, "reconcile", lambda ctx: True):
            code, out, err = self.run_cli("verify")
        self.assertEqual(code, 2)
        self.assertIn("dxconnector verify: stopped by an unexpected error (Poison: the bad record); nothing was written", err)
        self.assertNotIn("Traceback", out + err)


class ReferenceListPoisonTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def test_a_row_of_xeros_lists_that_cannot_be_read_is_left_out_and_nothing_is_archived_for_it(self):
        Cursor.objects.filter(connection=self.connection, stream=REFERENCE_LISTS_FROM_XERO.name).update(
            updated_at=timezone.now() - timedelta(days=1)
        )
        accounts = {
            row["stl3_code"]: row
            for row in self.dataverse().list(
                CHART_OF_ACCOUNTS.set_name,
                select="stl3_code,stl3_status",
                filter=f"_stl3_connectorid_value eq {self.connector_id()}",
            )
        }
        listed = next(item for item in reference_lists.LISTS if item.table is CHART_OF_ACCOUNTS)
        with mock.patch.object(
            reference_lists,
            "LISTS",
            tuple(
                item
                if item is not listed
                else reference_lists.ReferenceList(
                    item.resource,
                    item.table,
                    item.key_column,
                    poisoned(reference.account_row, lambda record, _: record.get("Code") == "200"),
                )
                for item in reference_lists.LISTS
            ),
        ):
            run = self.sync()
        self.assertEqual((run.status, run.counts["reference_rows_unreadable"]), (SyncRun.Status.SUCCEEDED, 1))
        after = {
            row["stl3_code"]: row
            for row in self.dataverse().list(
                CHART_OF_ACCOUNTS.set_name,
                select="stl3_code,stl3_status",
                filter=f"_stl3_connectorid_value eq {self.connector_id()}",
            )
        }
        self.assertEqual(after, accounts)  # the account Xero still has is not archived for want of its row
        self.assertTrue(
            Cursor.objects.get(connection=self.connection, stream=REFERENCE_LISTS_FROM_XERO.name).updated_at
            > timezone.now() - timedelta(minutes=1)
        )
