"""One Xero budget per organisation and per app, shared by every process (connections/shared_limits.py), in the
database and in Redis.

The stores first, with threads standing for processes: what one caller takes, Xero's word on what is left and a 429's
Retry-After hold back the others; under load no window and no slot is ever over-granted. Then real processes against a
sandbox enforcing Xero's real limits on a clock 60× fast: two workers and the web process's onboarding calls on one
organisation at once trip none of its limits, nor the app's when it is lowered so that it binds — where each keeping
its own count trips them. And a process killed holding every slot of an organisation: the slots free themselves.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection, connections

from dxconnector.connections.models import SharedBudget
from dxconnector.connections.shared_limits import DatabaseSlotStore, FallingBack, RedisSlotStore
from dxconnector.local import sandbox_environment
from dxconnector.xero.limits import MINUTE, Limits, RateGovernor
from tests.clirun import child_env, run_cli
from tests.config.test_check_command import production_env
from tests.sandboxes import control, start_sandbox, xero_tokens

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]
SCALE = 60  # a Xero minute is a real second
APP_ID = "DXC0TESTAPP"


# --- the stores --------------------------------------------------------------------------------------------------------


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_prefix():
    """A Redis that answers (REDIS_URL, else this machine's, database 15), and a key prefix of this test's own."""
    client = redis.Redis.from_url(redis_url(), socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis answers at {redis_url()} ({error}): set REDIS_URL to test the Redis store")
    prefix = f"dxconnector-test:{uuid.uuid4().hex}:"
    yield prefix
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()


@pytest.fixture(params=["database", "redis"])
def kind(request):
    return request.param


@pytest.fixture
def make_store(kind, request):
    """Stores of `kind`, one per caller as each process makes its own, sharing what they keep."""
    if kind == "database":
        return DatabaseSlotStore
    prefix = request.getfixturevalue("redis_prefix")
    return lambda: RedisSlotStore.from_url(redis_url(), prefix)


class FakeTime:
    def __init__(self):
        self.now = time.time()
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def governor(store, tenant: str, fake: FakeTime | None = None, limits: Limits | None = None, scale: float = 1.0) -> RateGovernor:
    limits = limits or Limits()
    if fake is None:
        return RateGovernor(limits, scale, store=store, tenant_id=tenant, app_id=APP_ID)
    return RateGovernor(limits, scale, clock=fake.clock, sleep=fake.sleep, store=store, tenant_id=tenant, app_id=APP_ID)


def call(gov: RateGovernor, headers: dict[str, str] | None = None) -> None:
    with gov.slot() as slot:
        slot.heard(headers or {})


def test_calls_one_caller_made_count_against_another_callers_minute(make_store):
    fake, tenant = FakeTime(), f"org-{uuid.uuid4()}"
    worker, web = governor(make_store(), tenant, fake), governor(make_store(), tenant, fake)
    for _ in range(60):
        call(worker)
    assert fake.slept == []
    call(web)
    assert fake.slept == [pytest.approx(MINUTE + 1.25, abs=0.01)]  # a minute, and the margin for a call's travel


def test_what_xero_says_is_left_lowers_the_budget_of_every_caller(make_store):
    fake, tenant, other = FakeTime(), f"org-{uuid.uuid4()}", f"org-{uuid.uuid4()}"
    worker, web, elsewhere = (
        governor(make_store(), tenant, fake),
        governor(make_store(), tenant, fake),
        governor(make_store(), other, fake),
    )
    call(worker, {"X-MinLimit-Remaining": "0", "X-DayLimit-Remaining": "4000", "X-AppMinLimit-Remaining": "9000"})
    call(elsewhere)  # another organisation: its own minute, and the app has 9,000 left
    assert fake.slept == []
    call(web)
    assert len(fake.slept) == 1 and fake.slept[0] > MINUTE
    call(elsewhere, {"X-AppMinLimit-Remaining": "0"})
    call(governor(make_store(), f"org-{uuid.uuid4()}", fake))  # the app's minute is used up: any organisation waits
    assert len(fake.slept) == 2


def test_a_429s_retry_after_holds_back_every_caller_of_the_organisation_or_of_the_app(make_store):
    fake, tenant, other = FakeTime(), f"org-{uuid.uuid4()}", f"org-{uuid.uuid4()}"
    governor(make_store(), tenant, fake).back_off(5, "minute")
    call(governor(make_store(), other, fake))
    assert fake.slept == []
    call(governor(make_store(), tenant, fake))
    assert fake.slept == [pytest.approx(5.0)]
    governor(make_store(), other, fake).back_off(3, "appminute")
    call(governor(make_store(), f"org-{uuid.uuid4()}", fake))
    assert fake.slept[1:] == [pytest.approx(3.0)]


def test_callers_at_once_never_hold_more_slots_nor_spend_more_calls_than_the_budgets(make_store, kind):
    """Eight threads, each with its own store as a process has, on two organisations of one app: at most 3 calls in
    flight per organisation, 20 a minute per organisation, 30 a minute for the app, on a clock 120× fast."""
    limits, scale = Limits(concurrent=3, per_minute=20, per_day=10_000, app_per_minute=30), 120.0
    tenants = [f"org-{uuid.uuid4()}", f"org-{uuid.uuid4()}"]
    granted: dict[str, list[float]] = {tenant: [] for tenant in tenants}
    in_flight = dict.fromkeys(tenants, 0)
    peak = dict.fromkeys(tenants, 0)
    lock = threading.Lock()
    governors = [governor(make_store(), tenants[n % 2], limits=limits, scale=scale) for n in range(8)]

    def calls(gov: RateGovernor) -> None:
        tenant = tenants[0] if gov.organisation.key.startswith(f"xero-org:{tenants[0]}") else tenants[1]
        try:
            for _ in range(9):
                with gov.slot():
                    with lock:
                        granted[tenant].append(gov.now())
                        in_flight[tenant] += 1
                        peak[tenant] = max(peak[tenant], in_flight[tenant])
                    time.sleep(0.03)  # a call's time at Xero
                    with lock:
                        in_flight[tenant] -= 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=calls, args=(gov,)) for gov in governors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(len(times) for times in granted.values()) == 72
    assert max(peak.values()) == 3, peak  # the slots were all in use at times, and never more
    for tenant in tenants:
        assert most_in_a_minute(granted[tenant]) <= 20
    assert most_in_a_minute(sorted(granted[tenants[0]] + granted[tenants[1]])) <= 30
    assert sum(gov.waited_seconds for gov in governors) > 0  # 72 calls need more than two of the app's minutes
    if kind == "database":
        assert SharedBudget.objects.filter(key__contains=tenants[0]).count() == 1


def test_while_the_shared_store_cannot_be_reached_a_process_keeps_to_its_own_count(caplog):
    nobody = FallingBack(RedisSlotStore.from_url("redis://127.0.0.1:1/0"), (redis.RedisError,))  # nothing listens there
    fake = FakeTime()
    gov = governor(nobody, f"org-{uuid.uuid4()}", fake)
    for _ in range(61):
        call(gov)
    assert fake.slept == [pytest.approx(MINUTE + 1.25, abs=0.01)]  # its own count still paces it
    assert "could not take a call from the shared API budget" in caplog.text


def test_a_redis_store_is_refused_without_redis_url(tmp_path):
    result = run_cli("check", **production_env(tmp_path, XERO_BUDGET_STORE="redis"))
    assert "XERO_BUDGET_STORE is redis but REDIS_URL is not set." in result.stdout


def most_in_a_minute(times: list[float]) -> int:
    """The most calls granted in any Xero minute (60 Xero seconds, as Xero counts: the governor keeps a margin)."""
    times = sorted(times)
    return max((sum(1 for later in times[index:] if later < start + MINUTE) for index, start in enumerate(times)), default=0)


# --- processes ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited_sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("shared-budget-sandbox"), "--time-scale", str(SCALE), "--limits", "real")
    yield running
    running.stop()


@pytest.fixture
def sandbox(limited_sandbox):
    control(limited_sandbox, "PUT", "/limits", {"defaults": True, "reset_usage": True})
    control(limited_sandbox, "PUT", "/faults", {})
    control(limited_sandbox, "POST", "/reset-stats")
    yield limited_sandbox
    control(limited_sandbox, "PUT", "/limits", {"defaults": True, "reset_usage": True})


def database_url() -> str:
    """The test database, as a process started now reaches it."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{quote(settings['USER'] or '', safe='')}{password}@{settings['HOST'] or ''}{port}/{settings['NAME']}"


class Callers:
    """Connector processes (tests/connections/xero_budget_caller.py, or `caller`) started together against one sandbox."""

    caller = "tests.connections.xero_budget_caller"

    def __init__(self, sandbox, store: str, tmp_path: Path, request, **settings: str):
        values = {
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url(),
            "XERO_TIME_SCALE": str(SCALE),
            "XERO_CALLS_PER_MINUTE": "60",
            "XERO_CALLS_PER_DAY": "5000",
            "XERO_BUDGET_STORE": store,
            **sandbox_environment(sandbox.manifest),
        }
        self.env = child_env(**{**values, **settings})
        if store == "redis":
            self.env.update(REDIS_URL=redis_url(), XERO_BUDGET_REDIS_PREFIX=request.getfixturevalue("redis_prefix"))
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start(self, role: str, grants: list[dict], threads: int = 5, calls: int = 60) -> subprocess.Popen:
        spec = self.tmp_path / f"caller-{len(self.processes)}.json"
        spec.write_text(json.dumps({"role": role, "grants": grants, "threads": threads, "calls": calls}))
        process = subprocess.Popen(
            [sys.executable, "-m", self.caller, str(spec)],
            cwd=REPO,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.processes.append(process)
        return process

    def run(self, timeout: float = 120) -> list[dict]:
        """Once every process is ready, start them all at once; what each reports."""
        for process in self.processes:
            assert json.loads(process.stdout.readline() or "{}").get("ready"), process.stderr.read()
        for process in self.processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        reports = []
        for process in self.processes:
            out, err = process.communicate(timeout=timeout)
            assert process.returncode == 0, err
            reports.append(json.loads(out.strip().splitlines()[-1]))
        return reports


def grant(sandbox, user_index: int, tenants: int = 1) -> list[dict]:
    """A grant of its own for each process (a refresh by one never rotates another's refresh token)."""
    tokens, tenant_ids = xero_tokens(sandbox, user_index=user_index, tenants=tenants)
    return [{"tokens": dataclasses.asdict(tokens), "tenant_id": tenant_id} for tenant_id in tenant_ids]


def violations(sandbox) -> dict[str, int]:
    return control(sandbox, "GET", "/stats")["limits"]["rate_limited"]


@pytest.fixture(params=["database", "redis"])
def store(request):
    return request.param


def test_two_workers_and_the_web_process_on_one_organisation_keep_to_its_limits(sandbox, store, tmp_path, request):
    control(sandbox, "PUT", "/faults", {"rates": {"latency": 1.0}, "latency": [0.03, 0.08]})  # calls that take a while
    callers = Callers(sandbox, store, tmp_path, request)
    tenant = grant(sandbox, 1)[0]["tenant_id"]
    callers.start("worker", grant(sandbox, 1))
    callers.start("worker", grant(sandbox, 1))
    callers.start("web", grant(sandbox, 1))
    started = time.monotonic()
    reports = callers.run()
    elapsed = time.monotonic() - started

    assert [report["errors"] for report in reports] == [{}, {}, {}]
    assert sum(report["ok"] for report in reports) == 180
    assert violations(sandbox) == {"day": 0, "minute": 0, "appminute": 0, "concurrent": 0}
    stats = control(sandbox, "GET", "/stats")["limits"]
    assert stats["in_flight_peak"]["tenant"][tenant] == 5  # fifteen threads wanted to call: five at a time did
    assert elapsed > 2.0  # 180 calls at 60 a Xero minute: the processes waited for one another's minutes


def test_with_the_apps_limit_lowered_so_that_it_binds_no_process_trips_it(sandbox, store, tmp_path, request):
    """Three organisations of one app, each with room for 60 a minute, and the app allowed 90: the app's budget binds."""
    control(sandbox, "PUT", "/limits", {"appminute": 90, "reset_usage": True})
    callers = Callers(sandbox, store, tmp_path, request, XERO_APP_CALLS_PER_MINUTE="90")
    callers.start("worker", grant(sandbox, 0, tenants=2) + grant(sandbox, 1), calls=90)
    callers.start("worker", grant(sandbox, 0, tenants=2) + grant(sandbox, 1), calls=90)
    callers.start("web", grant(sandbox, 0, tenants=2) + grant(sandbox, 1), calls=90)
    started = time.monotonic()
    reports = callers.run()
    elapsed = time.monotonic() - started

    assert [report["errors"] for report in reports] == [{}, {}, {}]
    assert violations(sandbox) == {"day": 0, "minute": 0, "appminute": 0, "concurrent": 0}
    assert elapsed > 2.0  # 270 calls at the app's 90 a Xero minute, where its organisations' own would allow 180


def test_each_process_keeping_its_own_count_trips_the_limits(sandbox, tmp_path, request):
    """What the shared budget prevents, measured the same way: each process believes it has the whole budget."""
    callers = Callers(sandbox, "memory", tmp_path, request)
    for _ in range(3):
        callers.start("worker", grant(sandbox, 1), calls=100)
    callers.run()
    tripped = violations(sandbox)
    assert tripped["concurrent"] + tripped["minute"] > 0, tripped


def test_the_slots_of_a_process_killed_holding_them_free_themselves_after_the_lease(store, tmp_path, request):
    lease = 2.0
    callers = Callers(_NoSandbox(), store, tmp_path, request, XERO_SLOT_LEASE_SECONDS=str(int(lease)), XERO_CLIENT_ID=APP_ID)
    tenant = f"org-{uuid.uuid4()}"
    holder = callers.start(
        "holder",
        [
            {
                "tokens": {"access_token": "a", "refresh_token": "r", "expires_at": time.time() + 999, "scope": ""},
                "tenant_id": tenant,
            }
        ],
    )
    assert json.loads(holder.stdout.readline() or "{}") == {"holding": 5}, holder.stderr.read()
    held_at = time.monotonic()
    holder.send_signal(signal.SIGKILL)
    holder.wait()

    shared = (
        DatabaseSlotStore()
        if store == "database"
        else RedisSlotStore.from_url(redis_url(), callers.env["XERO_BUDGET_REDIS_PREFIX"])
    )
    with RateGovernor(Limits(), SCALE, store=shared, tenant_id=tenant, app_id=APP_ID).slot():
        waited = time.monotonic() - held_at
    assert lease - 0.5 < waited < lease + 1.5


class _NoSandbox:
    """No Xero is called: the holder only takes slots."""

    manifest = {
        "ca_file": "",
        "xero": {
            "apps": [{"kind": "web", "client_id": APP_ID, "client_secret": "s", "webhook_key": "k"}],
            **dict.fromkeys(
                ["authorize_url", "token_url", "revocation_url", "connections_url", "api_url", "app_url"], "https://127.0.0.1:9"
            ),
        },
    }
