"""A connector process calling Xero for the shared-budget tests (tests/connections/test_shared_xero_budget.py): a
worker, or the web process's onboarding (one attempt per call, as a page makes them), with the Xero settings and the
budget store its environment gives, built as the connector builds its clients (connections.clients.xero_config).

    python -m tests.connections.xero_budget_caller SPEC.json

SPEC: {"role": "worker"|"web"|"holder", "grants": [{"tokens": {...}, "tenant_id": "..."}], "threads": 5, "calls": 40}.
It prints one JSON line: the calls that succeeded and the errors by kind. A "holder" takes every concurrent slot of its
organisation, prints {"holding": n} and waits to be killed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tests.connections.caller_threads import call_in_threads


def main(spec_path: str) -> None:
    import django

    django.setup()

    from dxconnector.connections.clients import xero_config
    from dxconnector.xero.auth import TokenSet
    from dxconnector.xero.client import MemoryTokenStore, XeroClient

    spec = json.loads(Path(spec_path).read_text())
    config = xero_config(for_a_page=spec["role"] == "web")
    clients = [XeroClient(config, MemoryTokenStore(TokenSet(**grant["tokens"])), grant["tenant_id"]) for grant in spec["grants"]]
    if spec["role"] == "holder":
        hold_every_slot(clients[0])
        return
    outcomes = call_in_threads(spec, lambda n: clients[n % len(clients)].organisation())
    print(json.dumps({"ok": outcomes.pop("ok", 0), "errors": dict(outcomes)}), flush=True)


def hold_every_slot(client) -> None:
    governor = client.governor
    holding = []
    for _ in range(governor.limits.concurrent):
        slot = governor.slot()
        slot.__enter__()  # and never left: the process is killed holding it
        holding.append(slot)
    print(json.dumps({"holding": len(holding)}), flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main(sys.argv[1])
