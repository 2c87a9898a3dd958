"""The invoices a setting held back, retried from the history once the setting is changed: against the sandbox, the
history groups them under their reason, the group's Retry queues them through the retry path, and the next run sends
them; then nothing is waiting any more."""

from __future__ import annotations

from tests.sync.helpers import SyncTestCase


class HistoryWaitingTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard(stl3_createnewcontacts=False)
        self.sync()  # the first sync the trial started: nothing of this test's yet
        line = [{"description": "Harbour tour", "price": "80", "quantity": 1}]
        self.invoices = [self.make_invoice(self.make_account(), line) for _ in range(2)]
        self.sync()

    def history(self):
        return self.client.get(f"/connections/{self.connection.pk}/history/")

    def test_invoices_a_setting_held_back_go_once_the_setting_is_changed_and_their_group_retried(self):
        self.assertEqual([self.attempts(i)[-1].outcome for i in self.invoices], ["FAILED", "FAILED"])
        [group] = self.history().context["waiting"]
        self.assertEqual((group.words, group.count), ("2 invoices failed", 2))

        self.set_settings(stl3_createnewcontacts=True)
        self.sync()  # the invoices did not change: the cursor has moved past them
        self.assertEqual([self.attempts(i)[-1].outcome for i in self.invoices], ["FAILED", "FAILED"])

        retried = self.client.post(
            f"/connections/{self.connection.pk}/history/retry/",
            {"outcome": group.outcome, "reason_code": group.reason_code},
            follow=True,
        )
        self.assertMessage(retried, "2 invoices will be synced again in a moment")
        self.sync("retry")
        self.assertEqual([self.attempts(i)[-1].outcome for i in self.invoices], ["SUCCEEDED", "SUCCEEDED"])
        for invoice_id in self.invoices:
            self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)
        page = self.history()
        self.assertEqual(page.context["waiting"], [])
        self.assertEqual(
            [row["retryable"] for row in page.context["rows"] if row["attempt"].dynamics_id in self.invoices], [False] * 4
        )
