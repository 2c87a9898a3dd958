"""`dxconnector sandbox`: every emulator, one port per emulated host, and sandbox.json describing them."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from dxconnector.sandbox.common.clock import ScaledClock
from dxconnector.sandbox.common.server import serve
from dxconnector.sandbox.common.tls import issue_server_certificate
from dxconnector.sandbox.xero.sandbox import XeroSandbox

MANIFEST = "sandbox.json"


def write_manifest(state_dir: Path, manifest: dict) -> Path:
    path = state_dir / MANIFEST
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(manifest, indent=2))
    os.replace(temporary, path)  # readers never see half a file
    return path


def run(state_dir: Path, port_base: int, time_scale: float = 1.0) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / MANIFEST).unlink(missing_ok=True)
    certificate = issue_server_certificate(state_dir / "tls")
    clock = ScaledClock(time_scale)
    xero = XeroSandbox(state_dir, clock)
    hosts = xero.hosts(port_base)
    urls = {host.name: host.base_url for host in hosts}
    manifest = {
        "pid": os.getpid(),
        "state_dir": str(state_dir),
        "ca_file": str(certificate.ca_file),
        "time_scale": time_scale,
        "hosts": urls,
        "xero": xero.manifest(urls),
    }

    def ready() -> None:
        path = write_manifest(state_dir, manifest)
        print("Sandbox ready:", flush=True)
        for name, url in urls.items():
            print(f"  {name:<16} {url}", flush=True)
        print(f"  CA certificate   {certificate.ca_file}\n  Manifest         {path}", flush=True)

    asyncio.run(serve(hosts, certificate, on_ready=ready))
