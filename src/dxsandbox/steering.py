"""Working a running sandbox from outside it (tests, benchmarks, the demo): a run of free ports to start one
on, and its control routes (stats, limits, faults, clock, webhooks) behind the manifest's token."""

from __future__ import annotations

import random
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from dxsandbox.common.store import DocumentStore
from dxsandbox.xero.api.accounting.books import Books


def free_port_base(count: int) -> int:
    """A run of `count` consecutive free loopback ports, below the kernel's ephemeral range so that outgoing
    connections made meanwhile cannot take them."""
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(20000, 32000 - count)
        if all(_port_free(base + offset) for offset in range(count)):
            return base
    raise RuntimeError("no run of free ports found")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def control(manifest: dict[str, Any], control_url: str, method: str, path: str, body: dict | None = None) -> dict[str, Any]:
    """Call one host's control route (`control_url` from the manifest, e.g. the Xero API's or an organisation's)."""
    response = httpx.request(
        method,
        control_url + path,
        json=body,
        timeout=30,
        verify=trusting(manifest["ca_file"]),
        headers={manifest["control"]["header"]: manifest["control"]["token"]},
    )
    response.raise_for_status()
    return response.json()


@cache
def trusting(ca_file: str) -> ssl.SSLContext | bool:
    """What to pass as httpx's `verify`: a context trusting exactly the sandbox's CA (the system store when there is
    none). The sandbox's own, so that it needs nothing from the connector; cached, as loading a CA file costs."""
    return ssl.create_default_context(cafile=ca_file) if ca_file else True


@contextmanager
def xero_books(manifest: dict[str, Any], tenant_id: str) -> Iterator[Books]:
    """One organisation's books in a running sandbox, for what a person changes in Xero's settings and the Accounting
    API does not offer: the organisation's name, a branding theme or currency removed and brought back. Changed in the
    sandbox's store, which it reads afresh at every call (no webhook tells of such a change, as in Xero)."""
    store = DocumentStore(Path(manifest["state_dir"]) / "xero.sqlite3")
    try:
        yield Books(store, tenant_id)
    finally:
        store.close()
