"""`dxconnector worker` processes on the suite's database, against a sandbox: for the tests that start several workers,
stop them and kill them. Their data is committed (TransactionTestCase), so the workers see it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection as database
from django.test import TransactionTestCase
from django.utils import timezone

from dxconnector.connections.models import Connection
from dxconnector.local import sandbox_environment
from dxconnector.portal.models import User
from dxconnector.sync.models import SyncRun
from dxsandbox import steering
from tests.base import PASSWORD
from tests.clirun import child_env
from tests.sandboxes import RunningSandbox
from tests.sandboxes import control as xero_control
from tests.sync.helpers import ORGANISATION, SyncHelpers

REPO = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database, as a process started now reaches it."""
    settings = database.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{quote(settings['USER'] or '', safe='')}{password}@{settings['HOST'] or ''}{port}/{settings['NAME']}"


class Workers:
    """Worker processes started with the same environment (the connector's settings pointing at `sandbox`)."""

    def __init__(self, sandbox: RunningSandbox, log_dir: Path, **settings: str):
        self.env = child_env(
            DJANGO_SETTINGS_MODULE="tests.settings",
            DATABASE_URL=database_url(),
            SECRET_KEY=os.environ["SECRET_KEY"],  # the suite's: the ledger's hashes and the tokens' encryption agree
            ENCRYPTION_KEYS=os.environ["ENCRYPTION_KEYS"],
            PYTHONUNBUFFERED="1",
            **sandbox_environment(sandbox.manifest),
            **settings,
        )
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, **settings: str) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"worker-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "dxconnector", "worker", "--interval", "0.2"],
            cwd=REPO,
            env={**self.env, **settings},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def log(self, process: subprocess.Popen[bytes]) -> str:
        return (self.log_dir / f"worker-{self.processes.index(process)}.log").read_text(errors="replace")

    def stop_all(self, timeout: float = 30) -> None:
        """SIGTERM to every worker still running, then SIGKILL to any still there after `timeout`."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


class WorkerProcessTestCase(SyncHelpers, TransactionTestCase):
    """Connections onboarded as the sync tests onboard them, committed, on the worker tests' own sandbox."""

    sandbox_fixture = "workers_sandbox"

    def setUp(self) -> None:
        super().setUp()
        self.alice = User.objects.create_user("alice@example.org", PASSWORD, name="Alice Anders", company="Alpha Ltd")
        self.connection = Connection.objects.create(owner=self.alice, name="Alpha Sales", time_zone="Europe/London")
        self.workers = Workers(self.sandbox, self._log_dir())
        self.addCleanup(self.calm)
        self.addCleanup(self.workers.stop_all)

    def _log_dir(self) -> Path:
        path = Path(os.environ.get("DATA_DIR", "/tmp")) / f"workers-{self.id().rsplit('.', 1)[-1]}-{time.time_ns()}"
        path.mkdir(parents=True)
        return path

    def new_connection(self, name: str) -> Connection:
        return Connection.objects.create(owner=self.alice, name=name, time_zone="Europe/London")

    # --- the sandbox's faults, on both sides ---------------------------------------------------------------
    def _dataverse_control_url(self) -> str:
        organisations = self.sandbox.manifest["microsoft"]["organisations"]
        return next(o["control_url"] for o in organisations if o["friendly_name"] == ORGANISATION)

    def faults(self, xero: dict[str, Any], dynamics: dict[str, Any] | None = None) -> None:
        """Fault plans (the sandbox's `/faults` body) for Xero's API and the organisation's Dataverse host."""
        xero_control(self.sandbox, "PUT", "/faults", xero)
        self.dataverse_control("PUT", "/faults", dynamics if dynamics is not None else xero)

    def dataverse_control(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        return steering.control(self.sandbox.manifest, self._dataverse_control_url(), method, path, body)

    def calm(self) -> None:
        self.faults({})

    # --- runs --------------------------------------------------------------------------------------------
    @staticmethod
    def runs(connection: Connection) -> list[SyncRun]:
        return list(SyncRun.objects.filter(connection=connection).order_by("started_at"))

    @staticmethod
    def running_run(connection: Connection) -> SyncRun | None:
        return SyncRun.objects.filter(connection=connection, status=SyncRun.Status.RUNNING).first()

    @staticmethod
    def succeeded_since(connection: Connection, since: Any) -> bool:
        return SyncRun.objects.filter(connection=connection, status=SyncRun.Status.SUCCEEDED, started_at__gte=since).exists()

    @staticmethod
    def now() -> Any:
        return timezone.now()
