"""`dxconnector verify`: the reconciliation report, against the sandbox's Dynamics and Xero. Each test breaks one
thing on one side, directly through that side's API as a user or an integration would, and reads the report."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from unittest import mock

from dxconnector import cli
from dxconnector.domain.mapping.choices import option_value
from dxconnector.sync import engine
from dxconnector.sync.models import Link, SyncAttempt, SyncRun
from dxconnector.sync.verify import Problem, Report, verify
from dxconnector.xero import resources
from tests.sync.helpers import IsolatedSyncTestCase, SyncTestCase

FUTURE = datetime(2099, 1, 1, tzinfo=UTC)


class VerifyTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def verify(self) -> Report:
        return verify(self.connection.pk, clients=self.clients)

    def cli(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err), mock.patch.object(engine, "connected_clients", self.clients):
            code = cli.main(["verify", str(self.connection.pk), *args])
        return code, out.getvalue(), err.getvalue()

    def synced_invoice(self, *lines: dict, **columns) -> str:
        invoice_id = self.make_invoice(
            self.make_account(), list(lines) or [{"description": "Consulting", "price": "120.5", "quantity": 3}], **columns
        )
        self.sync()
        return invoice_id

    def only_row(self, report: Report, problem: Problem):
        self.assertEqual([row.problem for row in report.rows], [problem], report.lines)
        return report.rows[0]

    # --- a clean sync ------------------------------------------------------------------------------------
    def test_a_clean_sync_verifies_with_nothing_missing_duplicated_or_differing(self):
        product = self.make_product(price="19.95")
        self.set_settings(stl3_usexeroinvoicenumber=False)
        sale = self.make_invoice(
            self.make_account(),
            [
                {"product": product, "quantity": 3, "discount": "2.5"},
                {"description": "Freight to site", "price": "12.5", "quantity": 1},
            ],
            description="Spring order",
        )
        bill = self.make_invoice(
            self.make_account(),
            [{"description": "Cable", "price": "10", "quantity": 8, "discount": "1"}],
            stl3_xeroinvoicetype=option_value("invoice", "stl3_xeroinvoicetype", "ACCPAY"),
        )
        credit = self.make_invoice(
            self.make_account(),
            [{"description": "Returned goods", "price": "40", "quantity": 2}],
            stl3_xeroinvoicetype=option_value("invoice", "stl3_xeroinvoicetype", "ACCRECCREDIT"),
        )
        self.make_invoice(self.make_account(), [{"description": "Next year", "price": "10", "quantity": 1}], delivered=FUTURE)
        self.sync()
        self.assertTrue(self.link(credit).sent_type.endswith("CREDIT"))
        runs, attempts, links = SyncRun.objects.count(), SyncAttempt.objects.count(), list(Link.objects.values())

        code, out, err = self.cli()

        self.assertEqual(code, 0, out)
        self.assertEqual(
            out.splitlines()[-1],
            "Dynamics 4 invoices for this connection; Xero 3; missing 0, duplicated 0, "
            "differing 0 (3 expected in Xero; 1 held with a reason).",
        )
        self.assertIn("Not expected in Xero: 1 (delivered_in_future 1).", out)
        # the three customers the sync linked compared field by field too (products are not made in Xero here)
        self.assertIn("Customers linked 3: in step 3, differing 0, missing in Xero 0, missing in Dynamics 0.", out)
        self.assertIn("Products linked 0: in step 0, differing 0, missing in Xero 0, missing in Dynamics 0.", out)
        self.assertIn("Dynamics: page 1, 4 invoices listed", err)
        self.assertIn("Xero Invoices: page 1,", err)
        self.assertIn("Xero CreditNotes: page 1,", err)
        # reading only: no run, attempt or link was written, nor anything in Dynamics
        self.assertEqual(
            (SyncRun.objects.count(), SyncAttempt.objects.count(), list(Link.objects.values())), (runs, attempts, links)
        )
        self.assertEqual(len(self.history(sale)) + len(self.history(bill)) + len(self.history(credit)), 3)

        code, out, _ = self.cli("--json")
        figures = json.loads(out)
        self.assertEqual(code, 0)
        self.assertEqual(
            {
                key: figures[key]
                for key in (
                    "ok",
                    "dynamics_invoices",
                    "expected_in_xero",
                    "xero_invoices",
                    "missing",
                    "duplicated",
                    "differing",
                    "not_expected",
                    "records",
                )
            },
            {
                "ok": True,
                "dynamics_invoices": 4,
                "expected_in_xero": 3,
                "xero_invoices": 3,
                "missing": 0,
                "duplicated": 0,
                "differing": 0,
                "not_expected": {"delivered_in_future": 1},
                "records": [],
            },
        )

    # --- missing -----------------------------------------------------------------------------------------
    def test_an_invoice_deleted_in_xero_after_the_sync_is_missing(self):
        invoice_id = self.synced_invoice()
        xero_id = self.link(invoice_id).xero_id
        [deleted] = self.xero().write(resources.INVOICES, [{"InvoiceID": xero_id, "Status": "DELETED"}])
        self.assertTrue(deleted.ok, deleted.errors)

        code, out, _ = self.cli()

        self.assertEqual(code, 1)
        self.assertIn(f"MISSING    {invoice_id} (Xero {xero_id}): not in Xero (deleted there)", out)
        self.assertIn("Xero 0; missing 1, duplicated 0, differing 0", out.splitlines()[-1])

    def test_a_due_invoice_not_synced_yet_is_missing_and_a_held_back_one_is_not_counted(self):
        due = self.make_invoice(self.make_account(), [{"description": "Due now", "price": "10", "quantity": 1}])
        self.make_invoice(self.make_account(), [{"description": "Later", "price": "10", "quantity": 1}], delivered=FUTURE)
        self.make_invoice(self.make_account(), [])  # no lines: held back

        report = self.verify()

        row = self.only_row(report, Problem.MISSING)
        self.assertEqual((row.dynamics_id, row.detail), (due, "not in Xero"))
        self.assertEqual((report.dynamics_invoices, report.expected, report.xero_invoices), (3, 1, 0))
        self.assertEqual(dict(report.not_expected), {"delivered_in_future": 1, "no_lines": 1})

    def test_an_invoice_whose_last_attempt_was_refused_with_a_reason_is_held_not_missing(self):
        self.set_settings(stl3_createnewcontacts=False)
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Stuck", "price": "10", "quantity": 1}])
        self.run_once()
        report = self.verify()
        self.assertTrue(report.ok, report.lines)
        [held] = report.held
        self.assertEqual((held.dynamics_id, held.code), (invoice_id, "no_contact"))
        self.assertIn(f"HELD       {invoice_id}: no_contact: The customer is not in Xero", "\n".join(report.lines))
        self.assertEqual((report.expected, dict(report.not_expected)), (0, {"no_contact": 1}))

    def test_a_missing_invoice_edited_since_its_refused_attempt_is_missing_and_names_that_attempt(self):
        self.set_settings(stl3_createnewcontacts=False)
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Stuck", "price": "10", "quantity": 1}])
        self.run_once()
        self.dataverse().update("invoices", invoice_id, {"description": "Edited since"})
        row = self.only_row(self.verify(), Problem.MISSING)
        self.assertEqual((row.dynamics_id, row.detail), (invoice_id, "not in Xero; last attempt failed (no_contact)"))

    # --- duplicated --------------------------------------------------------------------------------------
    def test_a_second_copy_made_in_xero_with_the_same_link_is_a_duplicate(self):
        invoice_id = self.synced_invoice()
        first = self.xero_invoice(self.link(invoice_id).xero_id)
        second = self.in_xero(
            resources.INVOICES,
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": first["Contact"]["ContactID"]},
                "Date": first["DateString"][:10],
                "Url": first["Url"],
                "LineItems": [
                    {key: line[key] for key in ("Description", "Quantity", "UnitAmount", "AccountCode")}
                    for line in first["LineItems"]
                ],
            },
        )

        report = self.verify()

        row = self.only_row(report, Problem.DUPLICATED)
        self.assertEqual((row.dynamics_id, set(row.xero_ids)), (invoice_id, {first["InvoiceID"], second["InvoiceID"]}))
        self.assertEqual((report.expected, report.xero_invoices), (1, 2))

    def test_a_linked_copy_of_an_invoice_moved_to_another_connection_is_a_stray(self):
        invoice_id = self.synced_invoice()
        xero_id = self.link(invoice_id).xero_id
        self.dataverse().update("invoices", invoice_id, {"stl3_connectorid@odata.bind": None})  # no connection picked now

        report = self.verify()

        row = self.only_row(report, Problem.DUPLICATED)
        self.assertEqual((row.dynamics_id, row.xero_ids), (invoice_id, (xero_id,)))
        self.assertIn("not this connection's any more", row.detail)
        self.assertEqual((report.dynamics_invoices, report.xero_invoices), (0, 1))

    # --- differing ---------------------------------------------------------------------------------------
    def test_a_quantity_changed_in_xero_is_a_difference_named_by_field_without_amounts(self):
        invoice_id = self.synced_invoice(
            {"description": "Consulting", "price": "120.5", "quantity": 3},
            {"description": "Travel", "price": "77.25", "quantity": 1},
        )
        xero = self.xero_invoice(self.link(invoice_id).xero_id)
        edited = [dict(line) for line in xero["LineItems"]]
        edited[0]["Quantity"] = 5
        [result] = self.xero().write(resources.INVOICES, [{"InvoiceID": xero["InvoiceID"], "LineItems": edited}], unitdp=4)
        self.assertTrue(result.ok, result.errors)

        code, out, _ = self.cli()

        self.assertEqual(code, 1)
        row_line = next(line for line in out.splitlines() if line.startswith("DIFFERING"))
        self.assertEqual(row_line, f"DIFFERING  {invoice_id} (Xero {xero['InvoiceID']}): LineItems[1].Quantity, SubTotal")
        for amount in ("120.5", "77.25", "5"):
            self.assertNotIn(amount, out.replace(invoice_id, "").replace(xero["InvoiceID"], ""))
        self.assertIn("missing 0, duplicated 0, differing 1", out.splitlines()[-1])

    def test_an_invoice_edited_in_dynamics_and_not_synced_yet_differs_until_the_sync(self):
        invoice_id = self.synced_invoice(description="First words")
        self.dataverse().update("invoices", invoice_id, {"description": "Second words"})
        row = self.only_row(self.verify(), Problem.DIFFERING)
        self.assertEqual((row.dynamics_id, row.fields), (invoice_id, ("Reference",)))
        self.sync()
        self.assertTrue(self.verify().ok)

    def test_a_cancelled_invoice_still_live_in_xero_differs_until_the_sync_deletes_it(self):
        invoice_id = self.synced_invoice()
        self.cancel_invoice(invoice_id)
        row = self.only_row(self.verify(), Problem.DIFFERING)
        self.assertEqual((row.fields, row.detail), (("Status",), "cancelled in Dynamics, draft in Xero"))
        self.sync()
        report = self.verify()
        self.assertTrue(report.ok, report.lines)
        self.assertEqual((dict(report.not_expected), report.xero_invoices), ({"cancelled": 1}, 0))

    def test_totals_follow_xeros_rounding_of_discounted_lines(self):
        self.synced_invoice(
            {"description": "Odd", "price": "3.3333", "quantity": 3, "discount": "0.01"},
            {"description": "Even", "price": "0.005", "quantity": 1},
        )
        report = self.verify()
        self.assertTrue(report.ok, report.lines)
        self.assertEqual(report.xero_invoices, 1)


class DefaultConnectionVerifyTestCase(IsolatedSyncTestCase):
    """On the sync tests' own sandbox: a default connection answers for every invoice with no connection picked."""

    def test_the_default_connection_answers_for_invoices_with_no_connection_picked(self):
        self.onboard(stl3_isdefaultconnection=True)
        invoice_id = self.make_invoice(
            self.make_account(), [{"description": "Anyone's", "price": "10", "quantity": 1}], assigned=False
        )
        report = verify(self.connection.pk, clients=self.clients)
        self.assertIn((Problem.MISSING, invoice_id), [(row.problem, row.dynamics_id) for row in report.rows])
        self.sync()
        report = verify(self.connection.pk, clients=self.clients)
        self.assertNotIn(invoice_id, [row.dynamics_id for row in report.rows], report.lines)
