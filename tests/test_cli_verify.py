"""`dxconnector verify` and `dxconnector bench` on the command line: what they refuse, and how; the benchmarks' state
folders, and two benchmark runs in one folder."""

from __future__ import annotations

import io
import json
import time
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest

from bench.environment import MARK, StateDirTaken, clear_state_dir, new_state_dir
from dxconnector import cli
from dxconnector.sync import engine, payments
from tests.base import BaseTestCase
from tests.clirun import run_cli
from tests.sync.test_payments_from_xero import PaymentsTestCase


class VerifyCommandTestCase(BaseTestCase):
    def verify(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(["verify", *args])
        return code, out.getvalue(), err.getvalue()

    def test_an_unknown_connection_is_refused_with_exit_2(self):
        for reference in ("no such connection", "00000000-0000-0000-0000-000000000000"):
            code, out, err = self.verify(reference)
            self.assertEqual((code, out), (2, ""))
            self.assertIn(f"dxconnector verify: no connection {reference!r} (give its id or its exact name)", err)

    def test_a_connection_not_connected_to_both_sides_is_refused_with_exit_2(self):
        for reference in (str(self.connection.pk), self.connection.name):
            code, out, err = self.verify(reference)
            self.assertEqual((code, out), (2, ""))
            self.assertIn(
                f"dxconnector verify: connection {reference!r} is not ready: Connect both Xero and Dynamics first.", err
            )

    def test_the_connection_is_required(self):
        err = io.StringIO()
        with redirect_stderr(err), self.assertRaises(SystemExit) as exited:
            cli.main(["verify"])
        self.assertEqual(exited.exception.code, 2)
        self.assertIn("CONNECTION", err.getvalue())


class BenchCommandTestCase(BaseTestCase):
    def test_everything_after_bench_goes_to_the_benchmarks_untouched(self):
        args = cli.build_parser().parse_args(["bench", "sync", "--invoices", "2000", "--faults", "0.1"])
        self.assertEqual((args.func, args.bench_args), (cli.cmd_bench, ["sync", "--invoices", "2000", "--faults", "0.1"]))

    def test_without_the_checkout_s_bench_folder_it_says_so_and_exits_2(self):
        err = io.StringIO()
        with redirect_stderr(err), mock.patch.object(cli, "CHECKOUT", Path("/nonexistent")):
            code = cli.main(["bench", "sync"])
        self.assertEqual(code, 2)
        self.assertIn("dxconnector bench: the benchmarks come with the source checkout (its bench/ folder)", err.getvalue())


def test_the_benchmarks_refuse_a_bad_option_before_starting_anything():
    for argv, said in (
        (["bench", "sync", "--faults", "2"], "between 0 and 1"),
        (["bench", "sync", "--invoices", "0"], "at least 1"),
        (["bench", "walk"], "invalid choice"),
    ):
        ran = run_cli(*argv)
        assert (ran.returncode, ran.stdout) == (2, ""), ran.stderr
        assert said in ran.stderr


def test_each_run_gets_a_state_folder_of_its_own(tmp_path):
    first, second = new_state_dir(tmp_path), new_state_dir(tmp_path)
    assert first != second and first.parent == second.parent == tmp_path.resolve()
    assert (first / MARK).is_file()


def test_a_folder_an_earlier_run_used_is_cleared_and_one_it_did_not_is_refused(tmp_path):
    used = clear_state_dir(tmp_path / "used")
    (used / "sandbox").mkdir()
    (used / "connector").mkdir()
    (used / "notes.txt").write_text("mine")
    assert clear_state_dir(used) == used
    assert sorted(path.name for path in used.iterdir()) == [MARK, "notes.txt"]

    foreign = tmp_path / "demo"
    (foreign / "sandbox").mkdir(parents=True)
    with pytest.raises(StateDirTaken, match="no benchmark left there"):
        clear_state_dir(foreign)
    assert (foreign / "sandbox").is_dir()
    ran = run_cli("bench", "sync", "--state-dir", str(foreign))
    assert (ran.returncode, ran.stdout) == (2, ""), ran.stderr
    assert "give another --state-dir" in ran.stderr


def test_two_runs_in_one_state_folder_both_succeed(tmp_path):
    """The second used to find the first one's records in the sandbox's stores and stop on them."""
    state_dir = tmp_path / "bench"
    for run in (1, 2):
        started = time.monotonic()
        ran = run_cli(
            "bench",
            "sync",
            "--invoices",
            "20",
            "--customers",
            "10",
            "--products",
            "10",
            "--state-dir",
            str(state_dir),
            timeout=120,
        )
        assert ran.returncode == 0, ran.stderr[-3000:]
        figures = json.loads(ran.stdout)
        assert (figures["missing"], figures["duplicated"], figures["differing"]) == (0, 0, 0)
        assert figures["payments_differing"] == 0, figures["verify"]
        assert (figures["invoices"], figures["state_dir"]) == (20, str(state_dir.resolve()))
        # /metrics, scraped from a web process, counted the calls the sync's process made, as the sandboxes saw them.
        scraped = figures["metrics"]
        assert scraped["agree_with_the_sandboxes"] == {"xero_calls": True, "dataverse_calls": True}, scraped
        assert (scraped["xero_calls"], scraped["dataverse_calls"]) == (figures["xero_calls"], figures["dataverse_calls"])
        assert (scraped["runs_succeeded"], scraped["invoices_succeeded"]) == (1, figures["sent_to_xero"])
        assert ("holds an earlier run" in ran.stderr) == (run == 2)
        print(f"run {run}: {time.monotonic() - started:.1f}s")


class VerifyMoneyCommandTestCase(PaymentsTestCase):
    """The money sections on the command line, against the sandbox: a payment made in Xero that the sync has not
    brought back yet fails the check, named by ids and Xero's field names, never by amount."""

    def cli(self, *args: str) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err), mock.patch.object(engine, "connected_clients", self.clients):
            code = cli.main(["verify", str(self.connection.pk), *args])
        return code, out.getvalue()

    def test_the_report_names_the_payments_and_invoice_amounts_and_fails_on_a_payment_not_yet_in_dynamics(self):
        code, out = self.cli()
        self.assertEqual(code, 0, out)
        self.assertIn("Payment rows compared 0: in step 0, differing 0, missing in Dynamics 0, not in Xero 0.", out)
        self.assertIn("Invoices' Xero amounts compared 1: in step 1, differing 0, missing in Dynamics 0.", out)

        payment = self.pay(Decimal("40.00"))
        code, out = self.cli()

        self.assertEqual(code, 1, out)
        lines = out.splitlines()
        row_id = payments.row_id(self.connector_id(), f"payment:{payment['PaymentID']}")
        self.assertIn(
            f"MISSING IN DYNAMICS payment {row_id} (Xero {payment['PaymentID'].lower()}): "
            f"not in Dynamics (not synced yet, or deleted there); on invoice {self.invoice_id}",
            lines,
        )
        self.assertIn(
            f"DIFFERING  invoice {self.invoice_id} (Xero {self.xero_id.lower()}): AmountDue, AmountPaid; "
            "its Xero details row in Dynamics shows otherwise",
            lines,
        )
        self.assertIn("Payment rows compared 1: in step 0, differing 0, missing in Dynamics 1, not in Xero 0.", lines)
        self.assertIn("missing 0, duplicated 0, differing 0", lines[-1])  # the invoices' own figures
        self.assertNotIn("40.0", out)  # no amount

        figures = json.loads(self.cli("--json")[1])
        self.assertEqual((figures["ok"], figures["payments_differing"]), (False, 2))
        self.assertEqual(
            figures["payments"]["records"],
            [
                {
                    "problem": "missing_in_dynamics",
                    "dynamics_id": row_id,
                    "xero_ids": [payment["PaymentID"].lower()],
                    "fields": [],
                    "detail": f"not in Dynamics (not synced yet, or deleted there); on invoice {self.invoice_id}",
                    "kind": "payment",
                }
            ],
        )
        self.assertEqual((figures["invoice_amounts"]["differing"], figures["payments"]["missing_in_dynamics"]), (1, 1))
