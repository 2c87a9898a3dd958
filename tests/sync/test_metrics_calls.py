"""/metrics counts the calls where they are made: after a sync against the sandbox, its call counters by system and
status have grown by exactly the calls the sandbox's Xero API host and Dataverse host answered, by status — refused
ones (429, 503) included."""

from __future__ import annotations

from collections import Counter

from django.test import override_settings

from dxconnector import metrics
from dxsandbox import steering
from tests.monitoring import scraped
from tests.sandboxes import control
from tests.sync.helpers import ORGANISATION, IsolatedSyncTestCase, SyncTestCase

TOKEN = "metrics-token-for-the-sync-tests-0123"
INVOICES = 6


class CallCounters:
    def dataverse_control(self, method: str, path: str, body: dict | None = None) -> dict:
        organisation = next(o for o in self.sandbox.manifest["microsoft"]["organisations"] if o["friendly_name"] == ORGANISATION)
        return steering.control(self.sandbox.manifest, organisation["control_url"], method, path, body)

    def answered(self) -> dict[str, Counter[str]]:
        """What the sandbox's hosts have answered so far, by status ("none" when they cut the connection)."""
        return {
            metrics.XERO: Counter(control(self.sandbox, "GET", "/stats")["answers"]),
            metrics.DATAVERSE: Counter(self.dataverse_control("GET", "/stats")["answers"]),
        }

    def counted(self) -> dict[str, Counter[str]]:
        """What /metrics says the connector has called, by system and status."""
        response = self.client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        found: dict[str, Counter[str]] = {metrics.XERO: Counter(), metrics.DATAVERSE: Counter()}
        for (name, labels), value in scraped(response.content.decode()).items():
            if name == "dxconnector_api_calls_total":
                label = dict(labels)
                status = "none" if label["status"] == metrics.NO_ANSWER else label["status"]
                found[label["system"]][status] += int(value)
        return found

    def runs_succeeded(self) -> float:
        response = self.client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        samples = scraped(response.content.decode())
        return sum(
            value
            for (name, labels), value in samples.items()
            if name == "dxconnector_sync_runs_total" and ("status", "succeeded") in labels
        )

    def records_sent(self) -> float:
        response = self.client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        key = ("dxconnector_sync_records_total", (("direction", "to_xero"), ("kind", "invoice"), ("outcome", "succeeded")))
        return scraped(response.content.decode()).get(key, 0)

    def synced_with_calls_counted(self):
        """Invoices made, then one sync: (the run, the sandbox's answers during it, /metrics' counts during it)."""
        for n in range(INVOICES):
            self.make_invoice(self.make_account(), [{"description": "Consulting", "price": "120", "quantity": n + 1}])
        answered_before, counted_before = self.answered(), self.counted()
        runs_before, records_before = self.runs_succeeded(), self.records_sent()
        run = self.sync()
        answered = {system: self.answered()[system] - answered_before[system] for system in answered_before}
        counted = {system: self.counted()[system] - counted_before[system] for system in counted_before}
        self.assertEqual(self.runs_succeeded() - runs_before, 1)
        self.assertEqual(self.records_sent() - records_before, run.counts["succeeded"])
        return run, answered, counted


@override_settings(METRICS_TOKEN=TOKEN)
class MetricsCallCountsTestCase(CallCounters, SyncTestCase):
    def test_the_call_counters_grow_by_the_calls_the_sandbox_answered_during_a_sync(self):
        self.onboard()
        self.sync()  # what the organisation had before
        run, answered, counted = self.synced_with_calls_counted()
        self.assertEqual(run.counts["succeeded"], INVOICES)
        print(f"\nA sync of {INVOICES} invoices: counted {dict(counted)}, the sandbox answered {dict(answered)}")
        self.assertEqual(counted, answered)
        self.assertGreater(sum(counted[metrics.XERO].values()), 0)
        self.assertGreater(sum(counted[metrics.DATAVERSE].values()), 0)
        # The run's own figures (its clients' counts) agree, a sandbox that served every call having seen each once.
        self.assertEqual(sum(counted[metrics.XERO].values()), run.counts["xero_calls"])
        self.assertEqual(sum(counted[metrics.DATAVERSE].values()), run.counts["dynamics_calls"])


@override_settings(METRICS_TOKEN=TOKEN)
class MetricsCallCountsUnderRefusalsTestCase(CallCounters, IsolatedSyncTestCase):
    def test_refused_calls_are_counted_by_their_status_as_the_sandbox_answered_them(self):
        self.onboard()
        self.sync()
        plan = {"rates": {"429": 0.15, "503": 0.15}, "seed": 11}
        control(self.sandbox, "PUT", "/faults", plan)
        self.dataverse_control("PUT", "/faults", {**plan, "seed": 12})
        try:
            run, answered, counted = self.synced_with_calls_counted()
        finally:
            control(self.sandbox, "PUT", "/faults", {"rates": {}})
            self.dataverse_control("PUT", "/faults", {"rates": {}})
        self.assertEqual(run.counts["succeeded"], INVOICES)
        self.assertEqual(counted, answered)
        print(f"\nA sync of {INVOICES} invoices with refusals: counted {dict(counted)}, the sandbox answered {dict(answered)}")
        refused = {system: counted[system]["429"] + counted[system]["503"] for system in counted}
        self.assertGreater(sum(refused.values()), 0, "the sandbox refused no call: the plan did not bite")
