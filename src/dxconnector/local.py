"""Running the connector locally: its child processes (web server, workers, the sandbox), the environment that
points it at a sandbox, free ports. Shared by `dxconnector demo` and `serve`, the benchmarks and the tests.

Imports nothing of the portal or the sync, and nothing of the sandbox (an optional extra) at import time: the
steps that need Django (set up first) or the sandbox import them inside.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

SETTINGS_MODULE = "dxconnector.config.settings"
DEMO_EMAIL = "demo@example.com"
SANDBOX_PORTS = 20  # the sandbox's hosts take port_base … port_base + 19


# --- Django -------------------------------------------------------------------------------------------------


def setup_django() -> None:
    """Django with the connector's settings (unless DJANGO_SETTINGS_MODULE names others)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()
    _ensure_sqlite_folder()


def _ensure_sqlite_folder() -> None:
    """Embedded default: the SQLite file's folder is made on first use."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and str(database["NAME"]) != ":memory:":
        Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def ensure_demo_user(password: str) -> None:
    from dxconnector.portal.models import User

    user, _ = User.objects.get_or_create(email=DEMO_EMAIL, defaults={"name": "Demo Admin", "company": "Demo Company Ltd"})
    user.is_active = True
    user.set_password(password)
    user.save()


# --- processes ----------------------------------------------------------------------------------------------


def _child(*args: str, module: str = "dxconnector") -> subprocess.Popen:
    # Own session: Ctrl-C reaches only the supervisor, which then stops each child exactly once.
    return subprocess.Popen([sys.executable, "-m", module, *args], start_new_session=True)


def supervise(children: dict[str, subprocess.Popen]) -> int:
    """Wait until Ctrl-C (or SIGTERM) or until a child dies; then stop them all, politely first."""
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with code {child.returncode}; stopping.", file=sys.stderr)
                exit_code = child.returncode or 1
                stopping = True
        time.sleep(0.2)
    stop_children(children)
    print("Stopped.")
    return exit_code


def stop_children(children: dict[str, subprocess.Popen], timeout: float = 10) -> None:
    """SIGTERM to each child still running, then SIGKILL to those not gone within `timeout` seconds."""
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def portal_children(port: int) -> dict[str, subprocess.Popen]:
    """The portal's web server on 127.0.0.1:`port` and one worker, as `demo` runs them."""
    return {"web": _child("web", "--host", "127.0.0.1", "--port", str(port)), "worker": _child("worker")}


def serve_children(host: str, port: int, workers: int) -> dict[str, subprocess.Popen]:
    """The web server on `host`:`port` and `workers` job workers, as `serve` runs them."""
    children = {"web": _child("web", "--host", host, "--port", str(port))}
    for index in range(workers):
        children[f"worker-{index + 1}"] = _child("worker")
    return children


# --- ports --------------------------------------------------------------------------------------------------


def free_port_base(count: int = SANDBOX_PORTS) -> int:
    """A run of `count` consecutive free loopback ports (by default as many as the sandbox's hosts take), below
    the kernel's ephemeral range so that outgoing connections made meanwhile cannot take them."""
    from dxsandbox import steering

    return steering.free_port_base(count)


def free_port() -> int:
    """One free loopback port, e.g. for a portal's web server."""
    return free_port_base(1)


# --- the environment ----------------------------------------------------------------------------------------


def demo_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'dxconnector.sqlite3'}"


def demo_refusals(environ: Mapping[str, str], data_dir: Path) -> list[str]:
    """Why the demo must not run with these settings from the environment: it never touches a real deployment, so it
    runs only in development mode and only on its own database, in its data folder. Nothing is written before."""
    from dxconnector.config.env import Env

    env = Env(environ)
    refusals = []
    if not env.bool("DEBUG", True) or env.problems:
        refusals.append(
            f"DEBUG is {environ.get('DEBUG', '').strip()!r} in this environment, and the demo runs only in development mode, "
            "never as a deployment: unset DEBUG (or run `dxconnector demo --fresh-env`, which ignores the environment)."
        )
    database_url = env.str("DATABASE_URL", "")
    if database_url and database_url != demo_database_url(data_dir):
        refusals.append(
            f"DATABASE_URL is set in this environment, and the demo keeps its own database in {data_dir} and uses no "
            "other: unset DATABASE_URL (or run `dxconnector demo --fresh-env`, which ignores the environment)."
        )
    return refusals


def demo_environment(data_dir: Path, port: int) -> dict[str, str]:
    """Embedded defaults for a local demo; secrets are made once and kept in the data folder."""
    data_dir.mkdir(parents=True, exist_ok=True)
    secrets_file = data_dir / "demo-secrets.json"
    if secrets_file.exists():
        kept = json.loads(secrets_file.read_text())
    else:
        kept = {
            "secret_key": secrets.token_urlsafe(48),
            "encryption_key": Fernet.generate_key().decode(),
            "demo_password": "demo-" + secrets.token_urlsafe(9),
        }
        secrets_file.write_text(json.dumps(kept, indent=2))
        secrets_file.chmod(0o600)
    return {
        "DEBUG": "true",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": demo_database_url(data_dir),
        "SECRET_KEY": kept["secret_key"],
        "ENCRYPTION_KEYS": kept["encryption_key"],
        "EMAIL_URL": "console://",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "DEMO_PASSWORD": kept["demo_password"],
    }


# --- the sandbox --------------------------------------------------------------------------------------------


def start_sandbox_child(state_dir: Path, port_base: int, *options: str, timeout: float = 30) -> tuple[subprocess.Popen, dict]:
    """Start the sandbox's own command, `python -m dxsandbox` (with `options` such as `--limits off`), and wait
    for its sandbox.json (written once every host listens)."""
    manifest_path = state_dir / "sandbox.json"
    manifest_path.unlink(missing_ok=True)
    child = _child("--port-base", str(port_base), "--state-dir", str(state_dir), *options, module="dxsandbox")
    deadline = time.monotonic() + timeout
    while not manifest_path.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            raise SystemExit(f"The sandbox did not start (ports {port_base}+ taken?). Try --sandbox-port-base.")
        time.sleep(0.1)
    return child, json.loads(manifest_path.read_text())


def sandbox_environment(manifest: dict) -> dict[str, str]:
    """Point the connector at the sandbox exactly as an operator points it at the real services."""
    xero = manifest["xero"]
    app = next(app for app in xero["apps"] if app["kind"] == "web")
    return {
        "XERO_CLIENT_ID": app["client_id"],
        "XERO_CLIENT_SECRET": app["client_secret"],
        "XERO_WEBHOOK_KEY": app["webhook_key"],
        "XERO_AUTHORIZE_URL": xero["authorize_url"],
        "XERO_TOKEN_URL": xero["token_url"],
        "XERO_REVOCATION_URL": xero["revocation_url"],
        "XERO_CONNECTIONS_URL": xero["connections_url"],
        "XERO_API_URL": xero["api_url"],
        "XERO_APP_URL": xero["app_url"],  # its small Xero app, over plain http on this machine, for links to invoices
        "CA_BUNDLE": manifest["ca_file"],
        **_microsoft_environment(manifest.get("microsoft")),
    }


def _microsoft_environment(microsoft: dict | None) -> dict[str, str]:
    if not microsoft:
        return {}
    app = next(app for app in microsoft["apps"] if app["kind"] == "web")
    return {
        "DYNAMICS_CLIENT_ID": app["client_id"],
        "DYNAMICS_CLIENT_SECRET": app["client_secret"],
        "DYNAMICS_AUTHORITY": microsoft["authority"],
        "DYNAMICS_DISCOVERY_URL": microsoft["discovery_resource"],
        "DYNAMICS_DISCOVERY_SCOPE": microsoft["discovery_resource"] + "/user_impersonation",
        # Links to records open its small Dynamics app, over plain http on this machine (its API host's certificate
        # comes from the sandbox's own CA, which the browser does not trust).
        "DYNAMICS_RECORD_URL": microsoft["app_url"] + "/orgs/{org}/{table}s/{id}",
        # The emulated organisations live on 127.0.0.1, not on a Dataverse host: the connector is told to trust them.
        "DATAVERSE_EXTRA_HOSTS": ",".join(urlsplit(org["url"]).netloc for org in microsoft["organisations"]),
    }


def subscribe_to_sandbox_webhooks(manifest: dict, base_url: str) -> None:
    """Register the demo portal as the sandbox Xero app's webhook, as an admin does at developer.xero.com."""
    from dxsandbox import steering

    app = next(app for app in manifest["xero"]["apps"] if app["kind"] == "web")
    steering.control(
        manifest, manifest["xero"]["control_url"], "PUT", f"/webhooks/{app['client_id']}", {"url": f"{base_url}/webhooks/xero/"}
    )
