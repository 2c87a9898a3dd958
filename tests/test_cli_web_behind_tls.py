"""`dxconnector web`, run for real with DEBUG off behind nginx terminating TLS, configured by docs/operating.md's own
nginx example: the portal answers over HTTPS without redirecting to itself, with HSTS and Secure cookies; a user
logs in; the log-in lockout counts each client's address, as nginx forwards it, apart; a body over
MAX_REQUEST_BYTES is refused by the web server. Without a trusted proxy, no client can choose its own address or
scheme with forwarding headers."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from dxconnector.local import free_port
from dxsandbox.common.tls import issue_server_certificate
from tests.clirun import child_env, run_cli

NGINX = os.environ.get("NGINX_PATH") or shutil.which("nginx") or "/usr/sbin/nginx"
OPERATING_DOC = Path(__file__).resolve().parents[1] / "docs" / "operating.md"
ALICE, BOB, CAROL = "alice@example.org", "bob@example.org", "carol@example.org"
PASSWORD = "a-long-password-for-the-tests"
MAX_REQUEST_BYTES = 65536
FAILURE_LIMIT = 3


# --- the processes -------------------------------------------------------------------------------------------------


def wait_until_listening(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[:4]} exited with code {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    pytest.fail(f"nothing listened on port {port} within {timeout}s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Web:
    """A running `dxconnector web` and its log (stdout and stderr)."""

    port: int
    log: Path

    def log_text(self) -> str:
        """The log as an operator reads it: a JSON line (LOG_FORMAT=json, the default with DEBUG off) by its message."""
        return "\n".join(_said(line) for line in self.log.read_text().splitlines())


def _said(line: str) -> str:
    try:
        found = json.loads(line)
    except ValueError:
        return line
    return "\n".join(str(found[field]) for field in ("message", "exc_info") if field in found)


@contextlib.contextmanager
def web(directory: Path, name: str, env: dict[str, str], port: int | None = None) -> Iterator[Web]:
    port = port or free_port()
    log = directory / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "dxconnector", "web", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=child_env(PYTHONUNBUFFERED="1", **env),
        )
    try:
        wait_until_listening(port, process, log)
        yield Web(port, log)
    finally:
        stop(process)


def nginx_site(https_port: int, http_port: int, app_port: int, certificate) -> str:
    """docs/operating.md's nginx example with this test's ports and certificate in place of the example's."""
    example = re.search(r"```nginx\n(.*?)```", OPERATING_DOC.read_text(), re.DOTALL)
    assert example, "docs/operating.md has no nginx example"
    site = example.group(1)
    for old, new in {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "/etc/letsencrypt/live/connector.example.com/fullchain.pem": str(certificate.cert_file),
        "/etc/letsencrypt/live/connector.example.com/privkey.pem": str(certificate.key_file),
        "proxy_pass http://127.0.0.1:8000;": f"proxy_pass http://127.0.0.1:{app_port};",
    }.items():
        assert site.count(old) == 1, f"docs/operating.md's nginx example no longer has {old!r} once"
        site = site.replace(old, new)
    return site


@contextlib.contextmanager
def nginx(directory: Path, site: str, https_port: int) -> Iterator[Path]:
    """nginx in the foreground with `site` as its only site, its files all under `directory`; yields its log."""
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / temp).mkdir(parents=True, exist_ok=True)
    log = directory / "error.log"
    config = directory / "nginx.conf"
    config.write_text(
        # As root, nginx's workers would otherwise drop to a user that cannot write this test's folders.
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {directory / 'nginx.pid'};\n"
        + f"error_log {log} info;\n"
        + "worker_processes 1;\n"
        + "events { worker_connections 64; }\n"
        + "http {\n"
        + f"    access_log {directory / 'access.log'};\n"
        + "".join(f"    {temp}_temp_path {directory / temp};\n" for temp in ("proxy", "fastcgi", "uwsgi", "scgi"))
        + f"    client_body_temp_path {directory / 'body'};\n"
        + site
        + "}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(directory), "-c", str(config), "-e", str(log), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_listening(https_port, process, log)
        yield log
    finally:
        stop(process)


# --- the deployment ------------------------------------------------------------------------------------------------


@dataclass
class Deployment:
    https: str  # nginx's URL
    web: Web
    database: Path
    tls: ssl.SSLContext  # trusts the test's CA

    def client(self, source: str = "127.0.0.1") -> httpx.Client:
        """An HTTPS client connecting to nginx from `source`, one of the loopback addresses (127.0.0.0/8): as far as
        nginx can tell, a client of its own at that address."""
        transport = httpx.HTTPTransport(verify=self.tls, local_address=source)
        return httpx.Client(base_url=self.https, transport=transport, timeout=10)


def log_in(client: httpx.Client, email: str, password: str, **headers: str) -> httpx.Response:
    """Open the log-in page and submit it, as a browser does (its CSRF cookie and token, and the Referer)."""
    page = client.get("/login/")
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/login/",
        data={"csrfmiddlewaretoken": token, "username": email, "password": password},
        headers={"Referer": str(client.base_url.join("/login/")), **headers},
    )


def failed_log_ins(database: Path, email: str) -> dict[str, int]:
    """The lockout's count of failures for `email`, by the address it saw them come from."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        rows = db.execute("SELECT ip_address, failures_since_start FROM axes_accessattempt WHERE username = ?", (email,))
        return dict(rows.fetchall())


@pytest.fixture(scope="module")
def nginx_installed():
    if not Path(NGINX).is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{NGINX} is missing: CI must install Debian's nginx (make test runs scripts/ensure-nginx)")
        pytest.skip(f"{NGINX} not found: install Debian's nginx (make nginx, or apt-get install nginx) or set NGINX_PATH")


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A production configuration (DEBUG off) on a SQLite database this test can read, migrated, with three users
    made by the operator's own command."""
    directory = tmp_path_factory.mktemp("behind-tls")
    database = directory / "dxconnector.sqlite3"
    env = {
        "SECRET_KEY": "a-production-secret-key-of-sufficient-length",
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "EMAIL_URL": "console://",
        "DATA_DIR": str(directory),
        "DATABASE_URL": f"sqlite:///{database}",
        "BASE_URL": "https://127.0.0.1",
        "LOGIN_FAILURE_LIMIT": str(FAILURE_LIMIT),
        "LOGIN_ADDRESS_FAILURE_LIMIT": str(FAILURE_LIMIT),
    }
    migrated = run_cli("manage", "migrate", "--noinput", timeout=120, **env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    for email, name in ((ALICE, "Alice Adams"), (BOB, "Bob Brown"), (CAROL, "Carol Clark")):
        made = run_cli(
            "manage",
            "createsuperuser",
            "--noinput",
            DJANGO_SUPERUSER_EMAIL=email,
            DJANGO_SUPERUSER_NAME=name,
            DJANGO_SUPERUSER_PASSWORD=PASSWORD,
            **env,
        )
        assert made.returncode == 0, made.stdout + made.stderr
    return directory, env


@pytest.fixture(scope="module")
def deployment(nginx_installed, production) -> Iterator[Deployment]:
    """`dxconnector web` with BEHIND_TLS_PROXY=true, behind nginx terminating TLS with a certificate made for the test."""
    directory, env = production
    https_port, http_port, app_port = free_port(), free_port(), free_port()
    certificate = issue_server_certificate(directory / "tls")
    env = {
        **env,
        "BASE_URL": f"https://127.0.0.1:{https_port}",
        "BEHIND_TLS_PROXY": "true",
        "MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES),
    }
    site = nginx_site(https_port, http_port, app_port, certificate)
    with web(directory, "web", env, app_port) as running, nginx(directory / "nginx", site, https_port):
        yield Deployment(
            https=f"https://127.0.0.1:{https_port}",
            web=running,
            database=Path(env["DATABASE_URL"].removeprefix("sqlite:///")),
            tls=ssl.create_default_context(cafile=str(certificate.ca_file)),
        )


# --- behind nginx --------------------------------------------------------------------------------------------------


def test_it_answers_the_login_page_over_https_with_hsts_and_secure_cookies(deployment):
    with deployment.client() as client:
        response = client.get("/login/")
    assert response.status_code == 200, (response.headers, deployment.web.log_text())
    assert "Log in" in response.text
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    cookies = response.headers.get_list("set-cookie")
    assert [cookie.split("=")[0] for cookie in cookies] == ["csrftoken"]
    assert all("; Secure" in cookie for cookie in cookies), cookies


def test_it_logs_a_user_in_through_the_proxy(deployment):
    with deployment.client() as client:
        response = log_in(client, ALICE, PASSWORD)
        assert (response.status_code, response.headers.get("location")) == (302, "/home/"), response.text
        session = [cookie for cookie in response.headers.get_list("set-cookie") if cookie.startswith("sessionid=")]
        assert len(session) == 1 and "; Secure" in session[0] and "; HttpOnly" in session[0], session
        home = client.get("/home/")
    assert home.status_code == 200 and "Create a New Connection" in home.text


def test_it_counts_failed_log_ins_per_client_address_as_nginx_forwards_it(deployment):
    """The per-address lock-out (LOGIN_ADDRESS_FAILURE_LIMIT) sees each client's address, not nginx's one: a client
    guessing at several emails is locked out, even for another account's right password; another client is not."""
    guesses = [f"guess{n}@example.org" for n in range(FAILURE_LIMIT)]
    with deployment.client("127.0.0.2") as first:
        answers = [log_in(first, email, "not-the-password").status_code for email in guesses]
        assert answers == [200] * (FAILURE_LIMIT - 1) + [429]
        assert [failed_log_ins(deployment.database, email) for email in guesses] == [{"127.0.0.2": 1}] * FAILURE_LIMIT
        assert log_in(first, BOB, PASSWORD).status_code == 429  # this address is locked out, whatever the account
    with deployment.client("127.0.0.3") as second:
        response = log_in(second, BOB, PASSWORD)
        assert (response.status_code, response.headers.get("location")) == (302, "/home/")
    assert 'AXES: Locking out {username: "********************", ip_address: "127.0.0.2"' in deployment.web.log_text()


def test_a_client_cannot_choose_its_address_through_the_proxy(deployment):
    """nginx adds the address it sees to the X-Forwarded-For the client sent; the web server believes only that."""
    with deployment.client("127.0.0.4") as client:
        response = log_in(client, ALICE, "not-the-password", **{"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 200
    assert failed_log_ins(deployment.database, ALICE) == {"127.0.0.4": 1}


def test_it_refuses_a_body_over_max_request_bytes_before_it_reaches_the_app(deployment):
    with deployment.client() as client:
        too_big = client.post("/login/", content=b"x" * (MAX_REQUEST_BYTES + 1))
        largest = client.post("/login/", content=b"x" * MAX_REQUEST_BYTES)
    assert too_big.status_code == 413
    # The web server's own answer (waitress, as `ident` names it), not nginx's nor Django's.
    assert too_big.text.endswith(f"exceeds max_body of {MAX_REQUEST_BYTES + 1}\r\n\r\n(generated by dxconnector)")
    assert largest.status_code == 403  # taken, and refused by Django: no CSRF token
    assert "CSRF" in largest.text


# --- with no proxy trusted -----------------------------------------------------------------------------------------


def test_with_no_proxy_trusted_a_client_cannot_choose_its_address(production):
    """In development mode (so that a log-in works over plain HTTP), straight to the web server: however the client
    varies X-Forwarded-For, the lockout counts its own address, and locks it out."""
    directory, env = production
    port = free_port()
    env = {**env, "DEBUG": "true", "BASE_URL": f"http://127.0.0.1:{port}"}
    with web(directory, "web-debug", env, port) as running:
        transport = httpx.HTTPTransport(local_address="127.0.0.5")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", transport=transport, timeout=10) as client:
            answers = [
                log_in(client, CAROL, "not-the-password", **{"X-Forwarded-For": f"198.51.100.{n}"}).status_code
                for n in range(1, FAILURE_LIMIT + 1)
            ]
        log = running.log_text()
    assert answers == [200] * (FAILURE_LIMIT - 1) + [429]
    assert failed_log_ins(directory / "dxconnector.sqlite3", CAROL) == {"127.0.0.5": FAILURE_LIMIT}
    assert 'AXES: Locking out {username: "********************", ip_address: "127.0.0.5"' in log
    assert "198.51.100." not in log


def test_with_no_proxy_trusted_it_ignores_a_forwarded_scheme_and_warns_once(production):
    """The deployment the issue describes: DEBUG off, no proxy trusted. A request claiming to have come over HTTPS
    is still plain HTTP to the app, which redirects it to HTTPS; the log says why, once."""
    directory, env = production
    port = free_port()
    env = {**env, "BASE_URL": f"https://127.0.0.1:{port}"}
    with web(directory, "web-untrusting", env, port) as running:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
            answers = [client.get("/login/", headers=headers) for _ in range(2)]
        log = running.log_text()
    assert [(answer.status_code, answer.headers["location"]) for answer in answers] == [
        (301, f"https://127.0.0.1:{port}/login/")
    ] * 2
    assert "strict-transport-security" not in answers[0].headers
    assert "No proxy is trusted (BEHIND_TLS_PROXY, TRUSTED_PROXIES) and DEBUG is off" in log
    assert log.count("Ignored the forwarding headers (X-Forwarded-For, X-Forwarded-Proto) of 127.0.0.1") == 1, log
