"""Using the APIs well (PRODUCT §3.7): a batch of invoices costs a handful of calls, not a few per invoice."""

from __future__ import annotations

from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, unique

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
        # Xero: find contacts, create contacts, find items, create items, create invoices; then what changed in Xero
        # (invoices, credit notes: our own writes, told apart by their hash).
        self.assertEqual(first.counts["xero_calls"], 7)
        self.assertEqual(first.counts.get("brought_back", 0), 0)
        # Dataverse: settings, three change feeds, the invoices read in full, one $batch write-back.
        self.assertEqual(first.counts["dynamics_calls"], 6)
        print(f"\n{INVOICES} new invoices: {first.counts['xero_calls']} Xero calls, {first.counts['dynamics_calls']} Dataverse calls")

        client = self.dataverse()
        for invoice_id in ids:
            client.update("invoices", invoice_id, {"description": "Revised"})
        edited = self.sync()
        self.assertEqual(edited.counts["succeeded"], INVOICES)
        # Xero: the current copies (to respect payments), the updates, what changed in Xero.
        self.assertEqual(edited.counts["xero_calls"], 4)
        self.assertEqual(edited.counts["dynamics_calls"], 6)
        print(f"{INVOICES} edited invoices: {edited.counts['xero_calls']} Xero calls, {edited.counts['dynamics_calls']} Dataverse calls")

        quiet = self.sync("sweep")  # Xero was asked a moment ago and its webhooks told of nothing since
        self.assertEqual((quiet.counts["xero_calls"], quiet.counts["dynamics_calls"]), (0, 4))

    def test_many_new_customers_are_matched_against_the_organisations_contacts_read_once(self):
        self.onboard()
        self.sync()
        known = self.in_xero(resources.CONTACTS, {"Name": unique("Known Customer")})
        customers = [self.make_account(name=known["Name"])] + [self.make_account() for _ in range(19)]
        ids = [self.make_invoice(customer, [{"description": "Setup", "price": "80", "quantity": 1}]) for customer in customers]
        contacts_in_xero = len(list(self.xero().records(resources.CONTACTS, include_archived=True, summary_only=True,
                                                        page_size=1000)))
        run = self.sync()
        self.assertEqual(run.counts["succeeded"], len(ids))
        # Looking 20 customers up would take two `where` queries; the whole contact list is one page of 1,000 here.
        pages = contacts_in_xero // 1000 + 1
        # The contact list, the new contacts, the invoices; then what changed in Xero (invoices, credit notes).
        self.assertEqual(run.counts["xero_calls"], pages + 2 + 2)
        self.assertEqual(run.counts["contacts_created"], 19)
        self.assertEqual(self.xero_document(ids[0])["Contact"]["ContactID"], known["ContactID"])
