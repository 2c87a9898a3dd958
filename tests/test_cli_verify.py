"""`dxconnector verify` and `dxconnector bench` on the command line: what they refuse, and how."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

from dxconnector import cli
from tests.base import BaseTestCase


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
            self.assertIn(f"dxconnector verify: connection {reference!r} is not ready: Connect both Xero and Dynamics first.", err)

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

    def test_the_benchmarks_refuse_a_bad_option_before_starting_anything(self):
        for argv, said in ((["bench", "sync", "--faults", "2"], "between 0 and 1"),
                           (["bench", "sync", "--invoices", "0"], "at least 1"),
                           (["bench", "walk"], "invalid choice")):
            err = io.StringIO()
            with redirect_stderr(err), self.assertRaises(SystemExit) as exited:
                cli.main(argv)
            self.assertEqual(exited.exception.code, 2)
            self.assertIn(said, err.getvalue())
