"""Using the APIs well (PRODUCT §3.7): a batch of invoices costs a handful of calls, not a few per invoice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from unittest import mock

from dxconnector.sync import engine, reading
from dxconnector.sync.streams import INVOICES_TO_XERO
from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, unique

INVOICES = 20


class ApiCallsTestCase(SyncTestCase):
    def test_a_batch_of_new_invoices_with_new_customers_and_products_takes_a_handful_of_calls(self):
        self.onboard(stl3_createnewproducts=True)
        self.sync()  # whatever the organisation had before: the figures below are for these invoices alone
        customers = [self.make_account() for _ in range(4)]
        products = [self.make_product() for _ in range(3)]
        ids = [
            self.make_invoice(
                customers[n % 4],
                [{"product": products[n % 3], "quantity": n + 1}, {"description": "Delivery", "price": "15", "quantity": 1}],
            )
            for n in range(INVOICES)
        ]
        first = self.sync()
        self.assertEqual(first.counts["succeeded"], INVOICES)
        # Xero: find contacts, create contacts, find items, create items, create invoices. Xero is not read back: every
        # invoice linked was sent by this run (the next run reads it).
        self.assertEqual(first.counts["xero_calls"], 5)
        self.assertEqual(first.counts.get("brought_back", 0), 0)
        # Dataverse: settings, three change feeds, the invoices read in full, one $batch write-back; then the customers'
        # and products' streams: their change feeds (accounts, contacts; products), the newly linked ones read, and one
        # $batch each writing their Xero rows.
        self.assertEqual(first.counts["dynamics_calls"], 13)
        print(
            f"\n{INVOICES} new invoices: {first.counts['xero_calls']} Xero calls, {first.counts['dynamics_calls']} Dataverse calls"
        )

        client = self.dataverse()
        for invoice_id in ids:
            client.update("invoices", invoice_id, {"description": "Revised"})
        edited = self.sync()
        self.assertEqual(edited.counts["succeeded"], INVOICES)
        # Xero: the current copies (to respect payments), the updates. Still not read back: this run sent every invoice
        # linked again, and what Xero answered is what Dynamics was shown.
        self.assertEqual(edited.counts["xero_calls"], 2)
        self.assertEqual(edited.counts["dynamics_calls"], 9)  # and the customers' and products' three change feeds
        print(
            f"{INVOICES} edited invoices: {edited.counts['xero_calls']} Xero calls, {edited.counts['dynamics_calls']} Dataverse calls"
        )

        read_back = self.sync("sweep")  # Xero never read yet: what changed there (invoices, credit notes), our own writes
        # Two calls for the invoices and credit notes; then the payments' first read, once: payments, credit notes,
        # prepayments, overpayments, and the linked customers' balances (up to 100 a call).
        self.assertEqual((read_back.counts["xero_calls"], read_back.counts.get("brought_back", 0)), (7, 0))
        asked = self.sync()  # no invoice of ours changed in Xero: its payments are not read again
        self.assertEqual(asked.counts["xero_calls"], 2)
        quiet = self.sync("sweep")  # Xero was asked a moment ago and its webhooks told of nothing since
        self.assertEqual((quiet.counts["xero_calls"], quiet.counts["dynamics_calls"]), (0, 7))

    def test_many_new_customers_are_matched_against_the_organisations_contacts_read_once(self):
        self.onboard()
        self.sync()
        known = self.in_xero(resources.CONTACTS, {"Name": unique("Known Customer")})
        customers = [self.make_account(name=known["Name"])] + [self.make_account() for _ in range(19)]
        ids = [self.make_invoice(customer, [{"description": "Setup", "price": "80", "quantity": 1}]) for customer in customers]
        contacts_in_xero = len(
            list(self.xero().records(resources.CONTACTS, include_archived=True, summary_only=True, page_size=1000))
        )
        run = self.sync()
        self.assertEqual(run.counts["succeeded"], len(ids))
        # Looking 20 customers up would take two `where` queries; the whole contact list is one page of 1,000 here.
        pages = contacts_in_xero // 1000 + 1
        # The contact list, the new contacts, the invoices (Xero is read back from the next run).
        self.assertEqual(run.counts["xero_calls"], pages + 2)
        self.assertEqual(run.counts["contacts_created"], 19)
        self.assertEqual(self.xero_document(ids[0])["Contact"]["ContactID"], known["ContactID"])

    def test_a_run_of_several_batches_makes_all_its_new_customers_and_products_first_fifty_a_call(self):
        self.onboard(stl3_createnewproducts=True)
        self.sync()
        ids = [self.make_invoice(self.make_account(), [{"product": self.make_product(), "quantity": 1}]) for _ in range(6)]
        with mock.patch.object(engine, "STREAMS", (replace(INVOICES_TO_XERO, batch_size=2),)):
            run = self.sync()
        self.assertEqual((run.counts["succeeded"], run.counts["contacts_created"], run.counts["items_created"]), (6, 6, 6))
        # Looked up and created once for the run: contacts (2), items (2); then each batch's invoices (3). Batch by batch
        # it would have been 5 calls a batch.
        self.assertEqual(run.counts["xero_calls"], 7)
        # Dataverse: settings, three change feeds, the invoices read once ahead of the batches, for their customers and
        # products (3) and kept for the batches, a $batch write-back per batch (3).
        self.assertEqual(run.counts["dynamics_calls"], 10)
        for invoice_id in ids:
            self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)

        client = self.dataverse()
        for invoice_id in ids:
            client.update("invoices", invoice_id, {"description": "Revised"})
        with mock.patch.object(engine, "STREAMS", (replace(INVOICES_TO_XERO, batch_size=2),)):
            edited = self.sync()
        self.assertEqual(edited.counts["succeeded"], 6)
        # Every invoice is in Xero already: no first pass. Settings, three change feeds, then per batch a read and a
        # write-back.
        self.assertEqual(edited.counts["dynamics_calls"], 10)

    def test_a_run_of_more_invoices_than_it_keeps_reads_them_again_batch_by_batch(self):
        self.onboard(stl3_createnewproducts=True)
        self.sync()
        ids = [self.make_invoice(self.make_account(), [{"product": self.make_product(), "quantity": 1}]) for _ in range(6)]
        with (
            mock.patch.object(engine, "STREAMS", (replace(INVOICES_TO_XERO, batch_size=2),)),
            mock.patch.object(reading, "READ_AHEAD_LIMIT", 5),
        ):
            run = self.sync()
        self.assertEqual((run.counts["succeeded"], run.counts["contacts_created"], run.counts["items_created"]), (6, 6, 6))
        self.assertEqual(run.counts["xero_calls"], 7)
        # Settings, three change feeds, the invoices read ahead (3) and kept not, read again in full (3), the write-backs.
        self.assertEqual(run.counts["dynamics_calls"], 13)
        for invoice_id in ids:
            self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)

    def test_the_first_pass_makes_no_customer_for_an_invoice_held_back(self):
        self.onboard()
        self.sync()
        later = self.make_account()
        held = self.make_invoice(
            later, [{"description": "Later", "price": "10", "quantity": 1}], delivered=datetime(2099, 1, 1, tzinfo=UTC)
        )
        for _ in range(3):
            self.make_invoice(self.make_account(), [{"description": "Now", "price": "10", "quantity": 1}])
        with mock.patch.object(engine, "STREAMS", (replace(INVOICES_TO_XERO, batch_size=2),)):
            run = self.sync()
        self.assertEqual((run.counts["succeeded"], run.counts["held_back"], run.counts["contacts_created"]), (3, 1, 3))
        self.assertEqual(self.attempts(held)[-1].reason_code, "delivered_in_future")
        self.assertEqual(list(self.xero().records(resources.CONTACTS, where=f'Name=="{later["name"]}"')), [])
