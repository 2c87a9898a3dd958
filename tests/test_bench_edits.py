"""The benchmarks of customers' and products' edits: `bench latency --record customer|product [--from xero]` and
`bench sync --edit-customers N --edit-products M` — what they refuse before starting anything, and a tiny run of
each, end to end against the sandboxes."""

from __future__ import annotations

import json

from bench.cli import build_parser, refusal
from tests.clirun import run_cli


def test_the_latency_benchmark_takes_the_record_and_the_side_it_is_edited_on():
    args = build_parser().parse_args(["latency", "--record", "customer", "--from", "xero", "--trials", "2"])
    assert (args.record, args.origin, args.trials, refusal(args)) == ("customer", "xero", 2, None)
    defaults = build_parser().parse_args(["latency"])
    assert (defaults.record, defaults.origin) == ("invoice", "dynamics")


def test_the_sync_benchmark_takes_the_numbers_of_records_to_edit():
    args = build_parser().parse_args(["sync", "--edit-customers", "500", "--edit-products", "100"])
    assert (args.edit_customers, args.edit_products, refusal(args)) == (500, 100, None)
    defaults = build_parser().parse_args(["sync"])
    assert (defaults.edit_customers, defaults.edit_products) == (0, 0)


def test_edits_that_can_not_be_made_are_refused_before_starting_anything():
    for argv, said in (
        (["bench", "latency", "--record", "product", "--from", "xero"], "--from xero goes with --record customer or payment"),
        (["bench", "latency", "--from", "xero"], "--from xero goes with --record customer or payment"),
        (["bench", "latency", "--record", "payment"], "--record payment goes with --from xero"),
        (["bench", "latency", "--record", "refund"], "invalid choice"),
        (["bench", "sync", "--invoices", "10", "--edit-customers", "11"], "a customer is linked to Xero by its first invoice"),
        (
            ["bench", "sync", "--invoices", "2", "--lines", "1", "--edit-products", "3"],
            "linked to Xero by its first invoice line",
        ),
        (["bench", "sync", "--edit-products", "-1"], "at least 0"),
    ):
        ran = run_cli(*argv)
        assert (ran.returncode, ran.stdout) == (2, ""), ran.stderr
        assert said in ran.stderr


def test_a_tiny_sync_with_edits_takes_every_edit_to_xero_and_counts_its_calls(tmp_path):
    ran = run_cli(
        "bench",
        "sync",
        "--invoices",
        "20",
        "--customers",
        "3",
        "--products",
        "3",
        "--edit-customers",
        "5",
        "--edit-products",
        "5",
        "--state-dir",
        str(tmp_path / "bench"),
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    figures = json.loads(ran.stdout)
    assert (figures["customers"], figures["products"]) == (5, 5)  # raised to the numbers to edit
    assert (figures["edited_customers"], figures["edited_products"], figures["edited_records"]) == (5, 5, 10)
    assert figures["edits_in_xero"] == {"customers": 5, "products": 5}
    assert figures["edit_xero_calls"] > 0 and figures["xero_calls_per_edited_record"] == round(figures["edit_xero_calls"] / 10, 4)
    assert (figures["edit_verify"]["missing"], figures["edit_verify"]["duplicated"]) == (0, 0)
    scraped = figures["edit_metrics"]
    assert scraped["agree_with_the_sandboxes"] == {"xero_calls": True, "dataverse_calls": True}, scraped
    assert scraped["records_by_outcome"] == {"succeeded": 10}


def test_a_tiny_latency_run_of_customers_edited_in_xero_reaches_dynamics_without_echoes(tmp_path):
    ran = run_cli(
        "bench",
        "latency",
        "--record",
        "customer",
        "--from",
        "xero",
        "--trials",
        "2",
        "--state-dir",
        str(tmp_path / "bench"),
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    figures = json.loads(ran.stdout)
    assert (figures["record"], figures["from"], figures["two_way_contact_sync"]) == ("customer", "xero", True)
    assert (figures["trials"], figures["timed_out"], figures["echo_writes"]) == (2, 0, 0)
    assert figures["p95_s"] < 30
    assert "None" not in figures["phases"]["sent_by_runs_triggered_by"]  # each edit's run was found in the records
