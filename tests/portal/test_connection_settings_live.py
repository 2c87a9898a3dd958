"""Saving the Defaults of a created connection, against the sandbox: the account code is checked against the Xero
organisation's chart of accounts, the changed settings go into the connection's settings row in Dynamics (where the sync
reads them), a failure on either side saves nothing and keeps what was typed, and invoices the old sync-from date kept
out go to Xero once it moves earlier, once each."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from dxconnector.connections.clients import PAGE_TIMEOUT_SECONDS
from dxconnector.dynamics.solution.definition import CONNECTION, SETTINGS
from dxconnector.sync.models import Link, RequestedRecord, SyncAttempt
from tests.dynamics.dataverse_sandbox import control_client
from tests.sandboxes import control
from tests.sync.helpers import ORGANISATION, SyncTestCase, lines_of

LATENCY = 10.0  # longer than a page waits for Xero or Dynamics


class LiveConnectionSettingsTestCase(SyncTestCase):
    def setUp(self):
        super().setUp()
        self.onboard()

    def save(self, **fields):
        defaults = {"name": "Alpha Test", "time_zone": "Europe/London", **fields}
        return self.client.post(f"/connections/{self.connection.pk}/defaults/", defaults)

    def settings_row(self) -> dict:
        [row] = self.dataverse().list(
            SETTINGS.set_name,
            select=f"{SETTINGS.primary_name},stl3_timezone,stl3_defaultsalesaccountcode",
            filter=f"_stl3_connectorid_value eq {self.connector_id()}",
        )
        return row

    def connector_name(self) -> str:
        return self.dataverse().read(f"{CONNECTION.set_name}({self.connector_id()})")[CONNECTION.primary_name]

    def assertNothingSaved(self) -> None:
        self.connection.refresh_from_db()
        self.assertEqual(
            (self.connection.name, self.connection.time_zone, self.connection.default_sales_account_code),
            ("Alpha Test", "Europe/London", ""),
        )
        row = self.settings_row()
        self.assertEqual((row["stl3_timezone"], row["stl3_defaultsalesaccountcode"]), ("Europe/London", "200"))

    # --- the account code, checked with Xero ------------------------------------------------------------------
    def test_a_code_missing_from_the_chart_of_accounts_is_refused(self):
        response = self.save(default_sales_account_code="999", time_zone="Pacific/Auckland")
        self.assertContains(
            response,
            "Your Xero organisation has no account with the code “999”. Check the code in Xero&#x27;s chart of accounts",
            status_code=400,
        )
        self.assertContains(response, 'value="999"', status_code=400)
        self.assertContains(response, '<option value="Pacific/Auckland" selected>', status_code=400)
        self.assertNothingSaved()

    def test_a_bank_account_is_refused(self):
        response = self.save(default_sales_account_code="090")
        self.assertContains(response, "Account 090 (Business Bank Account) is a bank account", status_code=400)
        self.assertNothingSaved()

    def test_a_code_from_the_chart_of_accounts_is_saved_here_and_in_dynamics_and_the_sync_uses_it(self):
        response = self.save(name="Alpha Renamed", time_zone="Pacific/Auckland", default_sales_account_code="260")
        self.assertRedirects(response, f"/connections/{self.connection.pk}/")
        self.connection.refresh_from_db()
        self.assertEqual(
            (self.connection.name, self.connection.time_zone, self.connection.default_sales_account_code),
            ("Alpha Renamed", "Pacific/Auckland", "260"),
        )
        row = self.settings_row()
        self.assertEqual(
            (row[SETTINGS.primary_name], row["stl3_timezone"], row["stl3_defaultsalesaccountcode"]),
            ("Alpha Renamed", "Pacific/Auckland", "260"),
        )
        self.assertEqual(self.connector_name(), "Alpha Renamed", "people pick the connection by this name on an invoice")

        invoice = self.make_invoice(self.make_account(), [{"description": "Consulting", "price": "100", "quantity": 1}])
        self.sync()
        self.assertEqual([line[4] for line in lines_of(self.xero_document(invoice))], ["260"])

    def test_a_setting_changed_in_dynamics_is_not_overwritten_by_one_left_as_it_was(self):
        self.set_settings(stl3_timezone="Australia/Perth")
        self.assertRedirects(self.save(name="Alpha Renamed"), f"/connections/{self.connection.pk}/")
        row = self.settings_row()
        self.assertEqual((row[SETTINGS.primary_name], row["stl3_timezone"]), ("Alpha Renamed", "Australia/Perth"))

    def test_when_xero_does_not_answer_nothing_is_saved_and_what_was_typed_stays(self):
        control(self.sandbox, "PUT", "/faults", {"rates": {"latency": 1.0}, "latency": LATENCY})
        try:
            started = time.monotonic()
            response = self.save(default_sales_account_code="260", time_zone="Pacific/Auckland")
            seconds = time.monotonic() - started
        finally:
            control(self.sandbox, "PUT", "/faults", {})
        self.assertLess(seconds, PAGE_TIMEOUT_SECONDS + 3, "the page waited on Xero")
        self.assertContains(
            response,
            "Xero did not answer, so the code could not be checked against its chart of accounts. Nothing was saved; "
            "try again in a moment.",
            status_code=400,
        )
        self.assertContains(response, 'value="260"', status_code=400)
        self.assertNothingSaved()

    def test_when_dynamics_does_not_answer_nothing_is_saved_and_what_was_typed_stays(self):
        org = next(o for o in self.sandbox.manifest["microsoft"]["organisations"] if o["friendly_name"] == ORGANISATION)
        with control_client(self.sandbox, org) as dataverse:
            dataverse.put("/faults", json={"rates": {"503": 1.0}}).raise_for_status()
            try:
                response = self.save(time_zone="Pacific/Auckland")
            finally:
                dataverse.put("/faults", json={}).raise_for_status()
        self.assertContains(
            response,
            "Dynamics did not answer, so the settings could not be saved there. Nothing was changed; try again in a moment.",
            status_code=503,
        )
        self.assertContains(response, '<option value="Pacific/Auckland" selected>', status_code=503)
        self.assertNothingSaved()

    # --- invoices the sync-from date kept out ------------------------------------------------------------------
    def test_invoices_kept_out_by_the_sync_from_date_go_to_xero_once_when_it_moves_earlier(self):
        today = date.today()
        self.assertRedirects(
            self.save(sync_invoices_from=(today - timedelta(days=10)).isoformat()), f"/connections/{self.connection.pk}/"
        )
        customer = self.make_account()
        lines = [{"description": "Backfill", "price": "40", "quantity": 1}]
        recent = self.make_invoice(customer, lines, delivered=datetime.now(UTC) - timedelta(days=20))
        old = self.make_invoice(customer, lines, delivered=datetime.now(UTC) - timedelta(days=60))
        self.sync()
        for invoice in (recent, old):
            [attempt] = self.attempts(invoice)
            self.assertEqual((attempt.outcome, attempt.reason_code), (SyncAttempt.Outcome.SKIPPED, "before_sync_from"))

        response = self.save(sync_invoices_from=(today - timedelta(days=30)).isoformat())
        self.assertEqual(response.status_code, 302)
        self.assertMessage(
            self.client.get(response["Location"]),
            "Defaults saved. 2 invoices held back by the old settings will be checked again in the next sync.",
        )
        self.assertEqual(
            set(RequestedRecord.objects.filter(connection=self.connection).values_list("dynamics_id", flat=True)), {recent, old}
        )
        self.sync()
        self.assertTrue(Link.objects.filter(connection=self.connection, dynamics_id=recent).exclude(xero_id="").exists())
        self.assertFalse(Link.objects.filter(connection=self.connection, dynamics_id=old).exists(), "still before the date")
        self.sync()
        self.assertEqual(len(self.xero_invoices_linking_to(recent)), 1)
        self.assertEqual(len(self.xero_invoices_linking_to(old)), 0)

    def test_a_later_sync_from_date_asks_for_nothing_again(self):
        today = date.today()
        self.save(sync_invoices_from=(today - timedelta(days=30)).isoformat())
        self.make_invoice(
            self.make_account(),
            [{"description": "Old", "price": "5", "quantity": 1}],
            delivered=datetime.now(UTC) - timedelta(days=60),
        )
        self.sync()
        response = self.save(sync_invoices_from=(today - timedelta(days=10)).isoformat())
        page = self.client.get(response["Location"])
        self.assertMessage(page, "Defaults saved.")
        self.assertNotContains(page, "held back by the old settings")
        self.assertFalse(RequestedRecord.objects.filter(connection=self.connection).exists())
