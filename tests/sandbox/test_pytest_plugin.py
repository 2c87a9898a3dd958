"""The sandbox's pytest plugin, used as an outsider uses it: a pytest run of its own, in a folder outside this
repository (no conftest of ours), with the plugin loaded by name (`-p`; an install of the `dxsandbox` distribution
loads it by its `pytest11` entry point, tests/sandbox/test_standalone_install.py checks that)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.clirun import child_env

OUTSIDERS_TESTS = """
import json
import ssl
import urllib.request
from pathlib import Path

SEEN = Path(__file__).parent / "seen.jsonl"


def remember(dx_sandbox):
    with SEEN.open("a") as seen:
        seen.write(json.dumps({"pid": dx_sandbox.manifest["pid"], "state_dir": str(dx_sandbox.state_dir)}) + "\\n")


def test_the_manifest_names_hosts_ca_users_apps_and_tenants(dx_sandbox):
    remember(dx_sandbox)
    assert dx_sandbox.manifest["limits"] == "off" and dx_sandbox.manifest["time_scale"] == 60
    assert Path(dx_sandbox.ca_file).read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert dx_sandbox.xero["users"][0]["password"] and dx_sandbox.xero["organisations"]
    assert dx_sandbox.xero_app("web")["client_secret"]
    assert dx_sandbox.microsoft["tenants"] and dx_sandbox.microsoft["organisations"][0]["url"].startswith("https://")


def test_its_https_hosts_answer_to_a_client_that_trusts_its_ca(dx_sandbox):
    remember(dx_sandbox)
    tls = ssl.create_default_context(cafile=dx_sandbox.ca_file)
    with urllib.request.urlopen(dx_sandbox.xero["openid_configuration_url"], context=tls) as answer:
        assert json.load(answer)["issuer"] == dx_sandbox.url("xero-identity")


def test_a_test_without_the_fixture_runs_beside_it():
    assert True
"""


def run_pytest(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "dxsandbox.pytest_plugin", "-p", "no:cacheprovider", *args],
        cwd=directory,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_project(directory: Path, tests: str, ini_args: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "test_outsider.py").write_text(tests)
    options = f"dx_sandbox_args = {ini_args}\n" if ini_args else ""
    (directory / "pytest.ini").write_text(f"[pytest]\n{options}")
    return directory


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_one_sandbox_serves_the_whole_session_and_is_stopped_at_its_end(tmp_path):
    project = write_project(tmp_path / "outsider", OUTSIDERS_TESTS, ini_args="--limits off --time-scale 60")
    run = run_pytest(project, "-q")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout
    seen = [json.loads(line) for line in (project / "seen.jsonl").read_text().splitlines()]
    assert len(seen) == 2 and seen[0] == seen[1], "both tests were handed the same running sandbox"
    assert not alive(seen[0]["pid"]), "the sandbox still runs after the session"
    assert Path(seen[0]["state_dir"], "sandbox.json").exists()


def test_a_session_that_never_asks_for_the_fixture_starts_no_sandbox(tmp_path):
    project = write_project(tmp_path / "outsider", "def test_nothing_asked():\n    assert True\n")
    basetemp = tmp_path / "basetemp"
    run = run_pytest(project, "-q", f"--basetemp={basetemp}")
    assert run.returncode == 0, run.stdout + run.stderr
    assert not list(basetemp.glob("dx-sandbox*")), "a sandbox folder was made though no test asked for one"


def test_the_fixture_is_listed_with_what_it_hands_over(tmp_path):
    project = write_project(tmp_path / "outsider", "")
    run = run_pytest(project, "--fixtures")
    listing = run.stdout
    assert "dx_sandbox [session scope]" in listing
    assert "A running sandbox (Xero and Microsoft/Dataverse over HTTPS with its own CA)" in listing


def test_a_sandbox_that_cannot_start_fails_the_tests_that_need_it_with_its_output(tmp_path):
    project = write_project(tmp_path / "outsider", "def test_needs_it(dx_sandbox):\n    pass\n", ini_args="--limits sometimes")
    run = run_pytest(project, "-q")
    assert run.returncode == 1
    assert "the sandbox did not start" in run.stdout and "invalid choice: 'sometimes'" in run.stdout
