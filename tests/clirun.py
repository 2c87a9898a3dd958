"""Run the real `dxconnector` command in a child process with a chosen environment."""

from __future__ import annotations

import os
import subprocess
import sys

from dxsandbox.common.recording import RECORD_ENV

# Variables that would leak the test run's own configuration into the child. A sandbox records its responses
# only where a test asks it to (tests/sandboxes.py passes the session's directory).
_SCRUB = (
    "DEBUG",
    "SECRET_KEY",
    "ENCRYPTION_KEYS",
    "BASE_URL",
    "EMAIL_URL",
    "DATABASE_URL",
    "DATA_DIR",
    "DJANGO_SETTINGS_MODULE",
    "TRIAL_DAYS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "BEHIND_TLS_PROXY",
    "TRUSTED_PROXIES",
    "TRUSTED_PROXY_COUNT",
    "MAX_REQUEST_BYTES",
    "PROMETHEUS_MULTIPROC_DIR",  # the test run's own counters: a child counts in its own DATA_DIR
    "METRICS_TOKEN",
    "LOG_FORMAT",
    RECORD_ENV,
)


def child_env(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _SCRUB}
    env.update(values)
    return env


def run_cli(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dxconnector", *args], env=child_env(**env), capture_output=True, text=True, timeout=timeout
    )
