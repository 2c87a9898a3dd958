"""The `dxconnector` command: demo, serve, web, worker, check, sandbox, sync, verify, bench, manage.

What `demo` and `serve` start (child processes, the environment pointing the connector at a sandbox) comes from
`dxconnector.local`, which the benchmarks and the tests use too; the benchmarks run as a program of their own."""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, TextIO

from dxconnector.local import (
    DEMO_EMAIL,
    demo_environment,
    demo_refusals,
    ensure_demo_user,
    migrate,
    portal_children,
    sandbox_environment,
    serve_children,
    setup_django,
    start_sandbox_child,
    subscribe_to_sandbox_webhooks,
    supervise,
)

CHECKOUT = Path(__file__).resolve().parents[2]  # in a source checkout: the folder holding src/ and bench/


# --- check ------------------------------------------------------------------


def configuration_problems() -> tuple[list[str], list[str]]:
    """Every problem at once: environment values, Django's own checks, the database. (problems, warnings)"""
    from dxconnector.config.env import ConfigurationError

    try:
        setup_django()
    except ConfigurationError as error:
        return list(error.problems), []

    from django.conf import settings
    from django.core import checks
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    from dxconnector.config.server import proxy_warnings

    problems: list[str] = []
    warnings = proxy_warnings()
    for message in checks.run_checks(include_deployment_checks=not settings.DEBUG):
        (problems if message.is_serious() else warnings).append(f"{message.id}: {message.msg}")
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            warnings.append("The database has unapplied migrations: run `dxconnector manage migrate`.")
    except DatabaseError as error:
        problems.append(f"DATABASE_URL: cannot reach the database ({str(error).strip()}).")
    return problems, warnings


def cmd_check(args: argparse.Namespace) -> int:
    problems, warnings = configuration_problems()
    for warning in warnings:
        print(f"warning: {warning}")
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        print(f"{len(problems)} configuration problem{'s' if len(problems) != 1 else ''} found.")
        return 1
    print("Configuration OK.")
    return 0


# --- processes ----------------------------------------------------------------


def cmd_web(args: argparse.Namespace) -> int:
    setup_django()
    from dxconnector.config.server import serve

    serve(args.host, args.port, args.threads)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    setup_django()
    from dxconnector.jobs.worker import run_pending_jobs, run_worker

    if args.batch:
        run_pending_jobs()
    else:
        run_worker(interval=args.interval)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    setup_django()
    if args.migrate:
        migrate()
    children = serve_children(args.host, args.port, args.workers)
    print(f"Serving on http://{args.host}:{args.port}/ with {args.workers} worker(s). Ctrl-C stops.")
    return supervise(children)


# --- demo -----------------------------------------------------------------------


# Settings the demo always makes its own, whatever the environment says (it refuses to run over a DEBUG that is off or
# a DATABASE_URL not its own): it never touches a real deployment's data.
DEMO_OWN_SETTINGS = ("DEBUG", "DATA_DIR", "DATABASE_URL", "DEMO_PASSWORD")


def cmd_demo(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    refusals = [] if args.fresh_env else demo_refusals(os.environ, data_dir)
    for refusal in refusals:
        print(f"dxconnector demo: {refusal}", file=sys.stderr)
    if refusals:
        return 2
    demo_env = demo_environment(data_dir, args.port)
    for key, value in demo_env.items():
        if key in DEMO_OWN_SETTINGS or key not in os.environ or args.fresh_env:
            os.environ[key] = value
    setup_django()
    migrate()
    ensure_demo_user(demo_env["DEMO_PASSWORD"])
    sandbox, manifest = start_sandbox_child(data_dir / "sandbox", args.sandbox_port_base)
    os.environ.update(sandbox_environment(manifest))
    subscribe_to_sandbox_webhooks(manifest, f"http://127.0.0.1:{args.port}")
    children = {"sandbox": sandbox, **portal_children(args.port)}
    base = f"http://127.0.0.1:{args.port}"
    xero_user = manifest["xero"]["users"][0]
    microsoft_user = manifest["microsoft"]["users"][0]
    print(
        "\nDynamics Xero Connector demo is starting.\n"
        f"  Portal:        {base}/\n"
        f"  Health:        {base}/healthz\n"
        f"  Log in:        {DEMO_EMAIL} / {demo_env['DEMO_PASSWORD']}\n"
        f"  Xero sandbox:  sign in as {xero_user['email']} / {xero_user['password']}\n"
        f"  Microsoft:     sign in as {microsoft_user['email']} / {microsoft_user['password']}\n"
        f"  Xero app:      {manifest['hosts']['xero-app']}/  (play the accountant: pay invoices, edit contacts)\n"
        f"  Dynamics app:  {manifest['hosts']['dynamics-app']}/  (play the sales user: invoices, import the solution)\n"
        f"  Data:          {data_dir}\n"
        "  Emails (registration links) are printed below by the worker.\n"
        "Ctrl-C stops everything.\n",
        flush=True,
    )
    return supervise(children)


def cmd_sandbox(args: argparse.Namespace) -> int:
    """`sandbox …`: the sandbox's own command (`dxsandbox`), given every argument after `sandbox`. Imported here
    only: the connector needs the sandbox for nothing else, and a production install leaves it out."""
    try:
        from dxsandbox.cli import main as sandbox_main
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] != "dxsandbox":
            raise
        print("dxconnector sandbox: the sandbox is not installed: pip install 'dxconnector[sandbox]'", file=sys.stderr)
        return 2
    return sandbox_main(args.sandbox_args, prog="dxconnector sandbox")


def cmd_solution(args: argparse.Namespace) -> int:
    """`solution build -o FILE.zip`: write our managed solution zip (the same bytes the portal serves)."""
    from dxconnector.dynamics.solution import solution_zip_bytes

    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(solution_zip_bytes())
    print(f"Wrote {output} ({output.stat().st_size} bytes). Import it in Dynamics: Settings → Solutions → Import.")
    return 0


def find_connection(command: str, reference: str):
    """The connection named on the command line by its id or its exact name; None (with the reason on stderr)
    when there is none."""
    from django.core.exceptions import ValidationError

    from dxconnector.connections.models import Connection

    try:
        connection = Connection.objects.filter(pk=reference).first()
    except ValidationError:
        connection = Connection.objects.filter(name=reference).first()
    if connection is None:
        print(f"dxconnector {command}: no connection {reference!r} (give its id or its exact name)", file=sys.stderr)
    return connection


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // total if total else 0
    return f"[{'#' * filled}{'-' * (width - filled)}]"


class ProgressDisplay:
    """`sync`'s progress: on a terminal, one line redrawn in place with a bar of the batches done; elsewhere (a
    log, a pipe) a line per step."""

    def __init__(self, out: TextIO):
        self.out = out
        self.redraw = out.isatty()
        self.open = False

    def __call__(self, progress: Any) -> None:
        if not self.redraw:
            print(progress, file=self.out, flush=True)
            return
        bar = f"{progress_bar(progress.done, progress.total)} " if progress.total else ""
        self.out.write(f"\r\033[K{bar}{progress}")
        self.out.flush()
        self.open = True

    def close(self) -> None:
        if self.open:
            self.out.write("\n")
            self.open = False


def cmd_sync(args: argparse.Namespace) -> int:
    """`sync CONNECTION`: sync one connection now, showing its progress batch by batch. With `--dry-run` and one of
    `--invoice ID`, `--customer ID`, `--product ID`: say what the next run would do with that record and why (which
    rule holds an invoice back; which fields of a customer or product would cross which way), writing nothing."""
    setup_django()
    from dxconnector.sync import api as sync
    from dxconnector.sync.models import Trigger

    connection = find_connection("sync", args.connection)
    if connection is None:
        return 2
    named = [option for option in ("invoice", "customer", "product") if getattr(args, option)]
    if args.dry_run or named:
        if not (args.dry_run and len(named) == 1):
            print("dxconnector sync: --dry-run goes with one of --invoice, --customer or --product ID", file=sys.stderr)
            return 2
        if args.invoice:
            print("\n".join(sync.explain(connection.pk, args.invoice).lines))
        else:
            kind = "contact" if args.customer else "item"
            print("\n".join(sync.explain_record(connection.pk, kind, args.customer or args.product)))
        return 0
    shown = ProgressDisplay(sys.stdout)
    try:
        run = sync.run_sync(connection.pk, Trigger.CLI, progress=shown)
    except Exception as error:  # recorded on the run; the traceback goes to the log at DEBUG, not onto the screen
        shown.close()
        return unexpected("sync", error, "the next run carries on from the last batch committed")
    shown.close()
    counts = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in sorted(run.counts.items()))
    print(f"Sync {run.summary.lower()}{f' ({run.error})' if run.error else ''}: {counts or 'nothing to do'}.")
    return 0 if run.status == run.Status.SUCCEEDED else 1


def unexpected(command: str, error: Exception, then: str) -> int:
    """One line for an error nobody foresaw (its traceback in the log with LOG_LEVEL=DEBUG); exit status 1."""
    logging.getLogger("dxconnector.cli").debug("dxconnector %s stopped", command, exc_info=error)
    print(
        f"dxconnector {command}: stopped by an unexpected error ({type(error).__name__}: {str(error)[:300]}); {then}. "
        "Run it with LOG_LEVEL=DEBUG for the details.",
        file=sys.stderr,
    )
    return 1


def cmd_verify(args: argparse.Namespace) -> int:
    """`verify CONNECTION`: compare the connection's Dynamics invoices with Xero's, record by record, and its linked
    customers and products with their Xero contacts and items, field by field, reading only. Prints each missing,
    duplicated or differing record (ids and field names, never values) and the summaries (or the report as JSON);
    exit 1 if any, 2 when the comparison could not be made."""
    setup_django()
    from dxconnector.dynamics.errors import DynamicsError
    from dxconnector.sync.api import NotReady, verify
    from dxconnector.xero.errors import XeroError

    connection = find_connection("verify", args.connection)
    if connection is None:
        return 2
    try:
        report = verify(connection.pk, progress=lambda line: print(line, file=sys.stderr, flush=True))
    except NotReady as error:
        print(f"dxconnector verify: connection {args.connection!r} is not ready: {error}", file=sys.stderr)
        return 2
    except (XeroError, DynamicsError) as error:
        print(
            f"dxconnector verify: could not read {'Xero' if isinstance(error, XeroError) else 'Dynamics'}: {error}",
            file=sys.stderr,
        )
        return 2
    except Exception as error:
        unexpected("verify", error, "nothing was written")
        return 2
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print("\n".join(report.lines))
    return 0 if report.ok else 1


def cmd_bench(args: argparse.Namespace) -> int:
    """`bench sync|latency …`: the benchmarks, which come with the source checkout (its `bench/` folder) and run
    as a program of their own there, `python -m bench`: their JSON on stdout, their progress on stderr."""
    if not (CHECKOUT / "bench" / "__main__.py").is_file():
        print(
            "dxconnector bench: the benchmarks come with the source checkout (its bench/ folder); "
            "run this from a clone of the repository",
            file=sys.stderr,
        )
        return 2
    benchmarks = subprocess.Popen([sys.executable, "-m", "bench", *args.bench_args], cwd=CHECKOUT)
    try:
        code = benchmarks.wait()
    except KeyboardInterrupt:  # Ctrl-C reached the benchmarks too: let them stop their sandbox and portal
        code = benchmarks.wait()
    return code if code >= 0 else 128 - code  # killed by a signal: as a shell reports it


def cmd_app_user(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    from dxconnector.connections.models import Connection
    from dxconnector.dynamics.errors import DynamicsError
    from dxconnector.dynamics.hosts import why_untrusted
    from dxconnector.portal.app_user import use_application_user

    refused = why_untrusted(args.org_url, settings.DATAVERSE_EXTRA_HOSTS)
    if refused:
        print(
            f"dxconnector app-user: --org-url must be an organisation's https URL on a Dataverse host: {refused}.",
            file=sys.stderr,
        )
        return 2
    connection = Connection.objects.filter(pk=args.connection).first()
    if connection is None:
        print(f"No connection {args.connection}.", file=sys.stderr)
        return 1
    try:
        dynamics = use_application_user(connection, args.tenant, args.org_url, args.name or "")
    except DynamicsError as error:
        print(f"The application user could not reach {args.org_url}: {error}", file=sys.stderr)
        return 1
    print(f"Connection {connection.pk} now reaches {dynamics.org_name} as {dynamics.username}.")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dxconnector manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dxconnector", description="Dynamics 365 ⇄ Xero connector")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the whole product locally with embedded defaults")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--data-dir", default="data/demo")
    demo.add_argument("--fresh-env", action="store_true", help="ignore settings from the environment")
    demo.add_argument("--sandbox-port-base", type=int, default=9400, help="first port of the sandbox's hosts")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="web server plus worker(s)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--migrate", action="store_true", help="apply database migrations first")
    serve.set_defaults(func=cmd_serve)

    web = sub.add_parser("web", help="only the web server")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--threads", type=int, default=8)
    web.set_defaults(func=cmd_web)

    worker = sub.add_parser("worker", help="run queued jobs")
    worker.add_argument("--batch", action="store_true", help="exit when no job is left")
    worker.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")
    worker.set_defaults(func=cmd_worker)

    check = sub.add_parser("check", help="report every configuration problem at once (exit 1 if any)")
    check.set_defaults(func=cmd_check)

    # Its options belong to the sandbox's own command (`dxsandbox --help`): `main` hands them over unparsed.
    sandbox = sub.add_parser(
        "sandbox", add_help=False, help="run the Xero and Microsoft emulators (HTTPS with a local CA): the `dxsandbox` command"
    )
    sandbox.add_argument("sandbox_args", nargs=argparse.REMAINDER, metavar="[--port-base N] …")
    sandbox.set_defaults(func=cmd_sandbox)

    solution = sub.add_parser("solution", help="the managed solution that Dynamics imports")
    solution_actions = solution.add_subparsers(dest="action", required=True)
    solution_build = solution_actions.add_parser("build", help="write the managed solution zip")
    solution_build.add_argument("-o", "--output", required=True, metavar="FILE.zip", help="where to write the zip")
    solution_build.set_defaults(func=cmd_solution)

    sync = sub.add_parser("sync", help="sync one connection now, or explain why an invoice is not syncing")
    sync.add_argument("connection", metavar="CONNECTION", help="the connection's id (or exact name)")
    sync.add_argument("--dry-run", action="store_true", help="write nothing: explain what the next run would do with one record")
    sync.add_argument("--invoice", metavar="ID", help="the Dynamics invoice to explain")
    sync.add_argument("--customer", metavar="ID", help="the Dynamics account or contact to explain")
    sync.add_argument("--product", metavar="ID", help="the Dynamics product to explain")
    sync.set_defaults(func=cmd_sync)

    verify = sub.add_parser(
        "verify",
        help="compare a connection's invoices, linked customers and products in Dynamics and Xero (exit 1 if any differ)",
    )
    verify.add_argument("connection", metavar="CONNECTION", help="the connection's id (or exact name)")
    verify.add_argument("--json", action="store_true", help="print the report as one JSON object")
    verify.set_defaults(func=cmd_verify)

    bench = sub.add_parser("bench", help="benchmarks (sync, latency), printing one JSON object of figures")
    bench.add_argument("bench_args", nargs=argparse.REMAINDER, metavar="sync|latency …")
    bench.set_defaults(func=cmd_bench)

    app_user = sub.add_parser("app-user", help="connect a connection to Dynamics through an application user")
    app_user.add_argument("connection", help="the connection's id")
    app_user.add_argument("--tenant", required=True, help="the customer's Entra ID tenant id")
    app_user.add_argument(
        "--org-url", required=True, help="the organisation's https URL on a Dataverse host, e.g. https://contoso.crm.dynamics.com"
    )
    app_user.add_argument("--name", help="how the organisation is shown in the portal")
    app_user.set_defaults(func=cmd_app_user)

    manage = sub.add_parser("manage", help="Django management commands (migrate, createsuperuser, …)")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["sandbox"]:  # argparse would take the sandbox's options (`--port-base`, `--help`) for ours
        return cmd_sandbox(argparse.Namespace(sandbox_args=argv[1:]))
    args = build_parser().parse_args(argv)
    return args.func(args)
