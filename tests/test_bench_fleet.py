"""The benchmarks' pure parts: `bench fleet`'s options and refusals, and the figure arithmetic of the fleet and of
`bench sync`'s floor. (A benchmark's run itself is not a test: it runs the sandboxes and the connector for real.)"""

from __future__ import annotations

import pytest

from bench.cli import build_parser, refusal
from bench.fleet import OwnPostgres, completion_figures, database_url, per_thousand, percentile, postgres_bindir
from bench.floor import chunks, floor_rate, ratio_to_floor


def parsed(*argv: str):
    return build_parser().parse_args(["fleet", *argv])


def test_fleet_takes_every_option_the_issue_names():
    args = parsed(
        "--connections", "200", "--invoices", "20", "--workers", "4", "--backfill", "1", "--live", "50",
        "--limits", "real", "--time-scale", "8", "--kill-workers", "5", "--restart-db", "--sweep-only",
    )  # fmt: skip
    assert (args.connections, args.invoices, args.workers, args.backfill, args.live) == (200, 20, 4, 1, 50)
    assert (args.limits, args.time_scale, args.kill_workers, args.restart_db, args.sweep_only) == ("real", 8, 5, True, True)


def test_the_fleet_run_is_accepted_with_its_connections_workers_and_limits():
    assert refusal(parsed("--connections", "20", "--invoices", "10", "--workers", "2", "--limits", "off")) is None


def test_restarting_the_database_and_faults_are_accepted(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert refusal(parsed("--restart-db", "--faults", "0.1", "--workers", "4", "--kill-workers", "5")) is None


def test_it_refuses_to_restart_a_database_server_that_is_not_the_runs_own(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    assert "unset DATABASE_URL" in refusal(parsed("--restart-db"))


def test_it_refuses_faults_with_live_connections():
    refused = refusal(parsed("--connections", "5", "--backfill", "50", "--live", "2", "--faults", "0.1"))
    assert "--faults goes without --live" in refused


@pytest.mark.skipif(postgres_bindir() is None, reason="PostgreSQL's server programs are not installed")
def test_the_runs_own_postgresql_starts_keeps_its_rows_across_a_restart_and_goes_away(tmp_path):
    import psycopg

    server = OwnPostgres(postgres_bindir(), tmp_path)
    server.start()
    try:
        with psycopg.connect(server.url, autocommit=True) as db:
            db.execute("CREATE TABLE kept (n int)")
            db.execute("INSERT INTO kept VALUES (1)")
        with psycopg.connect(server.url, autocommit=True) as cut:
            server.restart()
            with pytest.raises(psycopg.OperationalError):  # the restart cut the connection open across it
                cut.execute("SELECT 1")
        with psycopg.connect(server.url) as db:
            assert db.execute("SELECT n FROM kept").fetchall() == [(1,)]
        assert server.restarts == 1
    finally:
        server.stop()
    assert not server.folder.exists() and (tmp_path / "postgres.log").is_file()


def test_killing_workers_is_accepted_with_two_or_more():
    assert refusal(parsed("--workers", "3", "--kill-workers", "5")) is None


def test_a_backfill_with_live_connections_is_accepted():
    assert refusal(parsed("--connections", "51", "--backfill", "20000", "--live", "50")) is None


def test_it_refuses_live_connections_without_a_backfill():
    assert "--live goes with --backfill" in refusal(parsed("--connections", "10", "--live", "5"))


def test_fleet_sweep_only_is_accepted():
    assert refusal(parsed("--sweep-only")) is None


def test_it_refuses_more_live_connections_than_the_fleet_has_besides_the_backfilling_one():
    refused = refusal(parsed("--connections", "10", "--backfill", "500", "--live", "10", "--sweep-only"))
    assert "at most --connections minus 1" in refused


def test_it_refuses_killing_workers_when_only_one_runs():
    assert "--workers 2 or more" in refusal(parsed("--workers", "1", "--kill-workers", "1", "--sweep-only"))


def test_it_refuses_a_time_scale_of_zero_for_the_fleet_too():
    assert refusal(parsed("--time-scale", "0", "--sweep-only")) == "--time-scale must be > 0"


@pytest.mark.parametrize("argv", [["--workers", "0"], ["--connections", "0"], ["--live", "-1"], ["--limits", "some"]])
def test_it_refuses_options_that_do_not_parse(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        parsed(*argv)
    assert stopped.value.code == 2


def test_percentiles_are_the_nearest_rank_value():
    values = [float(n) for n in range(1, 21)]  # 1 … 20
    assert percentile(values, 0.5) == 10.0
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 1.0) == 20.0
    assert percentile([3.0], 0.95) == 3.0


def test_a_percentile_of_nothing_is_refused():
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_fairness_is_the_slowest_over_the_median():
    figures = completion_figures({"a": 2.0, "b": 4.0, "c": 4.0, "d": 10.0})
    assert figures["p50_s"] == 4.0
    assert figures["max_s"] == 10.0
    assert figures["fairness"] == 2.5


def test_cpu_per_thousand_invoices():
    assert per_thousand(3.0, 2000) == 1.5
    with pytest.raises(ValueError):
        per_thousand(1.0, 0)


def test_the_bench_database_is_a_database_of_its_own_on_the_same_server():
    assert database_url("postgres://postgres@127.0.0.1:5432/app", "dxbench_1") == "postgres://postgres@127.0.0.1:5432/dxbench_1"
    with pytest.raises(ValueError):
        database_url("sqlite:///data/db.sqlite3", "dxbench_1")


def test_the_ratio_to_the_floor_is_the_connectors_rate_over_the_floors():
    assert floor_rate(2000, 8.0) == 250.0
    assert ratio_to_floor(175.0, 250.0) == 0.7
    with pytest.raises(ValueError):
        ratio_to_floor(175.0, 0)
    with pytest.raises(ValueError):
        floor_rate(2000, 0)


def test_the_floor_sends_in_the_connectors_batch_sizes():
    assert [len(batch) for batch in chunks(list(range(120)), 50)] == [50, 50, 20]
    assert list(chunks([], 50)) == []


def test_live_connections_take_their_turns_spread_over_the_interval():
    from bench.fleet import FleetOptions, LiveTracker

    tracker = LiveTracker(None, FleetOptions(5, 1, 1, "off", 1.0, live=4, live_interval=2.0), ["a", "b", "c", "d"])
    tracker.round_started, tracker.turns_left = 100.0, ["a", "b", "c", "d"]
    assert tracker._due(100.0) == ["a"]  # the first at once
    assert tracker._due(100.4) == []
    assert tracker._due(101.1) == ["b", "c"]  # a look that came late takes every turn that has come
    assert tracker._due(101.6) == ["d"]
    assert tracker.turns_left == []


def test_it_refuses_a_live_interval_that_is_not_positive():
    assert "--live-interval" in refusal(parsed("--connections", "5", "--backfill", "50", "--live", "2", "--live-interval", "0"))
