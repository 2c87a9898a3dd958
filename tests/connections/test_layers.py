"""The sync and the connections stand without the portal above them; connections made before they were a layer of
their own are theirs after the migration, with everything that points at them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

ROOT = Path(__file__).resolve().parent.parent.parent
WITHOUT_PORTAL = """
import sys
import django
django.setup()
import dxconnector.sync.engine, dxconnector.sync.verify, dxconnector.sync.api, dxconnector.connections.clients
loaded = sorted(name for name in sys.modules if name.startswith("dxconnector.portal"))
print("portal modules:", loaded)
sys.exit(1 if loaded else 0)
"""


def test_the_engine_loads_without_the_portal():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings_without_portal", "PYTHONPATH": str(ROOT)}
    ran = subprocess.run([sys.executable, "-c", WITHOUT_PORTAL], capture_output=True, text=True, cwd=ROOT, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr


class MovedConnectionsTestCase(TransactionTestCase):
    BEFORE = [("portal", "0005_connection_backfill_defaults"), ("sync", "0006_deletions_and_attempted_versions")]

    def test_a_connection_made_in_the_portal_app_is_the_connections_app_s_with_its_sync_state(self):
        executor = MigrationExecutor(connection)
        executor.migrate([*self.BEFORE, ("connections", None)])  # the connections app's own later columns go too
        old = executor.loader.project_state(self.BEFORE).apps
        owner = old.get_model("portal", "User").objects.create(email="alice@example.org", name="Alice")
        made = old.get_model("portal", "Connection").objects.create(owner=owner, name="Before the move")
        old.get_model("portal", "XeroConnection").objects.create(
            connection=made, tenant_id="t-1", access_token="a", refresh_token="r", expires_at="2030-01-01T00:00:00Z"
        )
        old.get_model("sync", "Link").objects.create(connection=made, kind="invoice", dynamics_id="d-1", xero_id="x-1")

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        from dxconnector.connections.models import Connection

        moved = Connection.objects.get(name="Before the move")
        self.assertEqual(
            (moved.owner.email, moved.xero.tenant_id, moved.links.get().xero_id), ("alice@example.org", "t-1", "x-1")
        )
