"""A pytest plugin for other people's integration tests: `dx_sandbox` starts the sandbox once for the test session.

Installed with the `dxsandbox` distribution (entry point `pytest11`), so any project that installs the sandbox has it.
It starts nothing by itself: only a test (or fixture) that asks for `dx_sandbox` starts a sandbox, in a temporary
folder, on a run of free ports, as a child process (`python -m dxsandbox`), stopped when the session ends.

    def test_my_client_signs_in(dx_sandbox):
        client = MyXeroClient(
            token_url=dx_sandbox.xero["token_url"],
            api_url=dx_sandbox.xero["api_url"],
            ca_bundle=dx_sandbox.ca_file,
        )

Extra options for the `dxsandbox` command (`--limits off`, `--faults 0.1`, `--time-scale 60`…) go in the ini option
`dx_sandbox_args`. Light on imports: pytest loads this module in every run of a project that has the sandbox
installed, used or not.
"""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

MANIFEST = "sandbox.json"
START_SECONDS = 60  # a cold start on a busy machine issues certificates and seeds every host


class SandboxDidNotStart(RuntimeError):
    """The sandbox's process ended, or wrote no manifest in time; the message carries its output."""


@dataclass
class RunningSandbox:
    """A sandbox started for the test session: its manifest (`sandbox.json`, as `dxsandbox` writes it) and handles."""

    process: subprocess.Popen[bytes]
    state_dir: Path
    manifest: dict[str, Any]

    @property
    def ca_file(self) -> str:
        """The sandbox's CA certificate (PEM): trust it (and only it) to reach the HTTPS hosts."""
        return str(self.manifest["ca_file"])

    @property
    def urls(self) -> dict[str, str]:
        """Every emulated host's base URL by name (`xero-api`, `xero-identity`, `microsoft-identity`, …)."""
        return dict(self.manifest["hosts"])

    def url(self, host: str) -> str:
        return str(self.manifest["hosts"][host])

    @property
    def xero(self) -> dict[str, Any]:
        """Xero's endpoints, apps (client ids and secrets), users (emails and passwords) and organisations."""
        return dict(self.manifest["xero"])

    @property
    def microsoft(self) -> dict[str, Any]:
        """Entra ID's endpoints, tenants, apps and users, and the Dataverse organisations with their URLs."""
        return dict(self.manifest["microsoft"])

    def xero_app(self, kind: str = "web") -> dict[str, Any]:
        """The first seeded Xero app of that kind (`web`, `pkce`, `custom`…)."""
        return next(app for app in self.xero["apps"] if app["kind"] == kind)

    @property
    def control_headers(self) -> dict[str, str]:
        """The header that lets a caller use the control routes (`/_sandbox/…`: limits, faults, clock)."""
        return {self.manifest["control"]["header"]: self.manifest["control"]["token"]}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_sandbox(state_dir: Path, *args: str, timeout: float = START_SECONDS) -> RunningSandbox:
    """Start `python -m dxsandbox` on a run of free ports, keeping its state in `state_dir`, and wait for its manifest."""
    state_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = state_dir / MANIFEST
    manifest_path.unlink(missing_ok=True)
    log_path = state_dir / "sandbox.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dxsandbox", "--port-base", "0", "--state-dir", str(state_dir), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    while not manifest_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            if process.poll() is None:
                process.kill()
                process.wait()
            raise SandboxDidNotStart(f"the sandbox did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.05)
    return RunningSandbox(process, state_dir, json.loads(manifest_path.read_text()))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "dx_sandbox_args",
        "extra options for the `dxsandbox` command the dx_sandbox fixture runs (e.g. --limits off --time-scale 60)",
        default="",
    )


@pytest.fixture(scope="session")
def dx_sandbox(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A running sandbox (Xero and Microsoft/Dataverse over HTTPS with its own CA) for the whole test session."""
    args = shlex.split(str(request.config.getini("dx_sandbox_args")))
    sandbox = start_sandbox(tmp_path_factory.mktemp("dx-sandbox"), *args)
    try:
        yield sandbox
    finally:
        sandbox.stop()
