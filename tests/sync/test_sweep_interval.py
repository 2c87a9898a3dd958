"""Each connection's sweep at its own cadence: its settings row's Sync Interval, at least the sweep's own period. A run
notes the interval and moves the next sweep an interval on from its end; the sweep queues only the connections that are
due and may sync, with the same queries whatever the number of connections; saving the settings in the portal changes
the cadence at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection as database
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection
from dxconnector.dynamics.solution.definition import SETTINGS
from dxconnector.portal import settings_row
from dxconnector.sync import triggers
from dxconnector.sync.models import QueuedSync, Trigger
from tests.base import BaseTestCase
from tests.portal.test_dynamics_webhook import created
from tests.sync.helpers import SyncTestCase

TASK = "dxconnector.sync.tasks.sync_connection"
RUN_ENDED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class SweepCadenceTestCase(BaseTestCase):
    """The sweep's choice needs no Dynamics: connected rows are enough."""

    def connection_swept(self, **fields: Any) -> Connection:
        made = created(self.alice)
        if fields:
            Connection.objects.filter(pk=made.pk).update(**fields)
        return made

    def queued_ids(self) -> set[str]:
        return {job.args_kwargs["args"][0] for job in DBTaskResult.objects.filter(task_path=TASK)}

    def cadence(self, made: Connection) -> tuple[int, datetime | None]:
        made.refresh_from_db()
        return made.sweep_interval_minutes, made.next_sweep_at

    def test_a_connection_with_a_30_minute_interval_is_not_swept_10_minutes_after_a_run_but_is_31_minutes_after(self) -> None:
        made = self.connection_swept(trial_ends_at=RUN_ENDED + timedelta(days=30))
        triggers.note_sweep_interval(made.pk, 30, now=RUN_ENDED)
        self.assertEqual(self.cadence(made), (30, RUN_ENDED + timedelta(minutes=30)))
        self.assertEqual(triggers.sweep(RUN_ENDED + timedelta(minutes=10)), 0)
        self.assertEqual(triggers.sweep(RUN_ENDED + timedelta(minutes=31)), 1)
        self.assertEqual(self.queued_ids(), {str(made.pk)})

    def test_a_connection_no_run_has_noted_yet_is_due_at_the_first_sweep(self) -> None:
        made = self.connection_swept()
        self.assertEqual(self.cadence(made), (10, None))
        self.assertEqual(triggers.sweep(), 1)
        self.assertEqual(self.queued_ids(), {str(made.pk)})

    def test_any_run_moves_the_next_sweep_on_so_a_busy_connection_is_not_swept_as_well(self) -> None:
        made = self.connection_swept(trial_ends_at=RUN_ENDED + timedelta(days=30))
        triggers.note_sweep_interval(made.pk, 10, now=RUN_ENDED)
        triggers.note_sweep_interval(made.pk, 10, now=RUN_ENDED + timedelta(minutes=8))  # a webhook's run, say
        self.assertEqual(triggers.sweep(RUN_ENDED + timedelta(minutes=12)), 0)
        self.assertEqual(triggers.sweep(RUN_ENDED + timedelta(minutes=18)), 1)

    def test_an_interval_shorter_than_the_sweep_period_becomes_the_period_and_never_less_than_a_minute(self) -> None:
        made = self.connection_swept()
        for period_seconds, minutes, kept in [(900, 0, 15), (900, 1, 15), (900, 30, 30), (90, 1, 2), (10, 0, 1), (10, 1, 1)]:
            with (
                self.subTest(period_seconds=period_seconds, minutes=minutes),
                override_settings(SYNC_SWEEP_SECONDS=period_seconds),
            ):
                triggers.note_sweep_interval(made.pk, minutes, now=RUN_ENDED)
                self.assertEqual(self.cadence(made), (kept, RUN_ENDED + timedelta(minutes=kept)))

    def test_a_connection_that_may_not_sync_is_not_swept_however_long_it_waited(self) -> None:
        long_ago = timezone.now() - timedelta(days=2)
        self.connection_swept(paused_at=long_ago, next_sweep_at=long_ago)
        self.connection_swept(trial_ends_at=long_ago)
        self.connection_swept(deletion_state=Connection.SetupState.QUEUED)
        self.connection_swept(status=Connection.Status.DRAFT)
        queued_already = self.connection_swept()
        QueuedSync.objects.create(connection=queued_already, trigger="webhook", queued_at=timezone.now())
        self.assertEqual(triggers.sweep(), 0)
        self.assertEqual(self.queued_ids(), set())

    def test_the_filter_the_sweep_uses_agrees_with_may_sync(self) -> None:
        now = timezone.now()
        cases: dict[str, dict[str, Any]] = {
            "trial running": {},
            "trial ended": {"trial_ends_at": now - timedelta(minutes=1)},
            "trial ended, subscribed": {"trial_ends_at": now - timedelta(minutes=1), "subscription_active": True},
            "no trial": {"trial_started_at": None, "trial_ends_at": None},
            "no trial, subscribed": {"trial_started_at": None, "trial_ends_at": None, "subscription_active": True},
            "paused": {"paused_at": now},
            "paused, subscribed": {"paused_at": now, "subscription_active": True},
            "being deleted": {"deletion_state": Connection.SetupState.FAILED},
        }
        for case, fields in cases.items():
            made = self.connection_swept(**fields)
            made.refresh_from_db()
            with self.subTest(case):
                filtered = Connection.objects.filter(Connection.may_sync_filter(now), pk=made.pk).exists()
                self.assertEqual(filtered, made.may_sync(now))

    def test_the_sweep_asks_the_database_the_same_number_of_times_for_3_connections_as_for_30(self) -> None:
        later = RUN_ENDED + timedelta(hours=2)
        ends = {"trial_ends_at": RUN_ENDED + timedelta(days=30)}
        self.connection_swept(**ends)  # due: never run
        for _ in range(2):
            self.connection_swept(next_sweep_at=later, **ends)
        with CaptureQueriesContext(database) as three:
            self.assertEqual(triggers.sweep(RUN_ENDED), 1)

        self.connection_swept(**ends)  # due; the first is queued already
        for _ in range(26):
            self.connection_swept(next_sweep_at=later, **ends)
        self.assertEqual(Connection.objects.filter(status=Connection.Status.CREATED).count(), 30)
        with CaptureQueriesContext(database) as thirty:
            self.assertEqual(triggers.sweep(RUN_ENDED), 1)
        self.assertEqual(len(thirty.captured_queries), len(three.captured_queries))

        with CaptureQueriesContext(database) as none_due:
            self.assertEqual(triggers.sweep(RUN_ENDED + timedelta(minutes=1)), 0)
        self.assertEqual(len(none_due.captured_queries), 1, "one query picks the due connections")


class RunsMoveTheSweepTestCase(SyncTestCase):
    """Against the sandbox, through the engine's `run_sync`: a run keeps its settings row's Sync Interval."""

    def test_a_run_keeps_the_rows_interval_and_puts_the_next_sweep_an_interval_after_its_end(self) -> None:
        self.onboard(stl3_syncintervalminutes=30)
        before = timezone.now()
        self.sync(Trigger.DYNAMICS_WEBHOOK)
        after = timezone.now()
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.sweep_interval_minutes, 30)
        assert self.connection.next_sweep_at is not None
        self.assertTrue(before + timedelta(minutes=30) <= self.connection.next_sweep_at <= after + timedelta(minutes=30))
        QueuedSync.objects.filter(connection=self.connection).delete()
        self.assertEqual(triggers.sweep(after + timedelta(minutes=10)), 0, "the webhook's run was the check")
        self.assertEqual(triggers.sweep(after + timedelta(minutes=31)), 1)

    def test_a_run_with_a_one_minute_interval_keeps_the_sweep_period_instead(self) -> None:
        self.onboard(stl3_syncintervalminutes=1)
        with override_settings(SYNC_SWEEP_SECONDS=600):
            self.sync()
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.sweep_interval_minutes, 10)


class SettingsSavedInThePortalTestCase(SyncTestCase):
    """Against the sandbox: the portal writes the settings row in Dynamics, and the sweep follows its Sync Interval."""

    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def cadence(self) -> tuple[int, datetime | None]:
        self.connection.refresh_from_db()
        return self.connection.sweep_interval_minutes, self.connection.next_sweep_at

    def sync_interval_in_dynamics(self) -> int:
        [row] = self.dataverse().list(
            SETTINGS.set_name,
            select="stl3_syncintervalminutes",
            filter=f"_stl3_connectorid_value eq {self.connector_id()}",
        )
        return int(row["stl3_syncintervalminutes"])

    def test_saving_the_settings_takes_the_interval_set_in_dynamics_at_once(self) -> None:
        self.set_settings(stl3_syncintervalminutes=45)
        before = timezone.now()
        response = self.client.post(
            f"/connections/{self.connection.pk}/defaults/", {"name": "Alpha Renamed", "time_zone": "Europe/London"}
        )
        self.assertRedirects(response, f"/connections/{self.connection.pk}/")
        interval, next_sweep_at = self.cadence()
        self.assertEqual(interval, 45)
        assert next_sweep_at is not None
        self.assertTrue(before + timedelta(minutes=45) <= next_sweep_at <= timezone.now() + timedelta(minutes=45))
        self.assertEqual(self.connection.name, "Alpha Renamed", "the form's own save kept the cadence")
        QueuedSync.objects.filter(connection=self.connection).delete()
        self.assertEqual(triggers.sweep(before + timedelta(minutes=30)), 0)
        self.assertEqual(triggers.sweep(before + timedelta(minutes=46)), 1)

    def test_an_interval_the_portal_writes_goes_into_the_settings_row_and_counts_at_once(self) -> None:
        self.connection.sweep_interval_minutes = 60
        before = timezone.now()
        settings_row.write_changes(self.connection, ["sweep_interval_minutes"])
        self.assertEqual(self.sync_interval_in_dynamics(), 60)
        interval, next_sweep_at = self.cadence()
        self.assertEqual(interval, 60)
        assert next_sweep_at is not None
        self.assertGreaterEqual(next_sweep_at, before + timedelta(minutes=60))
