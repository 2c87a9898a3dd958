"""An onboarding and a sync logged at DEBUG, as an operator with LOG_LEVEL=DEBUG would log them: no line holds a token, a
secret, an authorization code or an Authorization header, nor the invoice's amounts or its customer's name. Nor with the
HTTP libraries' loggers at DEBUG too, which the settings keep at WARNING: what they say of credentials is redacted."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.test import override_settings

from dxconnector import logs
from dxconnector.connections.models import DynamicsConnection, XeroConnection
from dxconnector.sync.models import SyncRun, Trigger
from tests.monitoring import captured_logs
from tests.sync.helpers import SyncTestCase, unique

METRICS_TOKEN = "metrics-token-never-logged-0123456789"
# Amounts no clock, id or counter would make by chance: the unit price and the line's total (Xero's totals with tax too).
PRICE, QUANTITY, TOTAL = "4817.23", "3", "14451.69"


@override_settings(METRICS_TOKEN=METRICS_TOKEN)
class LogsLeakNothingTestCase(SyncTestCase):
    def tokens(self) -> dict[str, str]:
        """The connection's tokens as stored now: Xero's pair and id token, every secret in Microsoft's token cache."""
        xero = XeroConnection.objects.get(connection=self.connection)
        found = {"Xero access token": xero.access_token, "Xero refresh token": xero.refresh_token, "Xero id token": xero.id_token}
        cache = json.loads(DynamicsConnection.objects.get(connection=self.connection).token_cache or "{}")
        for kind in ("AccessToken", "RefreshToken", "IdToken"):
            for number, entry in enumerate(cache.get(kind, {}).values()):
                found[f"Microsoft {kind} {number}"] = entry["secret"]
        return {name: value for name, value in found.items() if value}

    def onboarded_and_synced_at_debug(self, *, quiet: bool) -> tuple[list[str], dict[str, str]]:
        """Onboard, make an invoice, Sync now (the job run by the worker's loop), scrape /metrics and open a callback
        and a missing page with a code in their query, everything logged at DEBUG: (the lines, what must never be in one)."""
        customer = unique("Quillfeather Trading")
        description = unique("Soil survey")
        with captured_logs("DEBUG", quiet=quiet) as lines:
            self.onboard()
            tokens = self.tokens()
            invoice_id = self.make_invoice(
                self.make_account(name=customer), [{"description": description, "price": PRICE, "quantity": QUANTITY}]
            )
            self.client.post(f"/connections/{self.connection.pk}/sync/")
            self.run_jobs()
            self.assertEqual(self.client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}").status_code, 200)
            self.client.get("/xero/callback/", {"code": self.authorization_codes[0], "state": "stale"})
            self.client.get("/no-such-page/", {"code": self.authorization_codes[1]})
        tokens.update(self.tokens())

        [run] = SyncRun.objects.filter(connection=self.connection, trigger=Trigger.SYNC_NOW)
        self.assertEqual(run.status, SyncRun.Status.SUCCEEDED)
        self.assertEqual(self.attempts(invoice_id)[-1].outcome, "SUCCEEDED")
        in_xero = self.xero_document(invoice_id)
        self.assertEqual(str(in_xero["SubTotal"]), TOTAL)

        parsed = lines.parsed()  # every line is one JSON object
        self.assertTrue(any(line.get("run_id") == str(run.pk) for line in parsed), "no line names the run")
        self.assertTrue(all(line["connection_id"] == str(self.connection.pk) for line in parsed if line.get("run_id")))
        self.assertTrue(any(line.get("request_id") for line in parsed), "no line names its request")

        never = {
            **tokens,
            "Xero client secret": settings.XERO_CLIENT_SECRET,
            "Microsoft client secret": settings.DYNAMICS_CLIENT_SECRET,
            "Xero webhook key": settings.XERO_WEBHOOK_KEY,
            "Xero authorization code": self.authorization_codes[0],
            "Microsoft authorization code": self.authorization_codes[1],
            "SECRET_KEY": settings.SECRET_KEY,
            "METRICS_TOKEN": METRICS_TOKEN,
            "customer's name": customer,
            "line's description": description,
            "unit price": PRICE,
            "total": TOTAL,
            "total with tax": str(in_xero["Total"]),
            "tax": str(in_xero["TotalTax"]),
            **{f"encryption key {number}": key for number, key in enumerate(settings.ENCRYPTION_KEYS)},
        }
        self.assertTrue(all(never.values()), [name for name, value in never.items() if not value])
        self.assertTrue(
            {"Xero access token", "Xero refresh token", "Microsoft AccessToken 0", "Microsoft RefreshToken 0"} <= set(never)
        )
        return lines, never

    def assertNothingLeaks(self, lines: list[str], never: dict[str, str]) -> None:
        self.assertEqual([(name, line) for line in lines for name, value in never.items() if value in line], [])
        self.assertEqual([line for line in lines if re.search(r"(?i)authorization\W+(bearer|basic)\s+\w", line)], [])

    def test_an_onboarding_and_a_sync_logged_at_debug_leak_no_credential_and_no_record(self):
        lines, never = self.onboarded_and_synced_at_debug(quiet=True)
        self.assertNothingLeaks(lines, never)

    def test_nor_do_they_with_the_http_libraries_at_debug_too(self):
        # Their lines carry what goes over the wire: Microsoft's library logs the code it redeems and the refresh token it
        # uses, httpx the Location of a sign-in's redirect (the code). Each is there, redacted.
        lines, never = self.onboarded_and_synced_at_debug(quiet=False)
        self.assertNothingLeaks(lines, never)
        redacted = {json.loads(line)["logger"] for line in lines if logs.REDACTED in line}
        self.assertIn("msal.token_cache", redacted)
