"""`dxsandbox`: every emulator, one port per emulated host, and sandbox.json describing them."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from pathlib import Path

from dxsandbox.common.clock import ScaledClock
from dxsandbox.common.control import TOKEN_HEADER, new_control_token
from dxsandbox.common.faults import FaultPlan
from dxsandbox.common.server import serve
from dxsandbox.common.tls import issue_server_certificate
from dxsandbox.microsoft.sandbox import MicrosoftSandbox
from dxsandbox.xero.sandbox import XeroSandbox

MANIFEST = "sandbox.json"
LIMIT_MODES = ("real", "off")


def write_manifest(state_dir: Path, manifest: dict) -> Path:
    path = state_dir / MANIFEST
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(manifest, indent=2))
    os.replace(temporary, path)  # readers never see half a file
    return path


def fault_plan(rate: float, seed: int | None) -> FaultPlan:
    """`--faults RATE`: that share of calls fails, spread evenly over 429/500/503/timeout/dropped-after-commit."""
    seed = seed if seed is not None else secrets.randbits(32)  # recorded in sandbox.json, so a run can be replayed
    return FaultPlan.spread(rate, seed=seed) if rate > 0 else FaultPlan(seed=seed)


def run(
    state_dir: Path, port_base: int, time_scale: float = 1.0, limits: str = "real", faults: float = 0.0, seed: int | None = None
) -> None:
    if limits not in LIMIT_MODES:
        raise ValueError(f"limits must be one of {', '.join(LIMIT_MODES)}")
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / MANIFEST).unlink(missing_ok=True)
    certificate = issue_server_certificate(state_dir / "tls")
    clock = ScaledClock(time_scale)
    plan = fault_plan(faults, seed)
    control_token = new_control_token()  # one per run; readers of sandbox.json steer the sandbox with it
    xero = XeroSandbox(
        state_dir,
        clock,
        limits_enabled=limits == "real",
        fault_plan=plan,
        control_token=control_token,
        ca_file=certificate.ca_file,
    )
    # Every API host (Xero's, each Dataverse organisation's) starts with the same plan and seed, drawn by a
    # generator of its own; `PUT /_sandbox/faults` on a host changes that host's plan only.
    microsoft = MicrosoftSandbox(
        state_dir,
        clock,
        limits_enabled=limits == "real",
        ca_file=certificate.ca_file,
        fault_plan=plan,
        control_token=control_token,
    )
    hosts = xero.hosts(port_base) + microsoft.hosts(port_base)
    urls = {host.name: host.base_url for host in hosts}
    manifest = {
        "pid": os.getpid(),
        "state_dir": str(state_dir),
        "ca_file": str(certificate.ca_file),
        "time_scale": time_scale,
        "limits": limits,
        "faults": {"rate": faults, **plan.to_json()},
        "control": {"header": TOKEN_HEADER, "token": control_token},
        "hosts": urls,
        "xero": xero.manifest(urls),
        "microsoft": microsoft.manifest(urls),
    }

    def ready() -> None:
        path = write_manifest(state_dir, manifest)
        print("Sandbox ready:", flush=True)
        for name, url in urls.items():
            print(f"  {name:<16} {url}", flush=True)
        print(f"  CA certificate   {certificate.ca_file}\n  Manifest         {path}", flush=True)
        print(f"  Limits           {limits}; time scale {time_scale:g}; faults {faults:g} (seed {plan.seed})", flush=True)

    try:
        asyncio.run(serve(hosts, certificate, on_ready=ready))
    finally:
        xero.events.close()
        microsoft.close()
