"""A connection's sync runs once at a time: the lease, taken and renewed with one conditional UPDATE."""

from __future__ import annotations

import time
from datetime import timedelta

from django.test import TransactionTestCase
from django.utils import timezone

from dxconnector.connections.models import Connection
from dxconnector.sync import state
from dxconnector.sync.models import Cursor, Lease, Link, SyncRun
from dxconnector.sync.streams import INVOICES_TO_XERO
from tests.base import BaseTestCase
from tests.sync.helpers import SyncTestCase


class LeaseTestCase(BaseTestCase):
    def test_a_free_lease_is_taken_and_a_second_holder_is_kept_out(self):
        self.assertTrue(state.acquire_lease(self.connection.pk, "worker-a"))
        self.assertFalse(state.acquire_lease(self.connection.pk, "worker-b"))

    def test_the_holder_may_take_its_own_lease_again(self):
        self.assertTrue(state.acquire_lease(self.connection.pk, "worker-a"))
        self.assertTrue(state.acquire_lease(self.connection.pk, "worker-a"))

    def test_a_released_lease_is_free_for_the_next_run(self):
        state.acquire_lease(self.connection.pk, "worker-a")
        state.release_lease(self.connection.pk, "worker-a")
        self.assertTrue(state.acquire_lease(self.connection.pk, "worker-b"))

    def test_releasing_someone_elses_lease_does_nothing(self):
        state.acquire_lease(self.connection.pk, "worker-a")
        state.release_lease(self.connection.pk, "worker-b")
        self.assertFalse(state.acquire_lease(self.connection.pk, "worker-b"))

    def test_an_expired_lease_is_taken_over_and_its_old_holder_stops_at_its_next_renewal(self):
        long_ago = timezone.now() - timedelta(hours=1)
        state.acquire_lease(self.connection.pk, "stuck-worker", seconds=60, now=long_ago)
        self.assertTrue(state.acquire_lease(self.connection.pk, "worker-b"))
        with self.assertRaises(state.LeaseLost):
            state.renew_lease(self.connection.pk, "stuck-worker")
        state.renew_lease(self.connection.pk, "worker-b")

    def test_leases_of_different_connections_are_independent(self):
        other = self.connection.owner.connections.create(name="Other")
        self.assertTrue(state.acquire_lease(self.connection.pk, "worker-a"))
        self.assertTrue(state.acquire_lease(other.pk, "worker-b"))


class SecondRunTestCase(SyncTestCase):
    def test_the_lease_keeps_a_second_run_out(self):
        self.onboard()
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Once", "price": "10", "quantity": 1}])
        state.acquire_lease(self.connection.pk, "a run on another worker")
        busy = self.run_once()
        self.assertEqual(busy.status, SyncRun.Status.BUSY)
        self.assertFalse(Cursor.objects.filter(connection=self.connection, stream=INVOICES_TO_XERO.name).exists())
        self.assertFalse(Link.objects.filter(connection=self.connection).exists())
        self.assertFalse(self.attempts(invoice_id))
        state.release_lease(self.connection.pk, "a run on another worker")
        self.sync()
        self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)


class LeaseKeeperTestCase(TransactionTestCase):
    """The keeper renews from a thread of its own, with its own database connection: what it reads must be committed."""

    def setUp(self) -> None:
        owner = BaseTestCase.make_user("alice@example.org", "Alice Anders", "Alpha Ltd")
        self.connection = Connection.objects.create(owner=owner, name="Alpha Sales", time_zone="Europe/London")

    def test_the_keeper_renews_the_lease_while_the_run_lives(self):
        state.acquire_lease(self.connection.pk, "worker-a", seconds=3)
        first = Lease.objects.get(connection=self.connection).expires_at
        keeper = state.LeaseKeeper(self.connection.pk, "worker-a", 3)
        keeper.start()
        try:
            time.sleep(2.5)
        finally:
            keeper.stop()
        self.assertGreater(Lease.objects.get(connection=self.connection).expires_at, first)
        self.assertFalse(keeper.lost)

    def test_the_keeper_marks_the_lease_lost_once_another_run_took_it(self):
        state.acquire_lease(self.connection.pk, "worker-a", seconds=3, now=timezone.now() - timedelta(hours=1))
        self.assertTrue(state.acquire_lease(self.connection.pk, "worker-b"))
        keeper = state.LeaseKeeper(self.connection.pk, "worker-a", 3)
        keeper.start()
        keeper.join(timeout=5)
        self.assertTrue(keeper.lost)
        self.assertEqual(Lease.objects.get(connection=self.connection).holder, "worker-b")
