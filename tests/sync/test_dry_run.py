""" "Why isn't my invoice syncing?": the dry run explains the pick-up decision and writes nothing."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from dataclasses import replace
from datetime import UTC, datetime
from unittest import mock

from dxconnector import cli
from dxconnector.domain.rules import Action, Why
from dxconnector.sync import engine
from dxconnector.sync.models import Link, SyncAttempt, SyncRun
from dxconnector.sync.streams import INVOICES_TO_XERO
from tests.sync.helpers import SyncTestCase, unique


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class DryRunTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def cli(self, *args: str, terminal: bool = False) -> tuple[int, str]:
        out = Terminal() if terminal else io.StringIO()
        with redirect_stdout(out), mock.patch.object(engine, "connected_clients", self.clients):
            code = cli.main(["sync", *args])
        return code, out.getvalue()

    def assertNothingWritten(self, invoice_id: str) -> None:
        self.assertFalse(SyncRun.objects.exists())
        self.assertFalse(SyncAttempt.objects.exists())
        self.assertFalse(Link.objects.exists())
        self.assertFalse(self.history(invoice_id))
        self.assertFalse(self.xero_invoices_linking_to(invoice_id))

    def test_the_dry_run_explains_a_held_back_invoice(self):
        invoice_id = self.make_invoice(
            self.make_account(),
            [{"description": "Next year", "price": "10", "quantity": 1}],
            delivered=datetime(2099, 1, 1, tzinfo=UTC),
        )
        code, out = self.cli(str(self.connection.pk), "--dry-run", "--invoice", invoice_id)
        self.assertEqual(code, 0)
        self.assertIn(f"Invoice {invoice_id}: HOLD", out)
        self.assertIn("held back by delivered_in_future: Date Delivered is 2099-01-01, after today", out)
        self.assertNothingWritten(invoice_id)

    def test_the_dry_run_names_every_rule_in_the_way(self):
        invoice_id = self.make_invoice(self.make_account(), [], delivered=datetime(2099, 1, 1, tzinfo=UTC))
        explanation = engine.explain(self.connection.pk, invoice_id, clients=self.clients)
        self.assertEqual(explanation.decision.action, Action.HOLD)
        self.assertEqual({reason.code for reason in explanation.decision.reasons}, {Why.NO_LINES, Why.DELIVERED_IN_FUTURE})

    def test_the_dry_run_says_the_customer_would_stop_an_invoice_that_is_otherwise_ready(self):
        self.set_settings(stl3_createnewcontacts=False)
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Ready", "price": "10", "quantity": 1}])
        code, out = self.cli(str(self.connection.pk), "--dry-run", "--invoice", invoice_id)
        self.assertEqual(code, 0, out)
        self.assertIn(f"Invoice {invoice_id}: CREATE", out)
        self.assertIn("would fail on no_contact: The customer is not in Xero and Create New Contacts is off", out)
        self.assertNothingWritten(invoice_id)

    def test_the_dry_run_says_a_customer_sharing_a_name_with_another_ones_contact_would_stop_it(self):
        name = unique("Twin Traders")
        self.make_invoice(self.make_account(name), [{"description": "First", "price": "10", "quantity": 1}])
        self.sync()
        invoice_id = self.make_invoice(self.make_account(name), [{"description": "Second", "price": "10", "quantity": 1}])
        explanation = engine.explain(self.connection.pk, invoice_id, clients=self.clients)
        self.assertEqual(explanation.decision.action, Action.CREATE)
        self.assertEqual([reason.code for reason in explanation.blockers], [Why.AMBIGUOUS_CONTACT])

    def test_the_dry_run_of_a_paused_connection_says_it_is_paused(self):
        self.connection.trial_ends_at = datetime(2020, 1, 1, tzinfo=UTC)
        self.connection.save(update_fields=["trial_ends_at"])
        code, out = self.cli(self.connection.name, "--dry-run", "--invoice", "00000000-0000-0000-0000-000000000001")
        self.assertEqual(code, 0, out)
        self.assertIn("Syncing is paused", out)

    def test_the_sync_command_prints_a_progress_line_per_batch(self):
        invoice_ids = [
            self.make_invoice(self.make_account(), [{"description": "Item", "price": "10", "quantity": 1}]) for _ in range(3)
        ]
        with mock.patch.object(engine, "STREAMS", (replace(INVOICES_TO_XERO, batch_size=2),)):
            code, out = self.cli(str(self.connection.pk))
        self.assertEqual(code, 0, out)
        batch_lines = [line for line in out.splitlines() if line.startswith("invoices-to-xero: batch ")]
        self.assertGreaterEqual(len(batch_lines), 2)
        self.assertIn("Sync completed:", out.splitlines()[-1])
        for invoice_id in invoice_ids:
            self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)

    def test_on_a_terminal_the_sync_command_redraws_one_line_with_a_bar_of_the_batches_done(self):
        for _ in range(3):
            self.make_invoice(self.make_account(), [{"description": "Item", "price": "10", "quantity": 1}])
        with mock.patch.object(engine, "STREAMS", (replace(INVOICES_TO_XERO, batch_size=2),)):
            code, out = self.cli(str(self.connection.pk), terminal=True)
        self.assertEqual(code, 0, out)
        drawn, summary = out.rsplit("\n", 2)[:2]
        steps = drawn.split("\r\033[K")[1:]
        self.assertEqual(
            steps[:3],
            [
                "invoices-to-xero: reading what changed in Dynamics",
                "invoices-to-xero: customers and products first: 1 of 2 read",
                "invoices-to-xero: customers and products first: 2 of 2 read",
            ],
        )
        self.assertTrue(steps[3].startswith("[" + "#" * 15 + "-" * 15 + "] invoices-to-xero: batch 1/2"), steps[3])
        self.assertTrue(steps[-1].startswith("[" + "#" * 30 + "] invoices-to-xero: batch 2/2"), steps[-1])
        self.assertIn("Sync completed:", summary)

    def test_the_sync_command_refuses_an_unknown_connection_and_a_lone_invoice_option(self):
        self.assertEqual(self.cli("no such connection")[0], 2)
        self.assertEqual(self.cli(str(self.connection.pk), "--invoice", "x")[0], 2)
