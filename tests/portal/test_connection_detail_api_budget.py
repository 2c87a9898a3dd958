"""The connection page shows what is left of each side's API budget — Xero's calls this minute and today, Dataverse's
requests in its 5-minute window — as the services' answers last said, recorded by the workers' clients."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.db import connection as database
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dxconnector.connections import budgets
from dxconnector.connections.clients import xero_client
from dxconnector.connections.models import ApiBudget, Connection, DynamicsConnection, XeroConnection
from dxconnector.sync.engine import run_sync
from dxconnector.sync.models import SyncRun
from dxconnector.xero.limits import BudgetSeen, Limits
from tests.base import BaseTestCase
from tests.dynamics.dataverse_sandbox import control_client
from tests.sandboxes import control, start_sandbox, xero_tokens
from tests.sync.helpers import ORGANISATION, SyncTestCase


@pytest.fixture(scope="module")
def limited_sandbox(tmp_path_factory):
    """A sandbox of this module's own with Xero's and Dataverse's real limits on, on a real clock: its answers carry
    the remaining-calls headers, and a Xero minute is a real one."""
    running = start_sandbox(tmp_path_factory.mktemp("budget-sandbox"), "--limits", "real")
    yield running
    running.stop()


def xero_line(body: str) -> str:
    return re.search(r'<li id="xero-budget">(.*?)</li>', body).group(1)


def dynamics_line(body: str) -> str:
    return re.search(r'<li id="dynamics-budget">(.*?)</li>', body).group(1)


@override_settings(XERO_CALLS_PER_MINUTE=60, XERO_CALLS_PER_DAY=5000)
class ApiBudgetFromARealSyncTestCase(SyncTestCase):
    sandbox_fixture = "limited_sandbox"

    def dataverse_control(self):
        org = next(o for o in self.sandbox.manifest["microsoft"]["organisations"] if o["friendly_name"] == ORGANISATION)
        return control_client(self.sandbox, org)

    def start_counting(self) -> None:
        """Both services forget what was used so far and count afresh."""
        control(self.sandbox, "PUT", "/limits", {"reset_usage": True})
        control(self.sandbox, "POST", "/reset-stats")
        with self.dataverse_control() as dataverse:
            dataverse.put("/limits", json={"reset_usage": True}).raise_for_status()
            dataverse.post("/reset-stats").raise_for_status()

    def calls_counted(self) -> tuple[int, int]:
        """(Xero calls, Dataverse requests) the sandbox admitted since `start_counting`."""
        xero = control(self.sandbox, "GET", "/stats")["limits"]
        with self.dataverse_control() as dataverse:
            dynamics = dataverse.get("/stats").json()["limits"]
        self.assertEqual((xero["rate_limited_total"], dynamics["rate_limited_total"]), (0, 0))
        return xero["admitted"], dynamics["admitted"]

    def test_after_a_sync_the_page_shows_what_the_services_last_said_is_left(self):
        self.onboard()
        self.make_invoice(self.make_account(), [{"description": "Counted", "price": "10", "quantity": 1}])
        self.start_counting()
        before = timezone.localtime()
        run = run_sync(self.connection.pk, "test")  # with the connection's own clients, as a worker runs it
        after = timezone.localtime()
        self.assertEqual(run.status, SyncRun.Status.SUCCEEDED, run.error)
        xero_calls, dataverse_requests = self.calls_counted()
        self.assertGreater(xero_calls, 0)

        body = self.client.get(f"/connections/{self.connection.pk}/").content.decode()

        # Each answer said what was left after itself: the last one, what the run's calls left of a fresh budget.
        xero = xero_line(body)
        self.assertRegex(xero, r"\(as of \d\d:\d\d\)$")
        self.assertEqual(
            xero,
            f"Xero: {60 - xero_calls} of 60 calls left this minute, {5000 - xero_calls:,} of 5,000 left today "
            f"(as of {xero[-6:-1]})",
        )
        self.assertIn(xero[-6:-1], {before.strftime("%H:%M"), after.strftime("%H:%M")})
        dynamics = dynamics_line(body)
        self.assertRegex(
            dynamics,
            rf"^Dynamics: {6000 - dataverse_requests:,} requests left in the current 5-minute window \(as of \d\d:\d\d\)$",
        )

    def test_a_reading_older_than_its_window_shows_the_budget_as_full(self):
        self.onboard()
        ApiBudget.objects.update(read_at=timezone.now() - timedelta(minutes=6))  # a minute and 5 minutes have passed
        body = self.client.get(f"/connections/{self.connection.pk}/").content.decode()
        self.assertRegex(
            xero_line(body), r"^Xero: 60 of 60 — no calls this minute, [\d,]+ of 5,000 left today \(as of \d\d:\d\d\)$"
        )
        self.assertEqual(dynamics_line(body), "Dynamics: 6,000 requests left in the current 5-minute window — none made in it")

    def test_many_calls_are_recorded_in_few_writes_and_the_last_one_is_kept(self):
        tokens, [tenant_id] = xero_tokens(self.sandbox, user_index=0)
        xero = XeroConnection.objects.create(
            connection=self.connection,
            tenant_id=tenant_id,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=timezone.now() + timedelta(minutes=30),
        )
        self.start_counting()
        client = xero_client(xero)
        started = time.monotonic()
        with CaptureQueriesContext(database) as queries:
            for _ in range(20):
                client.organisation()
        seconds = time.monotonic() - started
        writes = [q["sql"] for q in queries if ApiBudget._meta.db_table in q["sql"] and q["sql"].startswith(("UPDATE", "INSERT"))]
        self.assertLessEqual(len(writes), 1 + int(seconds // budgets.THROTTLE_SECONDS), (seconds, writes))
        budgets.flush()  # as a connection's clients do when they close
        row = ApiBudget.objects.get(api=ApiBudget.Api.XERO, key=tenant_id)
        self.assertEqual((row.window_left, row.day_left), (60 - 20, 5000 - 20))


class ApiBudgetWordingTestCase(BaseTestCase):
    """What the page says of readings of each age (rows as the recorder writes them)."""

    def setUp(self):
        super().setUp()
        Connection.objects.filter(pk=self.connection.pk).update(status=Connection.Status.CREATED)
        XeroConnection.objects.create(
            connection=self.connection, tenant_id="tenant-1", access_token="a", refresh_token="r", expires_at=timezone.now()
        )
        DynamicsConnection.objects.create(connection=self.connection)  # signed in, no organisation chosen: not asked
        self.client.force_login(self.alice)

    def page(self) -> str:
        return self.client.get(f"/connections/{self.connection.pk}/").content.decode()

    def record_xero(self, minute_left: int, day_left: int, age: timedelta) -> None:
        budgets.record_xero(BudgetSeen("tenant-1", minute_left, day_left, Limits(), 1.0))
        budgets.flush()
        ApiBudget.objects.filter(key="tenant-1").update(read_at=timezone.now() - age)

    def test_before_any_call_it_says_no_calls_yet(self):
        body = self.page()
        self.assertEqual((xero_line(body), dynamics_line(body)), ("Xero: no calls yet", "Dynamics: no calls yet"))

    def test_a_fresh_reading_shows_its_figures_and_when_they_were_read(self):
        self.record_xero(41, 4321, timedelta(seconds=10))
        as_of = (timezone.localtime() - timedelta(seconds=10)).strftime("%H:%M")
        self.assertEqual(
            xero_line(self.page()), f"Xero: 41 of 60 calls left this minute, 4,321 of 5,000 left today (as of {as_of})"
        )

    def test_a_reading_older_than_a_minute_shows_this_minute_as_full(self):
        self.record_xero(3, 4321, timedelta(minutes=2))
        self.assertRegex(xero_line(self.page()), r"^Xero: 60 of 60 — no calls this minute, 4,321 of 5,000 left today \(as of")

    def test_a_reading_older_than_a_day_shows_both_as_full(self):
        self.record_xero(3, 12, timedelta(days=1, minutes=1))
        self.assertEqual(xero_line(self.page()), "Xero: 60 of 60 — no calls this minute, 5,000 of 5,000 — no calls today")
