"""The sandbox as an outsider gets it: a fresh virtualenv outside the repository, the `dxsandbox` distribution
(packaging/sandbox) installed alone, started with one command, and the official Xero Node SDK (xero-node) signing in
to it; then the pytest plugin found by its entry point in that virtualenv.

The distribution is built from a copy of its files (packaging/sandbox and src/dxsandbox, in the same layout) so that
the build writes nothing into the repository and never packs a file a previous build left behind. Its
dependencies come from the package registry, xero-node from npm's (`npm ci` against tests/sandbox/node's lock).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dxsandbox.consent import xero_consent
from tests.sandbox.node_projects import installed_node_project

REPO = Path(__file__).resolve().parents[2]
NODE_PROJECT = Path(__file__).resolve().parent / "node"
SDK_SECONDS = 60


@dataclass
class FreshVenv:
    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def env(self, **values: str) -> dict[str, str]:
        """The environment of a process run from this venv alone: none of the repository's paths or settings."""
        keep = ("PATH", "HOME", "LANG", "TMPDIR", "PIP_CERT", "PIP_FIND_LINKS", "PIP_DEFAULT_TIMEOUT", "SSL_CERT_FILE")
        env = {key: os.environ[key] for key in keep if key in os.environ}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return {**env, "VIRTUAL_ENV": str(self.root), "PYTHONUNBUFFERED": "1", **values}

    def run(self, *command: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(part) for part in command], cwd=cwd, env=self.env(), capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
        return done


def copy_of_the_distribution(into: Path) -> Path:
    """packaging/sandbox and src/dxsandbox copied side by side as in the repository (its pyproject points at ../../src)."""
    shutil.copytree(
        REPO / "packaging" / "sandbox", into / "packaging" / "sandbox", ignore=shutil.ignore_patterns("build", "*.egg-info")
    )
    shutil.copytree(REPO / "src" / "dxsandbox", into / "src" / "dxsandbox", ignore=shutil.ignore_patterns("__pycache__"))
    return into / "packaging" / "sandbox"


@pytest.fixture(scope="module")
def outsider(tmp_path_factory) -> FreshVenv:
    """A fresh virtualenv, outside the repository, with the sandbox distribution (and pytest) installed in it."""
    place = tmp_path_factory.mktemp("outsider")
    venv = FreshVenv(place / "venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv.root)], check=True, timeout=120)
    distribution = copy_of_the_distribution(place / "checkout")
    venv.run(venv.bin / "python", "-m", "pip", "install", "--quiet", distribution, "pytest", cwd=place)
    return venv


@dataclass
class StartedSandbox:
    process: subprocess.Popen[str]
    manifest: dict


@pytest.fixture
def started(outsider, tmp_path) -> Iterator[StartedSandbox]:
    """The one command: `dxsandbox`, on free ports, with its state (and sandbox.json) in a folder of the test's."""
    state = tmp_path / "state"
    log = (tmp_path / "sandbox.log").open("w")
    process = subprocess.Popen(
        [str(outsider.bin / "dxsandbox"), "--port-base", "0", "--state-dir", str(state), "--limits", "off"],
        cwd=tmp_path,
        env=outsider.env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (state / "sandbox.json").exists():
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "sandbox.log").read_text()
            time.sleep(0.05)
        yield StartedSandbox(process, json.loads((state / "sandbox.json").read_text()))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_the_sandbox_installs_alone_without_the_connector(outsider, tmp_path):
    probe = "import importlib.util as u, dxsandbox; print(u.find_spec('dxconnector') is None, dxsandbox.__file__)"
    answer = outsider.run(outsider.bin / "python", "-c", probe, cwd=tmp_path).stdout.split()
    assert answer[0] == "True", "the connector came along"
    assert Path(answer[1]).is_relative_to(outsider.root), "dxsandbox was imported from elsewhere than the venv"
    assert "starlette" in outsider.run(outsider.bin / "python", "-m", "pip", "list", cwd=tmp_path).stdout


@pytest.fixture(scope="module")
def xero_node(tmp_path_factory) -> Path:
    """tests/sandbox/node in a folder of its own, with xero-node installed from its lock (`npm ci`)."""
    into = tmp_path_factory.mktemp("xero-node")
    return installed_node_project(NODE_PROJECT, ("sign-in.js", "sandbox-hosts.js"), into, "the official Xero Node SDK")


def test_the_official_xero_node_sdk_signs_in_to_the_started_sandbox(xero_node, started):
    manifest = started.manifest
    env = {
        **os.environ,
        "SANDBOX_MANIFEST": str(Path(manifest["state_dir"]) / "sandbox.json"),
        "NODE_EXTRA_CA_CERTS": manifest["ca_file"],
    }
    node = subprocess.Popen(
        ["node", "sign-in.js"],
        cwd=xero_node,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(SDK_SECONDS, node.kill)
    watchdog.start()
    try:
        first = node.stdout.readline()
        assert first, f"the SDK printed no consent URL:\n{node.stderr.read()}"
        consent_url = json.loads(first)["consent_url"]
        assert consent_url.startswith(manifest["xero"]["authorize_url"] + "?"), "discovery did not give the sandbox's pages"
        user = manifest["xero"]["users"][0]
        callback = xero_consent(manifest["hosts"]["xero-login"], consent_url, user, tenants=2)
        out, err = node.communicate(callback + "\n", timeout=SDK_SECONDS)
    finally:
        watchdog.cancel()
    assert node.returncode == 0, f"{out}\n{err}"
    result = json.loads(out.strip().splitlines()[-1])

    organisations = {org["tenant_id"]: org["name"] for org in manifest["xero"]["organisations"]}
    chosen = user["organisations"][:2]
    assert result["issuer"] == manifest["hosts"]["xero-identity"]
    assert result["id_token_email"] == user["email"]
    assert result["id_token_audience"] == manifest["xero"]["apps"][0]["client_id"]
    assert "offline_access" in result["scope"].split()
    assert sorted(tenant["id"] for tenant in result["tenants"]) == sorted(chosen)
    assert all(tenant["organisation"] == organisations[tenant["id"]] for tenant in result["tenants"])
    assert result["refreshed"] and result["refresh_token_rotated"]
    assert result["organisation_status"] == 200
    assert result["organisation"] in {organisations[tenant] for tenant in chosen}


OUTSIDERS_TEST = """
import ssl, urllib.request

def test_the_plugin_hands_over_a_running_sandbox(dx_sandbox):
    tls = ssl.create_default_context(cafile=dx_sandbox.ca_file)
    with urllib.request.urlopen(dx_sandbox.xero["openid_configuration_url"], context=tls) as answer:
        assert answer.status == 200
    assert dx_sandbox.xero["users"] and dx_sandbox.microsoft["users"]
"""


def test_the_installed_pytest_plugin_is_found_by_its_entry_point(outsider, tmp_path):
    (tmp_path / "test_outsider.py").write_text(OUTSIDERS_TEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\ndx_sandbox_args = --limits off\n")
    run = outsider.run(outsider.bin / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=tmp_path, timeout=120)
    assert "1 passed" in run.stdout
