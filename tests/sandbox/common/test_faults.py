"""Fault plans as pure units (seeded, so exact), then the fault middleware over real sockets."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dxsandbox.common.faults import FAILURE_KINDS, ExposeTransport, FaultInjector, FaultMiddleware, FaultPlan
from tests.sandbox.common.asgi_server import serve_in_thread


def fates(plan: FaultPlan, calls: int) -> list[str | None]:
    injector = FaultInjector(plan)
    return [injector.decide().kind for _ in range(calls)]


def test_a_seed_fixes_every_call_s_fate():
    plan = FaultPlan.spread(0.5, seed=7)
    assert fates(plan, 500) == fates(plan, 500)
    assert fates(plan, 500) != fates(FaultPlan.spread(0.5, seed=8), 500)


def test_rates_are_shares_of_calls():
    counts = Counter(fates(FaultPlan(rates={"500": 0.2, "timeout": 0.1}, seed=1), 10_000))
    assert set(counts) == {None, "500", "timeout"}
    assert 1800 < counts["500"] < 2200 and 850 < counts["timeout"] < 1150


def test_spread_splits_the_rate_evenly():
    plan = FaultPlan.spread(0.5, seed=3)
    assert plan.rates == {kind: pytest.approx(0.1) for kind in FAILURE_KINDS}
    counts = Counter(fates(plan, 10_000))
    assert all(800 < counts[kind] < 1200 for kind in FAILURE_KINDS)


def test_the_fate_of_a_call_does_not_depend_on_latency_settings():
    """Every call draws the same numbers, so adding latency keeps which calls fail."""
    plain = fates(FaultPlan(rates={"503": 0.3}, seed=11), 300)
    delayed = fates(FaultPlan(rates={"503": 0.3, "latency": 0.5}, latency=(0.1, 0.2), seed=11), 300)
    assert plain == delayed


def test_latency_is_fixed_or_within_the_range_and_counted():
    injector = FaultInjector(FaultPlan(rates={"latency": 1.0}, latency=(0.1, 0.3), seed=5))
    delays = [injector.decide().delay for _ in range(200)]
    assert all(0.1 <= delay <= 0.3 for delay in delays) and len(set(delays)) > 100
    assert injector.stats()["injected"]["latency"] == 200
    fixed = FaultInjector(FaultPlan.from_json({"rates": {"latency": 1}, "latency": 0.25, "seed": 5}))
    assert {fixed.decide().delay for _ in range(10)} == {0.25}


def test_counters_and_reset():
    injector = FaultInjector(FaultPlan(rates={"429": 1.0}, seed=1))
    for _ in range(4):
        injector.decide()
    assert injector.stats()["injected"]["429"] == 4 and injector.stats()["calls_seen"] == 4
    injector.reset_stats()
    assert injector.stats()["failures_injected"] == 0


def test_a_new_plan_without_a_seed_keeps_drawing_from_the_same_generator():
    whole = fates(FaultPlan(rates={"500": 0.5}, seed=2), 20)
    injector = FaultInjector(FaultPlan(rates={"500": 0.5}, seed=2))
    first = [injector.decide().kind for _ in range(10)]
    injector.set_plan(FaultPlan(rates={"500": 0.5}))
    assert first + [injector.decide().kind for _ in range(10)] == whole


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rates": {"500": 0.7, "503": 0.5}}, "more than 1"),
        ({"rates": {"418": 0.1}}, "unknown fault kind"),
        ({"rates": {"500": 1.5}}, "between 0 and 1"),
        ({"rates": {"500": -0.5}}, "between 0 and 1"),
        ({"rates": {"500": "often"}}, "must be a number"),
        ({"timeout_seconds": None}, "must be a number"),
        ({"latency": [0.5, 0.1]}, "latency"),
        ({"latency": "slow"}, "latency"),
        ({"seed": "x"}, "seed"),
        ({"colour": "red"}, "unknown field"),
    ],
)
def test_bad_plans_are_refused(data, message):
    with pytest.raises(ValueError, match=message):
        FaultPlan.from_json(data)


def test_plans_round_trip_through_json():
    plan = FaultPlan(rates={"500": 0.1, "latency": 0.2}, latency=(0.1, 0.4), timeout_seconds=3, seed=9)
    assert FaultPlan.from_json(plan.to_json()) == plan


# --- middleware over real sockets ------------------------------------------------------------


class Service:
    """A tiny service whose POST commits a change, so a dropped answer can be told from a lost call."""

    def __init__(self):
        self.committed = 0

    def app(self) -> Starlette:
        async def create(request: Request) -> Response:
            await request.body()
            self.committed += 1
            return JSONResponse({"committed": self.committed})

        return Starlette(routes=[Route("/items", create, methods=["POST"]), Route("/_control/ping", create, methods=["POST"])])


@pytest.fixture
def faulty():
    service = Service()
    injector = FaultInjector(FaultPlan(seed=1))
    app = ExposeTransport(FaultMiddleware(service.app(), injector, exempt_prefixes=("/_control/",)))
    with serve_in_thread(app) as url:
        yield url, injector, service


@pytest.mark.parametrize("status", [429, 500, 503])
def test_error_faults_answer_with_their_status(faulty, status):
    url, injector, service = faulty
    injector.set_plan(FaultPlan(rates={str(status): 1.0}))
    answer = httpx.post(url + "/items")
    assert answer.status_code == status and answer.json()["Status"] == status
    assert ("retry-after" in answer.headers) == (status in (429, 503))
    assert service.committed == 0


def test_drop_after_commit_runs_the_call_and_loses_the_answer(faulty):
    url, injector, service = faulty
    injector.set_plan(FaultPlan(rates={"drop_after_commit": 1.0}))
    with pytest.raises(httpx.TransportError):
        httpx.post(url + "/items", json={"name": "x"})
    assert service.committed == 1
    assert injector.stats()["injected"]["drop_after_commit"] == 1
    injector.set_plan(FaultPlan())
    assert httpx.post(url + "/items").json() == {"committed": 2}  # the server carries on


def test_a_timeout_is_held_then_dropped_without_reaching_the_service(faulty):
    url, injector, service = faulty
    injector.set_plan(FaultPlan(rates={"timeout": 1.0}, timeout_seconds=0.2))
    with pytest.raises(httpx.TransportError):
        httpx.post(url + "/items", timeout=30)
    assert service.committed == 0


def test_a_client_that_gives_up_first_sees_its_own_timeout(faulty):
    url, injector, service = faulty
    injector.set_plan(FaultPlan(rates={"timeout": 1.0}, timeout_seconds=60))
    with pytest.raises(httpx.TimeoutException):
        httpx.post(url + "/items", timeout=0.3)
    injector.set_plan(FaultPlan())
    assert httpx.post(url + "/items").status_code == 200
    assert service.committed == 1


def test_latency_delays_but_serves(faulty):
    url, injector, _service = faulty
    injector.set_plan(FaultPlan(rates={"latency": 1.0}, latency=(0.01, 0.02)))
    assert [httpx.post(url + "/items").status_code for _ in range(3)] == [200] * 3
    assert injector.stats()["injected"]["latency"] == 3


def test_exempt_paths_are_never_touched(faulty):
    url, injector, _service = faulty
    injector.set_plan(FaultPlan(rates={"500": 1.0}))
    assert httpx.post(url + "/_control/ping").status_code == 200
    assert injector.stats()["calls_seen"] == 0


def test_a_seeded_plan_fails_the_same_calls_over_the_wire(faulty):
    url, injector, _service = faulty
    plan = FaultPlan(rates={"500": 0.3, "503": 0.2}, seed=42)
    injector.set_plan(plan)
    with httpx.Client(base_url=url) as client:
        seen = [client.post("/items").status_code for _ in range(30)]
    expected = [{None: 200, "500": 500, "503": 503}[kind] for kind in fates(plan, 30)]
    assert seen == expected


# --- at_least: every kind of the plan, however rare ---------------------------------------------


def forced_fates(plan: FaultPlan, writes: list[bool]) -> list[str | None]:
    injector = FaultInjector(plan)
    return [injector.decide(write=write).kind for write in writes]


EVERY_THIRD_A_WRITE = [number % 3 == 2 for number in range(400)]


def test_at_least_forces_every_kind_of_the_plan_that_many_times():
    plan = FaultPlan.spread(0.005, seed=4, at_least=5)
    assert Counter(fates(FaultPlan.spread(0.005, seed=4), 400))["drop_after_commit"] < 5  # rare without it
    counts = Counter(forced_fates(plan, EVERY_THIRD_A_WRITE))
    assert all(counts[kind] >= 5 for kind in FAILURE_KINDS)


def test_a_forced_drop_after_commit_only_falls_on_a_write():
    plan = FaultPlan(rates={"drop_after_commit": 0.0001}, seed=4, at_least=5, at_least_gap=3)
    kinds = forced_fates(plan, EVERY_THIRD_A_WRITE)
    dropped = [number for number, kind in enumerate(kinds) if kind == "drop_after_commit"]
    assert len(dropped) == 5 and all(EVERY_THIRD_A_WRITE[number] for number in dropped)


def test_answers_lost_on_reads_do_not_count_towards_at_least():
    """Drawn often, lost answers fall on reads too; only those on writes settle what the plan owes."""
    plan = FaultPlan(rates={"drop_after_commit": 0.3}, seed=4, at_least=5, at_least_gap=3)
    injector = FaultInjector(plan)
    decided = [(write, injector.decide(write=write).kind) for write in EVERY_THIRD_A_WRITE[:30]]
    on_writes = sum(1 for write, kind in decided if write and kind)
    on_reads = sum(1 for write, kind in decided if not write and kind)
    assert on_reads > 0 and on_writes < 5  # the draw put some on reads, too few on writes
    assert injector.stats()["short_of_at_least"] == {"drop_after_commit": 5 - on_writes}


def test_forced_failures_wait_for_a_gap_of_calls_without_any():
    plan = FaultPlan(rates={"500": 0.0001, "503": 0.0001}, seed=4, at_least=3, at_least_gap=7)
    kinds = forced_fates(plan, [False] * 100)
    failed = [number for number, kind in enumerate(kinds) if kind is not None]
    assert failed == [7, 15, 23, 31, 39, 47]  # 7 calls served, then one forced; the two kinds take turns
    assert [kinds[number] for number in failed] == ["500", "503"] * 3


def test_a_lost_answer_keeps_its_own_gaps_so_failures_forced_on_reads_between_writes_do_not_put_it_off():
    """Every write here comes just after a forced 500; the lost answers still come, every 5 × 2 calls at most."""
    plan = FaultPlan(rates={"500": 0.0001, "drop_after_commit": 0.0001}, seed=4, at_least=6, at_least_gap=2)
    kinds = forced_fates(plan, [number % 3 == 0 for number in range(60)])
    failed = [(number, kind) for number, kind in enumerate(kinds) if kind is not None]
    drop = "drop_after_commit"
    assert failed == [
        (2, "500"),
        (5, "500"),
        (8, "500"),
        (11, "500"),
        (12, drop),
        (15, "500"),
        (18, "500"),
        (24, drop),
        (36, drop),
        (48, drop),
    ]


def test_kinds_not_in_the_plan_are_not_forced_and_the_stats_say_what_is_still_owed():
    injector = FaultInjector(FaultPlan(rates={"timeout": 0.0001}, seed=4, at_least=2, at_least_gap=1))
    assert injector.stats()["short_of_at_least"] == {"timeout": 2}
    assert [injector.decide().kind for _ in range(5)] == [None, "timeout", None, "timeout", None]
    stats = injector.stats()
    assert stats["forced"]["timeout"] == 2 and stats["injected"]["timeout"] == 2 and stats["short_of_at_least"] == {}
    assert stats["plan"]["at_least"] == 2 and stats["plan"]["at_least_gap"] == 1


def test_at_least_keeps_a_seeded_plan_reproducible():
    plan = FaultPlan.spread(0.05, seed=21, at_least=5)
    assert forced_fates(plan, EVERY_THIRD_A_WRITE) == forced_fates(plan, EVERY_THIRD_A_WRITE)
    assert forced_fates(plan, EVERY_THIRD_A_WRITE) != forced_fates(
        FaultPlan.spread(0.05, seed=22, at_least=5), EVERY_THIRD_A_WRITE
    )


def test_a_new_plan_owes_its_own_at_least_whatever_the_stats():
    injector = FaultInjector(FaultPlan(rates={"500": 0.0001}, seed=1, at_least=1, at_least_gap=0))
    assert injector.decide().kind == "500" and injector.decide().kind is None
    injector.reset_stats()
    assert injector.decide().kind is None  # the plan has had its one
    injector.set_plan(FaultPlan(rates={"500": 0.0001}, at_least=1, at_least_gap=0))
    assert injector.decide().kind == "500"


@pytest.mark.parametrize(
    ("data", "message"),
    [({"at_least": 1.5}, "at_least"), ({"at_least": -1}, "at_least"), ({"at_least_gap": "x"}, "at_least_gap")],
)
def test_bad_quotas_are_refused(data, message):
    with pytest.raises(ValueError, match=message):
        FaultPlan.from_json(data)


class Ledger:
    """Rows kept by id: POST /rows commits one (400 if it says `refuse`), GET /rows/{id} reads it back."""

    def __init__(self):
        self.rows: dict[str, dict] = {}

    def app(self) -> Starlette:
        async def create(request: Request) -> Response:
            row = await request.json()
            if row.get("refuse"):
                return JSONResponse({"Detail": "refused"}, status_code=400)
            self.rows[row["id"]] = row
            return JSONResponse(row, status_code=201)

        async def read(request: Request) -> Response:
            row = self.rows.get(request.path_params["id"])
            return JSONResponse(row) if row else JSONResponse({"Detail": "not found"}, status_code=404)

        return Starlette(routes=[Route("/rows", create, methods=["POST"]), Route("/rows/{id}", read, methods=["GET"])])


@pytest.fixture
def ledger():
    service = Ledger()
    injector = FaultInjector(FaultPlan(seed=1))
    app = ExposeTransport(FaultMiddleware(service.app(), injector))
    with serve_in_thread(app) as url:
        yield url, injector, service


def a_short_run(url: str, calls: int) -> list[tuple[str, str, str]]:
    """Reads and writes, every third a write and every tenth write one the service refuses: (call, row, outcome)."""
    with httpx.Client(base_url=url, timeout=10) as client:
        return [one_call(client, number) for number in range(calls)]


def one_call(client: httpx.Client, number: int) -> tuple[str, str, str]:
    row = f"row-{number // 3}"
    call = "POST" if number % 3 == 2 else "GET"
    try:
        if call == "POST":
            answer = client.post("/rows", json={"id": row, "refuse": number % 30 == 29})
        else:
            answer = client.get(f"/rows/{row}")
    except httpx.TransportError:
        return call, row, "no answer"
    return call, row, str(answer.status_code)


def test_a_short_run_over_the_wire_meets_every_kind_at_least_five_times(ledger):
    url, injector, _service = ledger
    injector.set_plan(FaultPlan.spread(0.01, seed=3, at_least=5, at_least_gap=4, timeout_seconds=0.01))
    outcomes = a_short_run(url, 150)
    stats = injector.stats()
    assert all(stats["injected"][kind] >= 5 for kind in FAILURE_KINDS), stats
    assert stats["short_of_at_least"] == {}
    assert (
        Counter(outcome for _call, _row, outcome in outcomes)["no answer"]
        == stats["injected"]["timeout"] + stats["injected"]["drop_after_commit"]
    )


def test_a_forced_drop_after_commit_loses_the_answer_of_a_write_that_was_committed(ledger):
    url, injector, service = ledger
    injector.set_plan(FaultPlan(rates={"drop_after_commit": 0.0001}, seed=3, at_least=5, at_least_gap=4))
    outcomes = a_short_run(url, 150)
    lost = [row for call, row, outcome in outcomes if outcome == "no answer"]
    assert len(lost) == 5 and injector.stats()["forced"]["drop_after_commit"] == 5
    assert all(call == "POST" for call, _row, outcome in outcomes if outcome == "no answer")
    assert all(row in service.rows for row in lost)  # committed, though nobody heard so
    assert [noted.split(": ")[1] for noted in injector.stats()["lost_answers"]] == ["POST /rows"] * 5
    refused = [outcome for call, _row, outcome in outcomes if call == "POST" and outcome == "400"]
    assert len(refused) == 5  # a refused write is never dropped: it commits nothing


def test_a_refused_write_is_answered_and_the_drop_waits_for_one_the_service_commits(ledger):
    url, injector, _service = ledger
    injector.set_plan(FaultPlan(rates={"drop_after_commit": 0.0001}, seed=3, at_least=1, at_least_gap=0))
    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.post("/rows", json={"id": "a", "refuse": True}).status_code == 400
        assert injector.stats()["short_of_at_least"] == {"drop_after_commit": 1}
        with pytest.raises(httpx.TransportError):
            client.post("/rows", json={"id": "b"})
        assert client.get("/rows/b").status_code == 200
    assert injector.stats()["injected"]["drop_after_commit"] == 1


def test_the_same_seed_fails_the_same_calls_of_a_run_over_the_wire(ledger):
    url, injector, service = ledger
    plan = FaultPlan.spread(0.02, seed=9, at_least=5, at_least_gap=4, timeout_seconds=0.01)
    injector.set_plan(plan)
    first = a_short_run(url, 150)
    service.rows.clear()
    injector.set_plan(plan)
    second = a_short_run(url, 150)
    assert first == second
    assert sum(outcome not in ("200", "201", "400", "404") for *_, outcome in first) >= 25  # every kind ≥ 5
