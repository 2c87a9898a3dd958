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
from pathlib import Path

from tests.connections.caller_threads import call_in_threads


def main(spec_path: str) -> None:
    import django

    django.setup()

    from dxconnector.connections.clients import dataverse_client

    spec = json.loads(Path(spec_path).read_text())
    grant = spec["grants"][0]
    client = dataverse_client(grant["org_url"], lambda: grant["token"], for_a_page=spec["role"] == "web")
    outcomes = call_in_threads(spec, lambda n: client.who_am_i())
    client.close()
    print(json.dumps({"ok": outcomes.pop("ok", 0), "errors": dict(outcomes), "retries": client.retries}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
