"""`dxconnector bench sync|latency|fleet [options]` (or `python -m bench …` from the checkout's root): run one
benchmark and print one JSON object of figures.

Progress goes to stderr; the JSON object is the only thing on stdout, so it can be piped or kept.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from bench.environment import STATE_ROOT, Options, StateDirTaken, clear_state_dir, new_state_dir


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("a share of calls between 0 and 1, e.g. 0.1")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("a whole number of at least 1")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("a whole number of at least 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dxconnector bench", description=__doc__)
    sub = parser.add_subparsers(dest="benchmark", required=True)
    sync = sub.add_parser("sync", help="the initial sync of seeded invoices: calls, speed, memory, and verify's verdict")
    latency = sub.add_parser(
        "latency", help="a change on one side (an invoice, a customer, a product) on the other, through the webhook path"
    )
    fleet = sub.add_parser(
        "fleet",
        help="many connections and workers over one PostgreSQL, or the sweep at scale (--sweep-only)",
    )
    for each in (sync, latency, fleet):
        each.add_argument(
            "--limits",
            choices=("real", "off"),
            default="off",
            help="enforce Xero's and Dataverse's limits in the sandboxes (default: off)",
        )
        each.add_argument(
            "--time-scale",
            type=float,
            default=None,
            help="simulated seconds per real second (default: 4 with real limits, else 1)",
        )
        each.add_argument(
            "--state-dir",
            type=Path,
            default=None,
            help=f"where the sandboxes and the connector keep their state, left for inspection (default: a "
            f"new folder under {STATE_ROOT}/; a folder an earlier run used is cleared first)",
        )
        each.add_argument("--seed", type=int, default=7)
    sync.add_argument("--invoices", type=_positive, default=2000)
    sync.add_argument("--lines", type=_positive, default=5, help="lines per invoice")
    sync.add_argument("--customers", type=_positive, default=400)
    sync.add_argument("--products", type=_positive, default=100)
    sync.add_argument("--faults", type=_rate, default=0.0, help="share of calls failing on both sides, e.g. 0.1")
    sync.add_argument("--kills", type=int, default=0, help="kill the syncing process this many times mid-run")
    sync.add_argument(
        "--edit-customers",
        type=_count,
        default=0,
        help="after the initial sync, edit this many linked customers in Dynamics (email, phone) and sync again",
    )
    sync.add_argument(
        "--edit-products",
        type=_count,
        default=0,
        help="after the initial sync, edit this many linked products in Dynamics (name, price) and sync again",
    )
    sync.add_argument(
        "--pay",
        type=_count,
        default=0,
        help="after the initial sync (invoices sent approved), pay this many linked sales invoices in Xero (in full or "
        "part, a few reversed) and sync again",
    )
    latency.add_argument("--trials", type=_positive, default=50)
    latency.add_argument(
        "--record",
        choices=("invoice", "customer", "product", "payment"),
        default="invoice",
        help="what each trial changes: a new invoice (default), an edit of a linked customer or product, or a payment "
        "(from xero) of a linked invoice",
    )
    latency.add_argument(
        "--from",
        dest="origin",
        choices=("dynamics", "xero"),
        default="dynamics",
        help="where the change is made (default: dynamics; xero for customers, with two-way contact sync on, and payments)",
    )
    fleet.add_argument("--connections", type=_positive, default=20)
    fleet.add_argument("--invoices", type=_positive, default=10, help="invoices per connection")
    fleet.add_argument("--workers", type=_positive, default=2, help="`dxconnector worker` processes")
    fleet.add_argument(
        "--backfill", type=_count, default=0, help="the first connection's invoices instead of --invoices: a big first sync"
    )
    fleet.add_argument(
        "--live",
        type=_count,
        default=0,
        help="connections (after the first) that get a new invoice every few seconds while the backfill runs",
    )
    fleet.add_argument(
        "--live-interval",
        type=float,
        default=3.0,
        help="seconds between a live connection's new invoices; the connections' turns are spread over it (default: 3)",
    )
    fleet.add_argument("--kill-workers", type=_count, default=0, help="kill workers this many times at random (SIGKILL)")
    fleet.add_argument(
        "--restart-db",
        action="store_true",
        help="restart the run's own PostgreSQL once mid-run (pg_ctl restart -m fast), at a random point of the load",
    )
    fleet.add_argument(
        "--faults",
        type=_rate,
        default=0.0,
        help="share of calls failing on both sides during the load, e.g. 0.1 (the injected counts are printed)",
    )
    fleet.add_argument(
        "--sweep-only",
        action="store_true",
        help="only time the sweep over 1,000 and 10,000 connection rows (rows only, no onboarding), counting its queries",
    )
    return parser


def fleet_refusal(args: argparse.Namespace) -> str | None:
    """Why `bench fleet`'s options can't go together, or None."""
    if args.live and not args.backfill:
        return "--live goes with --backfill: the live connections' changes are timed while a backfill runs"
    if args.live_interval <= 0:
        return "--live-interval is seconds between a live connection's invoices: more than 0"
    if args.live > args.connections - 1:
        return "--live names connections besides the backfilling one: at most --connections minus 1"
    if args.kill_workers and args.workers < 2:
        return "--kill-workers needs --workers 2 or more: someone must be left to pick the work up"
    if args.restart_db and given_database_server():
        return "--restart-db restarts a PostgreSQL server of the run's own: unset DATABASE_URL, which names another"
    if args.faults and args.live:
        return "--faults goes without --live: the live invoices are made through the Dynamics the faults fail"
    return None


def given_database_server() -> str | None:
    """The PostgreSQL server DATABASE_URL names, if it names one: `bench fleet` then puts its database there."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else None


def refusal(args: argparse.Namespace) -> str | None:
    """Why options that parsed can't go together, or None."""
    if args.time_scale is not None and args.time_scale <= 0:
        return "--time-scale must be > 0"
    if args.benchmark == "latency" and args.origin == "xero" and args.record not in ("customer", "payment"):
        return "--from xero goes with --record customer or payment: only those come back from Xero"
    if args.benchmark == "latency" and args.record == "payment" and args.origin != "xero":
        return "--record payment goes with --from xero: payments are made in Xero"
    if args.benchmark == "sync":
        if args.edit_customers > args.invoices:
            return "--edit-customers needs as many invoices: a customer is linked to Xero by its first invoice"
        product_lines = args.lines - (args.lines + 1) // 5  # one line in five is written in, without a product
        if args.edit_products > args.invoices * product_lines:
            return "--edit-products needs as many product lines: a product is linked to Xero by its first invoice line"
    if args.benchmark == "fleet":
        return fleet_refusal(args)
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The sandboxes and the sync runs print as they go: all of that goes to stderr, the figures alone to stdout.
    figures_out = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with figures_out:
        return _run(args, figures_out)


def _run(args: argparse.Namespace, out: TextIO) -> int:
    refused = refusal(args)
    if refused:
        print(f"dxconnector bench: {refused}", file=sys.stderr)
        return 2
    time_scale = args.time_scale or (4.0 if args.limits == "real" else 1.0)
    try:
        state_dir = clear_state_dir(args.state_dir) if args.state_dir else new_state_dir()
    except StateDirTaken as error:
        print(f"dxconnector bench: {error}", file=sys.stderr)
        return 2
    print(f"State folder (kept for inspection): {state_dir}", file=sys.stderr, flush=True)
    common = {"limits": args.limits, "time_scale": time_scale, "state_dir": state_dir, "seed": args.seed}
    if args.benchmark == "sync":
        from bench import sync

        options = Options(
            invoices=args.invoices,
            lines=args.lines,
            customers=args.customers,
            products=args.products,
            faults=args.faults,
            kills=args.kills,
            edit_customers=args.edit_customers,
            edit_products=args.edit_products,
            pay=args.pay,
            **common,
        )
        figures = sync.run(options)
    elif args.benchmark == "fleet":
        from bench import fleet

        given = given_database_server()
        # A server of the run's own unless DATABASE_URL names one: it takes a second to make, and the run then shares
        # it with nothing else on the machine (and may restart it). Without PostgreSQL's programs, the local server.
        own = given is None and (args.restart_db or fleet.postgres_bindir() is not None)
        server = given or fleet.DEFAULT_SERVER
        if args.sweep_only:
            with fleet.database_server(state_dir, own=own, given=server) as (server_url, postgres):
                figures = fleet.sweep_at_scale(server_url, state_dir)
                figures["database_server"] = "the run's own" if postgres else urlsplit(server_url).hostname
        else:
            fleet_options = fleet.FleetOptions(
                args.connections,
                args.invoices,
                args.workers,
                args.limits,
                time_scale,
                args.seed,
                backfill=args.backfill,
                live=args.live,
                live_interval=args.live_interval,
                kill_workers=args.kill_workers,
                restart_db=args.restart_db,
                faults=args.faults,
            )
            figures = fleet.run_fleet(fleet_options, server, state_dir, own_server=own)
    else:
        from bench import latency

        figures = latency.run(Options(**common), trials=args.trials, record=args.record, origin=args.origin)
    print(json.dumps(figures, indent=2), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
