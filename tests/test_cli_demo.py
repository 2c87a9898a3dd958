"""`dxconnector demo`, run for real: its portal answers, /healthz turns ok, its worker sends email, Ctrl-C stops it."""

from __future__ import annotations

import http.cookiejar
import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from dxconnector.local import free_port, free_port_base
from tests.clirun import child_env, run_cli


class Browserless:
    """A cookie-keeping HTTP client that submits the portal's forms with their CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def submit(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        _, _, page = self.get(path)
        return self.submit_form(page, path, fields)

    def submit_form(self, page: str, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        """POST to `path` with the CSRF token of a page already fetched."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode()


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def healthy(base: str):
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
            return json.load(response)["status"] == "ok"
    except (OSError, ValueError):
        return False


@pytest.fixture
def demo(tmp_path: Path):
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dxconnector",
                "demo",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path / "data"),
                "--sandbox-port-base",
                str(free_port_base()),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=child_env(PYTHONUNBUFFERED="1"),
        )
    yield process, f"http://127.0.0.1:{port}", log
    if process.poll() is None:
        process.kill()
        process.wait()


def test_the_demo_serves_the_portal_runs_jobs_and_stops_cleanly(demo):
    process, base, log = demo
    started = time.monotonic()
    wait_for(lambda: healthy(base), 60, "/healthz to say ok")
    print(f"/healthz ok {time.monotonic() - started:.1f}s after start")

    login = re.search(r"Log in:\s+(\S+) / (\S+)", log.read_text())
    assert login, log.read_text()
    client = Browserless(base)
    _, landed, page = client.submit("/login/", {"username": login.group(1), "password": login.group(2)})
    assert landed.endswith("/home/") and "Create a New Connection" in page

    # The demo's connector is pointed at its own Xero sandbox: "Connect to Xero" lands on its sign-in page.
    _, connection_page, page = client.submit_form(page, "/connections/new/", {"kind": "dynamics_xero"})
    assert re.search(r"/connections/[0-9a-f-]{36}/$", connection_page), connection_page
    _, landed, page = client.submit_form(page, connection_page.removeprefix(base) + "xero/connect/", {})
    assert "/identity/connect/authorize?" in landed and "Log in to Xero" in page

    visitor = Browserless(base)
    _, landed, _ = visitor.submit(
        "/register/", {"name": "Eve Evans", "company": "Epsilon", "email": "eve@example.org", "accept_terms": "on"}
    )
    assert landed.endswith("/register/sent/")
    link = wait_for(
        lambda: re.search(r"http://127\.0\.0\.1:\d+/register/complete/[\w-]+/", log.read_text()),
        30,
        "the worker to send the email",
    )
    status, _, page = visitor.get(link.group(0).removeprefix(base))
    assert status == 200 and "Set your password" in page

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    assert "Stopped." in log.read_text()
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/healthz", timeout=2)


IMPORTS = """
import sys
import dxconnector.cli, dxconnector.local
print(sorted(name for name in sys.modules if name.split(".")[0] in ("bench", "dxsandbox", "django")
             or name.startswith(("dxconnector.portal", "dxconnector.sync"))))
"""


def test_the_command_and_its_local_helpers_load_no_benchmark_sandbox_portal_or_sync():
    """The helpers `demo`, the benchmarks and the tests share stand alone: the benchmarks import them, not the
    other way round, and the sandbox (an optional extra), Django, the portal and the sync load only when a step
    needs them."""
    ran = subprocess.run([sys.executable, "-c", IMPORTS], capture_output=True, text=True, env=child_env(), check=False)
    assert (ran.returncode, ran.stdout.strip()) == (0, "[]"), ran.stderr


def test_the_demo_refuses_to_run_with_debug_off_and_writes_nothing(tmp_path: Path):
    ran = run_cli("demo", "--data-dir", str(tmp_path / "demo"), DEBUG="false")
    assert ran.returncode == 2
    assert ran.stderr == (
        "dxconnector demo: DEBUG is 'false' in this environment, and the demo runs only in development mode, never as a "
        "deployment: unset DEBUG (or run `dxconnector demo --fresh-env`, which ignores the environment).\n"
    )
    assert not (tmp_path / "demo").exists()


def test_the_demo_refuses_a_database_url_not_its_own_and_leaves_that_database_alone(tmp_path: Path):
    deployment = tmp_path / "deployment.sqlite3"
    ran = run_cli("demo", "--data-dir", str(tmp_path / "demo"), DEBUG="true", DATABASE_URL=f"sqlite:///{deployment}")
    assert ran.returncode == 2
    assert ran.stderr.startswith(
        f"dxconnector demo: DATABASE_URL is set in this environment, and the demo keeps its own database in {tmp_path / 'demo'} "
        "and uses no other: unset DATABASE_URL"
    ), ran.stderr
    assert not deployment.exists() and not (tmp_path / "demo").exists()
