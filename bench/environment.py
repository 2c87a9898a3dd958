"""A throwaway world for one benchmark: the connector's own database and settings in `--state-dir`, the
sandboxes (Xero and Microsoft) as a child process, and a connection onboarded the way an admin does it —
Xero through the sandbox's sign-in and consent pages, Dynamics through the operator's application user,
the solution installed, defaults saved, Create Connection — then the settings row set for the run.

Everything is left in the state dir for inspection: the sandboxes' stores, the connector's SQLite file. Each
run has a state dir of its own (a new one under `bench-state/` unless `--state-dir` names one; one used before
is cleared first): a second run finding the first one's records would collide with them.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dxconnector import local
from dxsandbox import steering

if TYPE_CHECKING:
    from dxconnector.dynamics.client import DataverseClient

STATE_ROOT = Path("bench-state")  # where each run gets a folder of its own unless told otherwise
MARK = "bench-run.txt"  # says a benchmark left the folder's connector/ and sandbox/, so the next run may remove them
LEFT_BY_A_RUN = ("connector", "sandbox")


class StateDirTaken(Exception):
    """The state dir holds a connector's or a sandbox's state that no benchmark left there."""


def new_state_dir(root: Path = STATE_ROOT) -> Path:
    """A new folder under `root` for one run, named by when it started and made unique by a random suffix."""
    root.mkdir(parents=True, exist_ok=True)
    return clear_state_dir(Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%d-%H%M%S-"), dir=root)))


def clear_state_dir(state_dir: Path) -> Path:
    """Ready `state_dir` for a run: what an earlier run left there (the connector's database, the sandboxes'
    stores) is removed, saying so on stderr; the same folders not marked as a benchmark's are refused."""
    state_dir = state_dir.resolve()
    left = [state_dir / name for name in LEFT_BY_A_RUN if (state_dir / name).exists()]
    if left and not (state_dir / MARK).is_file():
        raise StateDirTaken(
            f"{state_dir} holds {_names(left)} that no benchmark left there (no {MARK}): "
            f"give another --state-dir, or remove {_names(left)} yourself"
        )
    if left:
        print(f"{state_dir} holds an earlier run: removing its {_names(left)}", file=sys.stderr, flush=True)
        for path in left:
            shutil.rmtree(path)
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / MARK).write_text(
        f"Left by `dxconnector bench`: a run with --state-dir {state_dir} removes "
        f"{_names(Path(name) for name in LEFT_BY_A_RUN)} first.\n"
    )
    return state_dir


def _names(paths: Iterable[Path]) -> str:
    return " and ".join(f"{path.name}/" for path in paths)


@dataclass(frozen=True)
class Options:
    state_dir: Path  # this run's own: see new_state_dir, clear_state_dir
    invoices: int = 2000
    lines: int = 5
    customers: int = 400
    products: int = 100
    limits: str = "off"  # "real": Xero's and Dataverse's limits, enforced by the sandbox on a scaled clock
    time_scale: float = 1.0  # simulated seconds per real second (the sandbox's clock and the connector's governor)
    faults: float = 0.0  # share of calls failing on both sides (429, 500, 503, timeouts, answers lost)
    fault_timeout: float = 2.0  # seconds an injected timeout holds its call
    kills: int = 0  # times the syncing process is killed mid-run and started again
    seed: int = 7
    edit_customers: int = 0  # `bench sync`: linked customers edited in Dynamics after the initial sync
    edit_products: int = 0  # … and linked products
    pay: int = 0  # `bench sync`: linked sales invoices paid in Xero after the initial sync


class World:
    """The sandboxes plus the connector's settings, database and one onboarded connection."""

    def __init__(self, options: Options, *, web_port: int | None = None, database_url: str | None = None):
        self.options = options
        self.database_url = database_url  # the connector's database instead of the state dir's SQLite file (`bench fleet`)
        self.state_dir = options.state_dir.resolve()
        self.web_port = web_port or local.free_port()
        self.sandbox: subprocess.Popen | None = None
        self.manifest: dict[str, Any] = {}

    # --- start and stop ----------------------------------------------------------------------------------
    def start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        environment = local.demo_environment(self.state_dir / "connector", self.web_port)
        environment.pop("DEMO_PASSWORD")
        if self.database_url:
            environment["DATABASE_URL"] = self.database_url
        # As in production (Django's debug mode keeps every query it ran in memory), but served on plain HTTP locally.
        environment.update(DEBUG="false", SECURE_SSL_REDIRECT="false")
        os.environ.update(environment)
        os.environ.setdefault("SYNC_LEASE_SECONDS", "10")  # a killed run's connection is free again soon
        # The connector counts both services' windows on the sandboxes' clock (a 5-minute Dataverse window counted in
        # real minutes against a sandbox 8 times faster would keep the connector waiting 8 times too long).
        os.environ["XERO_TIME_SCALE"] = os.environ["DATAVERSE_TIME_SCALE"] = f"{self.options.time_scale:g}"
        if self.options.limits == "off":  # no budget to keep to: the connector need not pace itself either
            os.environ.update(
                XERO_CALLS_PER_MINUTE="1000000", XERO_CALLS_PER_DAY="100000000", DATAVERSE_REQUESTS_PER_WINDOW="100000000"
            )
        options = ["--limits", self.options.limits, "--time-scale", f"{self.options.time_scale:g}"]
        self.sandbox, self.manifest = local.start_sandbox_child(
            self.state_dir / "sandbox", local.free_port_base(), *options, timeout=60
        )
        os.environ.update(local.sandbox_environment(self.manifest))
        daemon = self.daemon_app
        os.environ["DYNAMICS_APP_CLIENT_ID"], os.environ["DYNAMICS_APP_CLIENT_SECRET"] = (
            daemon["client_id"],
            daemon["client_secret"],
        )
        local.setup_django()
        local.migrate()
        logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per call would drown the progress

    def stop(self) -> None:
        if self.sandbox is not None and self.sandbox.poll() is None:
            self.sandbox.terminate()
            try:
                self.sandbox.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.sandbox.kill()

    def __enter__(self) -> World:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- the sandboxes -----------------------------------------------------------------------------------
    @property
    def daemon_app(self) -> dict[str, Any]:
        return next(app for app in self.manifest["microsoft"]["apps"] if app["kind"] == "daemon")

    @property
    def organisation(self) -> dict[str, Any]:
        return next(o for o in self.manifest["microsoft"]["organisations"] if o["friendly_name"] == "Oakwood Sales")

    def control(self, url: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """A control route of one sandbox host (`url`: the host's control base from the manifest)."""
        return steering.control(self.manifest, url, method, path, body)

    @property
    def xero_api(self) -> str:
        return self.manifest["xero"]["control_url"]

    @property
    def dataverse_host(self) -> str:
        return self.organisation["control_url"]

    def set_faults(self, rate: float, *, at_least: int = 0) -> None:
        """The same share of failing calls on Xero's API and the organisation's Dataverse host; with `at_least`, each
        failure kind injected at least that many times on each side (forced if the draw falls short)."""
        from dxsandbox.common.faults import FaultPlan

        for offset, host in enumerate((self.xero_api, self.dataverse_host)):  # each side its own draw of failures
            plan = FaultPlan.spread(
                rate, seed=self.options.seed + offset, timeout_seconds=self.options.fault_timeout, at_least=at_least
            )
            self.control(host, "PUT", "/faults", plan.to_json())

    def create_xero_organisations(self, name: str, count: int, *, country_code: str = "NZ") -> list[dict[str, Any]]:
        """`count` new Xero organisations (`name 1`, `name 2`…), each with its own books and limits, which the manifest's
        first Xero user (the one `onboard` signs in as) may choose on the consent page. Returns them, tenant ids first."""
        body = {"name": name, "count": count, "country_code": country_code, "users": [self.xero_user["email"]]}
        made: list[dict[str, Any]] = self.control(self.xero_api, "POST", "/organisations", body)["organisations"]
        return made

    @property
    def xero_user(self) -> dict[str, Any]:
        user: dict[str, Any] = self.manifest["xero"]["users"][0]
        return user

    def reset_stats(self) -> None:
        for host in (self.xero_api, self.dataverse_host):
            self.control(host, "POST", "/reset-stats")

    def stats(self) -> dict[str, dict[str, Any]]:
        return {
            "xero": self.control(self.xero_api, "GET", "/stats"),
            "dataverse": self.control(self.dataverse_host, "GET", "/stats"),
        }

    # --- the connector -----------------------------------------------------------------------------------
    def dataverse(self) -> DataverseClient:
        """The organisation's Web API as the operator's application user (seeding, reading back)."""
        from django.conf import settings

        from dxconnector.dynamics import auth
        from dxconnector.dynamics.client import DataverseClient

        config = auth.DynamicsOAuthConfig.from_settings()
        org = self.organisation
        return DataverseClient(
            org["url"],
            auth.TokenSource(lambda: auth.app_token(config, org["tenant_id"], org["url"])),
            settings.CA_BUNDLE,
            timeout=120,
        )

    def onboard(self, **settings_row: Any) -> Any:
        """Register, connect both sides (Xero: the Xero user's first organisation), install the solution, save
        defaults, Create Connection, start the trial; then set the settings row."""
        return self.onboard_to(None, **settings_row)

    def onboard_to(self, xero_tenant_id: str | None, **settings_row: Any) -> Any:
        """`onboard`, with the Xero organisation `xero_tenant_id` ticked on the consent page (e.g. one
        `create_xero_organisations` made; None: the Xero user's first)."""
        from django.test import Client

        from dxconnector.connections.models import Connection
        from dxconnector.dynamics.solution.definition import CONNECTION, SETTINGS
        from dxconnector.jobs.worker import run_pending_jobs
        from dxconnector.portal.app_user import use_application_user
        from dxconnector.portal.models import User
        from dxsandbox.consent import xero_consent

        owner, _ = User.objects.get_or_create(email="bench@example.org", defaults={"name": "Bench", "company": "Bench Ltd"})
        connection = Connection.objects.create(owner=owner, name="Bench", time_zone="Europe/London")
        browser = Client(SERVER_NAME="127.0.0.1", SERVER_PORT=str(self.web_port))
        browser.force_login(owner)
        base = f"/connections/{connection.pk}"
        location = xero_consent(
            self.manifest["hosts"]["xero-login"],
            browser.post(f"{base}/xero/connect/")["Location"],
            self.xero_user,
            tenant_ids=[xero_tenant_id] if xero_tenant_id else None,
        )
        _expect_redirect(browser.get("/xero/callback/" + location[location.index("?") :]), "Xero callback")
        org = self.organisation
        use_application_user(connection, org["tenant_id"], org["url"], org["friendly_name"])
        _expect_redirect(browser.post(f"{base}/solution/install/"), "solution install")
        run_pending_jobs()  # installing the solution is a job too
        _expect_redirect(browser.post(f"{base}/defaults/", {"name": "Bench", "time_zone": "Europe/London"}), "defaults")
        _expect_redirect(browser.post(f"{base}/create/"), "Create Connection")
        run_pending_jobs()  # Create Connection's work runs as a job, and this process is the only worker about
        connection.refresh_from_db()
        if connection.status != Connection.Status.CREATED:
            raise RuntimeError("Create Connection did not create the connection")
        connection.start_trial()
        with self.dataverse() as client:
            [connector] = client.list(
                CONNECTION.set_name, select=CONNECTION.primary_id, filter=f"stl3_portalconnectionid eq '{connection.pk}'"
            )
            [row] = client.list(
                SETTINGS.set_name,
                select=SETTINGS.primary_id,
                filter=f"_stl3_connectorid_value eq {connector[CONNECTION.primary_id]}",
            )
            client.update(SETTINGS.set_name, row[SETTINGS.primary_id], settings_row)
        return connection


def _expect_redirect(response: Any, step: str) -> None:
    if response.status_code not in (301, 302, 303):
        raise RuntimeError(f"{step} answered {response.status_code}")
