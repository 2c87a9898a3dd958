"""Start the real sandbox process (`python -m dxsandbox`) for tests, and talk to it over HTTPS."""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dxconnector.local import free_port_base, sandbox_environment
from dxsandbox import steering
from dxsandbox.common.recording import RECORD_ENV
from tests.clirun import child_env

_record_dir: Path | None = None  # where sandboxes started from now on record their Xero responses (tests/conftest.py sets it)


def record_responses_in(directory: Path | None) -> None:
    """Have every sandbox started from now on record its Xero responses in `directory` (None: stop recording)."""
    global _record_dir
    _record_dir = directory


@dataclass
class RunningSandbox:
    process: subprocess.Popen
    state_dir: Path
    manifest: dict[str, Any]

    @property
    def ca_file(self) -> str:
        return self.manifest["ca_file"]

    @property
    def tls(self) -> ssl.SSLContext:
        """Trusts the sandbox's CA (and nothing else): pass as httpx's `verify`."""
        return ssl.create_default_context(cafile=self.ca_file)

    def url(self, host: str) -> str:
        return self.manifest["hosts"][host]

    @property
    def xero(self) -> dict[str, Any]:
        return self.manifest["xero"]

    def xero_app(self, kind: str = "web") -> dict[str, Any]:
        return next(app for app in self.xero["apps"] if app["kind"] == kind)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_sandbox(state_dir: Path, *extra_args: str, timeout: float = 30) -> RunningSandbox:
    state_dir.mkdir(parents=True, exist_ok=True)
    log = (state_dir / "sandbox.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "dxsandbox", "--port-base", str(free_port_base()), "--state-dir", str(state_dir), *extra_args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=child_env(PYTHONUNBUFFERED="1", **_recording_env()),
    )
    manifest_path = state_dir / "sandbox.json"
    deadline = time.monotonic() + timeout
    while not manifest_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"sandbox did not start:\n{(state_dir / 'sandbox.log').read_text()}")
        time.sleep(0.05)
    return RunningSandbox(process, state_dir, json.loads(manifest_path.read_text()))


def _recording_env() -> dict[str, str]:
    return {RECORD_ENV: str(_record_dir)} if _record_dir is not None else {}


def connector_settings(sandbox: RunningSandbox, base_url: str = "http://127.0.0.1:8000") -> dict[str, Any]:
    """Django settings that point the connector at this sandbox, exactly as the demo's environment does (a list, as the
    settings read it, where the environment has a comma-separated value)."""
    values: dict[str, Any] = {"BASE_URL": base_url, **sandbox_environment(sandbox.manifest)}
    values["DATAVERSE_EXTRA_HOSTS"] = values.get("DATAVERSE_EXTRA_HOSTS", "").split(",")
    return values


def xero_consent(
    sandbox: RunningSandbox, authorize_url: str, *, user_index: int = 0, tenants: int | None = 1, action: str = "allow"
) -> str:
    """Play the person on Xero's sign-in and consent pages; return where Xero sends the browser back."""
    from dxsandbox.consent import xero_consent as consent

    return consent(sandbox.url("xero-login"), authorize_url, sandbox.xero["users"][user_index], tenants=tenants, action=action)


def xero_tokens(sandbox: RunningSandbox, *, user_index: int = 0, tenants: int = 1):
    """A fresh grant from the sandbox through the connector's own OAuth code: (TokenSet, tenant ids)."""
    from urllib.parse import parse_qs, urlsplit

    from dxconnector.xero import auth

    config = xero_oauth_config(sandbox)
    redirect = "http://127.0.0.1:8000/xero/callback/"
    authorization = auth.begin(config, redirect)
    location = xero_consent(sandbox, authorization.url, user_index=user_index, tenants=tenants)
    code = parse_qs(urlsplit(location).query)["code"][0]
    tokens = auth.exchange_code(config, code, redirect, authorization.code_verifier)
    return tokens, sandbox.xero["users"][user_index]["organisations"][:tenants]


def xero_oauth_config(sandbox: RunningSandbox):
    from dxconnector.xero.auth import XeroOAuthConfig

    values = connector_settings(sandbox)
    return XeroOAuthConfig(
        client_id=values["XERO_CLIENT_ID"],
        client_secret=values["XERO_CLIENT_SECRET"],
        authorize_url=values["XERO_AUTHORIZE_URL"],
        token_url=values["XERO_TOKEN_URL"],
        revocation_url=values["XERO_REVOCATION_URL"],
        connections_url=values["XERO_CONNECTIONS_URL"],
        scopes="openid profile email offline_access accounting.transactions accounting.contacts accounting.settings",
        ca_bundle=sandbox.ca_file,
    )


def xero_api_config(sandbox: RunningSandbox, **overrides: Any):
    from dxconnector.xero.client import XeroApiConfig

    values = connector_settings(sandbox)
    return XeroApiConfig(
        client_id=values["XERO_CLIENT_ID"],
        client_secret=values["XERO_CLIENT_SECRET"],
        api_url=values["XERO_API_URL"],
        connections_url=values["XERO_CONNECTIONS_URL"],
        token_url=values["XERO_TOKEN_URL"],
        revocation_url=values["XERO_REVOCATION_URL"],
        ca_bundle=sandbox.ca_file,
        **overrides,
    )


def control(sandbox: RunningSandbox, method: str, path: str, body: dict | None = None) -> dict:
    """Call the sandbox's Xero control routes (stats, limits, faults, clock, webhooks)."""
    return steering.control(sandbox.manifest, sandbox.xero["control_url"], method, path, body)
