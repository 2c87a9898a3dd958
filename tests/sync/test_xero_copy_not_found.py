"""An invoice whose linked Xero copy is not in the connected organisation fails with the real cause, its id, and
advice that cannot duplicate it: Xero keeps deleted and voided invoices, so "not found" means another organisation."""

from __future__ import annotations

import uuid

from dxconnector.domain.rules import Why
from dxconnector.sync.models import Link
from tests.sync.helpers import SyncTestCase


class XeroCopyNotFoundTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.invoice_id = self.make_invoice(self.make_account(), [{"description": "Install", "price": "100", "quantity": 1}])
        self.sync()
        # As if the invoice went to another Xero organisation than the one the connection uses now.
        self.missing = str(uuid.uuid4())
        Link.objects.filter(pk=self.link(self.invoice_id).pk).update(xero_id=self.missing)

    def test_an_update_whose_xero_copy_is_not_found_names_the_cause_and_does_not_advise_sending_it_again(self):
        self.dataverse().update("invoices", self.invoice_id, {"description": "Changed"})
        self.sync()
        failed = self.attempts(self.invoice_id)[-1]
        self.assertEqual((failed.outcome, failed.reason_code), ("FAILED", Why.LINK_MISSING.value))
        self.assertIn(f"The invoice's Xero copy ({self.missing}) was not found in the connected Xero organisation", failed.reason)
        self.assertIn("connect it to that one", failed.reason)
        self.assertIn("Only if you are sure the invoice is in no Xero organisation", failed.reason)
        self.assertNotIn("deleted in Xero?", failed.reason)
        self.assertEqual(self.link(self.invoice_id).xero_id, self.missing, "nothing was sent again")

    def test_a_cancellation_whose_xero_copy_is_not_found_says_the_same(self):
        self.cancel_invoice(self.invoice_id)
        self.sync()
        failed = self.attempts(self.invoice_id)[-1]
        self.assertEqual(failed.outcome, "FAILED")
        self.assertIn(f"({self.missing}) was not found in the connected Xero organisation", failed.reason)
