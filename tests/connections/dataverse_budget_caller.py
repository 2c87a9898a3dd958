"""A connector process calling Dataverse for the shared-budget tests (tests/connections/test_shared_dataverse_budget.py):
a worker, or the web process (one attempt per call, as a page makes them), with the Dataverse settings and the budget
store its environment gives, its client built as the connector builds it (connections.clients.dataverse_client).

    python -m tests.connections.dataverse_budget_caller SPEC.json

SPEC: {"role": "worker"|"web", "grants": [{"org_url": "...", "token": "..."}], "threads": 5, "calls": 40}: the
organisation's application user's token. It prints one JSON line: the calls that succeeded and the errors by kind.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from pathlib import Path


def main(spec_path: str) -> None:
    import django

    django.setup()
    from django.db import connections

    from dxconnector.connections.clients import dataverse_client

    spec = json.loads(Path(spec_path).read_text())
    grant = spec["grants"][0]
    client = dataverse_client(grant["org_url"], lambda: grant["token"], for_a_page=spec["role"] == "web")
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def calls(first: int) -> None:
        for _ in range(first, spec["calls"], spec["threads"]):
            try:
                client.who_am_i()
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
    client.close()
    print(json.dumps({"ok": outcomes.pop("ok", 0), "errors": dict(outcomes), "retries": client.retries}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
