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
import threading
import time
from collections import Counter
from pathlib import Path


def main(spec_path: str) -> None:
    import django

    django.setup()
    from django.db import connections

    from dxconnector.connections.clients import xero_config
    from dxconnector.xero.auth import TokenSet
    from dxconnector.xero.client import MemoryTokenStore, XeroClient

    spec = json.loads(Path(spec_path).read_text())
    config = xero_config(for_a_page=spec["role"] == "web")
    clients = [XeroClient(config, MemoryTokenStore(TokenSet(**grant["tokens"])), grant["tenant_id"]) for grant in spec["grants"]]
    if spec["role"] == "holder":
        hold_every_slot(clients[0])
        return
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def calls(first: int) -> None:
        for n in range(first, spec["calls"], spec["threads"]):
            try:
                clients[n % len(clients)].organisation()
                outcome = "ok"
            except Exception as error:  # counted by kind: the test says which it expects (none)
                outcome = type(error).__name__
            with lock:
                outcomes[outcome] += 1
        connections.close_all()  # this thread's database connection, if the budget store opened one

    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()  # every caller starts at once, when the test says so
    threads = [threading.Thread(target=calls, args=(first,)) for first in range(spec["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
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
