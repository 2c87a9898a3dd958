"""Using the APIs well (PRODUCT §3.7): a batch of invoices costs a handful of calls, not a few per invoice."""

from __future__ import annotations

from tests.sync.helpers import SyncTestCase

INVOICES = 20


class ApiCallsTestCase(SyncTestCase):
    def test_a_batch_of_new_invoices_with_new_customers_and_products_takes_a_handful_of_calls(self):
        self.onboard(stl3_createnewproducts=True)
        self.sync()  # whatever the organisation had before: the figures below are for these invoices alone
        customers = [self.make_account() for _ in range(4)]
        products = [self.make_product() for _ in range(3)]
        ids = [self.make_invoice(customers[n % 4], [{"product": products[n % 3], "quantity": n + 1},
                                                    {"description": "Delivery", "price": "15", "quantity": 1}])
               for n in range(INVOICES)]
        first = self.sync()
        self.assertEqual(first.counts["succeeded"], INVOICES)
        # Xero: find contacts, create contacts, find items, create items, create invoices.
        self.assertEqual(first.counts["xero_calls"], 5)
        # Dataverse: settings, three change feeds, the invoices read in full, one $batch write-back.
        self.assertEqual(first.counts["dynamics_calls"], 6)
        print(f"\n{INVOICES} new invoices: {first.counts['xero_calls']} Xero calls, {first.counts['dynamics_calls']} Dataverse calls")

        client = self.dataverse()
        for invoice_id in ids:
            client.update("invoices", invoice_id, {"description": "Revised"})
        edited = self.sync()
        self.assertEqual(edited.counts["succeeded"], INVOICES)
        # Xero: the current copies (to respect payments), the updates.
        self.assertEqual(edited.counts["xero_calls"], 2)
        self.assertEqual(edited.counts["dynamics_calls"], 6)
        print(f"{INVOICES} edited invoices: {edited.counts['xero_calls']} Xero calls, {edited.counts['dynamics_calls']} Dataverse calls")

        quiet = self.sync()
        self.assertEqual((quiet.counts["xero_calls"], quiet.counts["dynamics_calls"]), (0, 4))
