"""What the shared-budget caller processes (xero_budget_caller.py, dataverse_budget_caller.py) share: say they are
ready, start every thread at once when the test says so, and count each call's outcome."""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any


def call_in_threads(spec: dict[str, Any], call: Callable[[int], object]) -> Counter[str]:
    """`spec["calls"]` calls of `call(n)` over `spec["threads"]` threads, started together once the test writes a line:
    the outcomes by kind ("ok", or the error's class name)."""
    from django.db import connections

    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def calls(first: int) -> None:
        for n in range(first, spec["calls"], spec["threads"]):
            try:
                call(n)
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
    return outcomes
