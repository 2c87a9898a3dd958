"""The Defaults form refuses what could never work, with what to do, and keeps what was typed. What needs Xero or
Dynamics (the account code checked against the chart of accounts, a live connection's settings row, invoices looked at
again) is in test_connection_settings_live.py, against the sandbox."""

import re
from datetime import date, timedelta

from django.utils import timezone

from dxconnector.connections.models import XeroConnection
from tests.base import BaseTestCase


class ConnectionDefaultsTestCase(BaseTestCase):
    def url(self):
        return f"/connections/{self.connection.pk}/defaults/"

    def post(self, **fields):
        self.client.force_login(self.alice)
        return self.client.post(self.url(), {"name": "Alpha Sales", "time_zone": "Europe/London", **fields})

    def assertRefused(self, response, error: str) -> None:
        self.assertContains(response, error, status_code=400)
        self.connection.refresh_from_db()
        self.assertEqual(
            (self.connection.name, self.connection.time_zone, self.connection.default_sales_account_code),
            ("Alpha Sales", "Europe/London", ""),
            "nothing may be saved from a form that was refused",
        )
        self.assertIsNone(self.connection.sync_invoices_from)

    def test_it_saves_the_name_and_time_zone(self):
        response = self.post(name="Alpha AU", time_zone="Australia/Sydney")
        self.assertRedirects(response, f"/connections/{self.connection.pk}/")
        self.connection.refresh_from_db()
        self.assertEqual((self.connection.name, self.connection.time_zone), ("Alpha AU", "Australia/Sydney"))

    def test_it_rejects_an_unknown_time_zone_and_a_blank_name(self):
        response = self.post(name="", time_zone="Mars/Olympus")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "“Mars/Olympus” is not a time zone we know. Pick one from the list.", status_code=400)
        self.assertContains(response, "This field is required.", status_code=400)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, "Alpha Sales")

    def test_the_time_zone_list_holds_current_names_only(self):
        self.client.force_login(self.alice)
        body = self.client.get(f"/connections/{self.connection.pk}/").content.decode()
        zones = re.findall(r'<option value="([^"]*)"', body[body.index('name="time_zone"') :].split("</select>")[0])
        self.assertIn("Pacific/Auckland", zones)
        self.assertIn("America/Argentina/Buenos_Aires", zones)
        self.assertIn("UTC", zones)
        for old_name in ("US/Pacific", "GB", "Asia/Calcutta", "Etc/GMT+5", "Europe/Belfast", "NZ"):
            self.assertNotIn(old_name, zones)
        self.assertLess(len(zones), 450, "one entry per place in use, not every alias")
        self.assertIn('<option value="Pacific/Auckland">Auckland (Pacific)</option>', body)

    def test_the_xero_organisations_time_zone_leads_the_list(self):
        XeroConnection.objects.create(
            connection=self.connection,
            tenant_id="tenant-1",
            tenant_name="Alpha Ltd",
            organisation_timezone="INDIASTANDARDTIME",
            access_token="access",
            refresh_token="refresh",
            expires_at=timezone.now(),
        )
        self.client.force_login(self.alice)
        body = self.client.get(f"/connections/{self.connection.pk}/").content.decode()
        zones = re.findall(r'<option value="([^"]*)"', body[body.index('name="time_zone"') :].split("</select>")[0])
        self.assertEqual(zones[:2], ["", "Asia/Kolkata"], "Xero says Asia/Calcutta, an old name of Asia/Kolkata")
        self.assertIn("Kolkata (Asia): your Xero organisation&#x27;s time zone", body)

    def test_a_time_zone_saved_under_an_old_name_shows_as_its_current_one(self):
        self.connection.time_zone = "US/Pacific"
        self.connection.save()
        self.client.force_login(self.alice)
        response = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(response, '<option value="America/Los_Angeles" selected>Los Angeles (America)</option>')

    def test_an_account_code_longer_than_xero_keeps_is_refused_not_cut_short(self):
        response = self.post(default_sales_account_code="abc def ghi")
        self.assertRefused(
            response,
            "“abc def ghi” can&#x27;t be a Xero account code: an account code has at most 10 characters, and this one "
            "has 11. Enter the code as your Xero chart of accounts shows it, such as 200.",
        )
        self.assertContains(response, 'value="abc def ghi"', status_code=400)
        box = re.search(r'<input[^>]*name="default_sales_account_code"[^>]*>', response.content.decode()).group(0)
        self.assertNotIn("maxlength", box, "a browser would cut a longer code short without a word")

    def test_an_account_code_with_spaces_is_refused(self):
        response = self.post(default_sales_account_code="abc def gh", sync_invoices_from="2024-01-01")
        self.assertRefused(response, "“abc def gh” can&#x27;t be a Xero account code: an account code has no spaces.")
        self.assertContains(response, 'value="abc def gh"', status_code=400)
        self.assertContains(response, 'value="2024-01-01"', status_code=400)
        # A screen reader reads the error with the box: the box names the error's element, which holds it.
        body = response.content.decode()
        box = re.search(r'<input[^>]*name="default_sales_account_code"[^>]*>', body).group(0)
        self.assertIn('aria-invalid="true"', box)
        described_by = re.search(r'aria-describedby="([^"]*)"', box).group(1).split()
        errors = re.search(rf'<div id="{described_by[-1]}">(.*?)</div>', body).group(1)
        self.assertIn("can&#x27;t be a Xero account code: an account code has no spaces.", errors)

    def test_an_account_code_needs_xero_connected_to_be_checked(self):
        response = self.post(default_sales_account_code="200")
        self.assertRefused(response, "Connect to Xero first: the code is checked against its chart of accounts.")

    def test_a_sync_from_date_after_today_is_refused_with_the_rule(self):
        response = self.post(sync_invoices_from="2030-01-01")
        today = date.today()
        self.assertRefused(response, "Pick a day from 1 January 2000 to today (")
        self.assertContains(response, "or leave it empty to sync all invoices.", status_code=400)
        self.assertContains(response, 'value="2030-01-01"', status_code=400)
        self.assertIn(str(today.year), response.context["defaults_form"].errors["sync_invoices_from"][0])

    def test_a_sync_from_date_before_2000_is_refused(self):
        self.assertRefused(self.post(sync_invoices_from="1999-12-31"), "Pick a day from 1 January 2000 to today (")

    def test_a_sync_from_date_in_the_past_is_saved(self):
        day = date.today() - timedelta(days=30)
        self.assertRedirects(self.post(sync_invoices_from=day.isoformat()), f"/connections/{self.connection.pk}/")
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.sync_invoices_from, day)

    def test_the_checklist_asks_for_missing_defaults(self):
        self.connection.name = ""
        self.connection.time_zone = ""
        self.connection.save()
        self.client.force_login(self.alice)
        response = self.client.get(f"/connections/{self.connection.pk}/")
        [line] = [line for line in response.context["checklist"] if line.key == "defaults"]
        self.assertFalse(line.done)

    def test_another_user_cannot_change_them(self):
        self.client.force_login(self.bob)
        self.assertNotFound(self.client.post(self.url(), {"name": "Hijacked", "time_zone": "UTC"}))
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, "Alpha Sales")
