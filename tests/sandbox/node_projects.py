"""Node programs the sandbox tests drive (third-party npm clients), each a committed package.json and
package-lock.json beside its scripts, installed with `npm ci` into a folder of the test's: nothing is written into
the repository, and the versions are the lock's.

Without node and npm the tests skip (on CI they fail: CI must install them); an npm registry out of reach skips too,
saying so, but a failed install for any other reason fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

INSTALL_SECONDS = 300
# npm's codes for a registry it could not reach (DNS, refused or cut connections, timeouts)
UNREACHABLE = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENETUNREACH", "EHOSTUNREACH")


def require_node(client: str) -> None:
    """Skip (fail on CI) unless node and npm are on the PATH; `client` names what they are needed for."""
    if shutil.which("node") and shutil.which("npm"):
        return
    if os.environ.get("CI"):
        pytest.fail("node or npm is missing: CI must install Debian's nodejs and npm (make test runs scripts/ensure-node)")
    pytest.skip(f"node and npm are needed to run {client}: make node (apt-get install nodejs npm)")


def installed_node_project(source: Path, files: Iterable[str], into: Path, client: str) -> Path:
    """`files` of the node project in `source` (with its package.json and package-lock.json) copied into `into`,
    and its dependencies installed there from the lock (`npm ci`)."""
    require_node(client)
    into.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", *files):
        shutil.copy(source / name, into / name)
    installed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=into,
        capture_output=True,
        text=True,
        timeout=INSTALL_SECONDS,
    )
    output = installed.stdout + installed.stderr
    if installed.returncode != 0 and any(code in output for code in UNREACHABLE) and not os.environ.get("CI"):
        pytest.skip(f"the npm registry could not be reached to install {client}:\n{output[-1000:]}")
    assert installed.returncode == 0, output
    return into
