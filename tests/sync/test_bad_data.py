"""Unusual and wrong records, made through the sandbox's Dataverse Web API as a user or an integration would: each
either reaches Xero exactly or is held back with a reason that says what to fix — and never stops the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from dxconnector.sync import triggers
from dxconnector.sync.models import Link
from dxconnector.sync.verify import Problem, verify
from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, settings_choice, unique

OLD = datetime(1900, 1, 1, tzinfo=UTC)


class BadDataTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def line(self, description: str = "Work", price: str = "10", quantity: str | int = 1) -> dict:
        return {"description": description, "price": price, "quantity": quantity}

    def last(self, invoice_id: str):
        return self.attempts(invoice_id)[-1]

    def delete_invoice(self, invoice_id: str) -> None:
        self.dataverse().request("DELETE", f"invoices({invoice_id})").raise_for_status()

    def contact_of(self, invoice_id: str) -> str:
        return self.xero_invoice(self.link(invoice_id).xero_id)["Contact"]["ContactID"]

    # --- 1. a date Xero writes before 1970 -----------------------------------------------------------------
    def test_an_invoice_delivered_in_1900_is_recorded_written_back_and_stops_nothing(self):
        self.set_settings(stl3_defaultsalesinvoicestatus=settings_choice("stl3_defaultsalesinvoicestatus", "AUTHORISED"))
        old = self.make_invoice(self.make_account(), [self.line()], delivered=OLD, duedate="1900-01-31")
        self.sync()
        self.assertEqual(self.last(old).outcome, "SUCCEEDED")
        xero = self.xero_invoice(self.link(old).xero_id)
        self.assertEqual((xero["DateString"][:10], xero["DueDateString"][:10]), ("1900-01-01", "1900-01-31"))
        [details] = self.details(old, "stl3_xeronumber")
        self.assertEqual(details["stl3_xeronumber"], xero["InvoiceNumber"])

        later = self.make_invoice(self.make_account(), [self.line()])
        self.in_xero(
            resources.PAYMENTS,
            {"Invoice": {"InvoiceID": xero["InvoiceID"]}, "Account": {"Code": "090"}, "Amount": 5, "Date": "1900-02-01"},
        )
        self.sync()
        self.assertEqual(self.last(later).outcome, "SUCCEEDED")
        [details] = self.details(old, "stl3_amountpaid")
        self.assertEqual(Decimal(str(details["stl3_amountpaid"])), Decimal(5))
        report = verify(self.connection.pk, clients=self.clients)
        self.assertTrue(report.ok, report.lines)

    # --- 2. two customers, one name ------------------------------------------------------------------------
    def test_customers_sharing_a_name_never_share_a_xero_contact(self):
        name = unique("Twin Traders Ltd")
        first, second = self.make_account(name), self.make_account(name)
        mine = self.make_invoice(first, [self.line()])
        self.sync()
        self.assertEqual(self.last(mine).outcome, "SUCCEEDED")
        theirs = self.make_invoice(second, [self.line()])
        self.sync()
        held = self.last(theirs)
        self.assertEqual((held.outcome, held.reason_code), ("HELD_BACK", "ambiguous_contact"))
        self.assertIn(first["id"], held.reason)

        triggers.retry_invoices(self.connection.pk, [theirs])
        self.sync()
        self.assertEqual((self.last(theirs).outcome, self.last(theirs).reason_code), ("HELD_BACK", "ambiguous_contact"))
        third = self.make_invoice(self.make_account(name), [self.line()])
        self.sync()
        self.assertEqual((self.last(third).outcome, self.last(third).reason_code), ("HELD_BACK", "ambiguous_contact"))
        self.assertEqual(
            list(
                Link.objects.filter(
                    connection=self.connection, kind=Link.Kind.CONTACT, xero_id=self.contact_of(mine)
                ).values_list("dynamics_id", flat=True)
            ),
            [first["id"]],
        )

    def test_two_new_customers_with_one_name_in_one_batch_are_both_held_naming_each_other(self):
        name = unique("Same Name Co")
        first, second = self.make_account(name), self.make_account(name)
        invoices = [self.make_invoice(first, [self.line()]), self.make_invoice(second, [self.line()])]
        self.sync()
        for invoice_id, other in zip(invoices, (second, first), strict=True):
            attempt = self.last(invoice_id)
            self.assertEqual((attempt.outcome, attempt.reason_code), ("HELD_BACK", "ambiguous_contact"))
            self.assertIn(other["id"], attempt.reason)
        self.assertFalse(list(self.xero().records(resources.CONTACTS, where=f'Name=="{name}"')))

    def test_verify_finds_two_dynamics_customers_linked_to_one_xero_contact(self):
        first, second = self.make_account(), self.make_account()
        invoice_id = self.make_invoice(first, [self.line()])
        self.sync()
        contact_id = self.contact_of(invoice_id)
        Link.objects.create(connection=self.connection, kind=Link.Kind.CONTACT, dynamics_id=second["id"], xero_id=contact_id)
        report = verify(self.connection.pk, clients=self.clients)
        [row] = [row for row in report.rows if row.problem is Problem.SHARED]
        self.assertEqual((set(row.dynamics_ids), row.xero_ids), ({first["id"], second["id"]}, (contact_id,)))
        self.assertFalse(report.ok)

    # --- 3. beyond Xero's precision -------------------------------------------------------------------------
    def test_a_quantity_beyond_xeros_four_places_is_held_not_rounded(self):
        invoice_id = self.make_invoice(self.make_account(), [self.line(price="10000", quantity="1.123456")])
        self.sync()
        attempt = self.last(invoice_id)
        self.assertEqual((attempt.outcome, attempt.reason_code), ("HELD_BACK", "beyond_xero_precision"))
        self.assertIn("Line 1", attempt.reason)
        self.assertFalse(self.xero_invoices_linking_to(invoice_id))

    # --- 4. deleted in Dynamics -----------------------------------------------------------------------------
    def test_an_invoice_deleted_in_dynamics_after_the_sync_is_voided_or_deleted_in_xero(self):
        self.set_settings(stl3_defaultsalesinvoicestatus=settings_choice("stl3_defaultsalesinvoicestatus", "AUTHORISED"))
        approved = self.make_invoice(self.make_account(), [self.line()])
        self.sync()
        self.set_settings(stl3_defaultsalesinvoicestatus=settings_choice("stl3_defaultsalesinvoicestatus", "DRAFT"))
        draft = self.make_invoice(self.make_account(), [self.line()])
        self.sync()
        xero_ids = {invoice_id: self.link(invoice_id).xero_id for invoice_id in (approved, draft)}
        for invoice_id in (approved, draft):
            self.delete_invoice(invoice_id)
        self.sync()
        self.assertEqual(self.xero_invoice(xero_ids[approved])["Status"], "VOIDED")
        self.assertEqual(self.xero_invoice(xero_ids[draft])["Status"], "DELETED")
        self.assertEqual(
            [self.last(i).reason for i in (approved, draft)],
            ["Voided in Xero: the invoice was deleted in Dynamics.", "Deleted in Xero: the invoice was deleted in Dynamics."],
        )
        report = verify(self.connection.pk, clients=self.clients)
        self.assertTrue(report.ok, report.lines)

    def test_a_paid_invoice_deleted_in_dynamics_stays_in_xero_and_history_says_why(self):
        self.set_settings(stl3_defaultsalesinvoicestatus=settings_choice("stl3_defaultsalesinvoicestatus", "AUTHORISED"))
        invoice_id = self.make_invoice(self.make_account(), [self.line()])
        self.sync()
        xero_id = self.link(invoice_id).xero_id
        self.in_xero(resources.PAYMENTS, {"Invoice": {"InvoiceID": xero_id}, "Account": {"Code": "090"}, "Amount": 3})
        self.delete_invoice(invoice_id)
        self.sync()
        attempt = self.last(invoice_id)
        self.assertEqual((attempt.outcome, attempt.reason_code), ("FAILED", "has_payments"))
        self.assertEqual(self.xero_invoice(xero_id)["Status"], "AUTHORISED")
        rows = self.dataverse().list("stl3_synchistories", filter=f"stl3_recordid eq '{invoice_id}'")
        self.assertIn(attempt.reason, [row["stl3_message"] for row in rows])
        self.assertIn("deleted in Dynamics", attempt.reason)
        report = verify(self.connection.pk, clients=self.clients)
        self.assertEqual([(row.problem, row.dynamics_id) for row in report.rows], [], report.lines)
        self.assertEqual([(held.dynamics_id, held.code) for held in report.held], [(invoice_id, "has_payments")])

    # --- 5. product numbers that differ by spaces only ------------------------------------------------------
    def test_products_whose_numbers_differ_only_by_spaces_never_share_a_xero_item(self):
        self.set_settings(stl3_createnewproducts=True)
        code = unique("PAD")[-8:]
        spaced, plain = self.make_product(number=f" {code}", price="5"), self.make_product(number=code, price="7")
        first = self.make_invoice(self.make_account(), [{"product": plain, "quantity": 1}])
        self.sync()
        second = self.make_invoice(self.make_account(), [{"product": spaced, "quantity": 1}])
        self.sync()
        self.assertEqual(self.last(first).outcome, "SUCCEEDED")
        attempt = self.last(second)
        self.assertEqual((attempt.outcome, attempt.reason_code), ("HELD_BACK", "ambiguous_item"))
        self.assertIn(plain["id"], attempt.reason)
        [item] = self.xero().records(resources.ITEMS, where=f'Code=="{code}"')
        self.assertEqual(Decimal(str(item["SalesDetails"]["UnitPrice"])), Decimal(7))

    # --- 6. a product number Xero can't take as a code ---------------------------------------------------------
    def test_a_product_number_longer_than_xeros_item_code_holds_the_invoice_with_the_reason(self):
        self.set_settings(stl3_createnewproducts=True)
        product = self.make_product(number="P-" + "9" * 40)
        invoice_id = self.make_invoice(self.make_account(), [{"product": product, "quantity": 1}])
        self.sync()
        attempt = self.last(invoice_id)
        self.assertEqual((attempt.outcome, attempt.reason_code), ("HELD_BACK", "bad_item_code"))
        self.assertIn("30-character item code", attempt.reason)
        self.assertFalse(self.xero_invoices_linking_to(invoice_id))

    # --- 7. an email address Xero can't take -----------------------------------------------------------------
    def test_an_email_address_left_out_of_the_xero_contact_is_said_in_the_history(self):
        customer = self.make_account(emailaddress1="accounts@@example..com")
        invoice_id = self.make_invoice(customer, [self.line()])
        self.sync()
        attempt = self.last(invoice_id)
        self.assertEqual(attempt.outcome, "SUCCEEDED")
        self.assertIn("email address was left out", attempt.reason)
        self.assertNotIn("example", attempt.reason)
        [history] = self.history(invoice_id)
        self.assertIn("email address was left out", history["stl3_message"])

    # --- 8. Xero's own words in the portal ------------------------------------------------------------------------
    def test_the_portal_history_shows_xeros_own_refusal_words(self):
        invoice_id = self.make_invoice(self.make_account(), [{**self.line(), "columns": self.account_code("999")}])
        self.sync()
        self.assertEqual(self.last(invoice_id).reason_code, "xero_refused")
        page = self.client.get(f"/connections/{self.connection.pk}/history/")
        self.assertContains(page, "Account code &#x27;999&#x27; is not a valid code for this document.")

    # --- all of them at once ----------------------------------------------------------------------------------
    def test_an_organisation_holding_one_record_of_every_defect_syncs_and_verifies_with_only_the_held_ones_held(self):
        self.set_settings(
            stl3_createnewproducts=True,
            stl3_defaultsalesinvoicestatus=settings_choice("stl3_defaultsalesinvoicestatus", "AUTHORISED"),
        )
        name, code = unique("Twin Traders Ltd"), unique("PAD")[-8:]
        old = self.make_invoice(self.make_account(), [self.line()], delivered=OLD)
        first_twin = self.make_invoice(self.make_account(name), [self.line()])
        plain = self.make_invoice(self.make_account(), [{"product": self.make_product(number=code), "quantity": 1}])
        deleted = self.make_invoice(self.make_account(), [self.line()])
        self.sync()
        second_twin = self.make_invoice(self.make_account(name), [self.line()])
        spaced = self.make_invoice(self.make_account(), [{"product": self.make_product(number=f" {code}"), "quantity": 1}])
        precise = self.make_invoice(self.make_account(), [self.line(price="10000", quantity="1.123456")])
        long_code = self.make_invoice(
            self.make_account(), [{"product": self.make_product(number="P-" + "9" * 40), "quantity": 1}]
        )
        emailed = self.make_invoice(self.make_account(emailaddress1="accounts@@example..com"), [self.line()])
        refused = self.make_invoice(self.make_account(), [{**self.line(), "columns": self.account_code("999")}])
        self.delete_invoice(deleted)
        run = self.sync()
        self.assertEqual(run.summary, "Completed with 1 failed")  # Xero refused the account code

        report = verify(self.connection.pk, clients=self.clients)

        self.assertEqual(
            (report.missing, report.duplicated, report.differing, report.shared, report.unchecked), (0, 0, 0, 0, 0), report.lines
        )
        self.assertEqual(
            {held.dynamics_id: held.code for held in report.held},
            {
                second_twin: "ambiguous_contact",
                spaced: "ambiguous_item",
                precise: "beyond_xero_precision",
                long_code: "bad_item_code",
                refused: "xero_refused",
            },
        )
        self.assertTrue(all(held.text for held in report.held))
        self.assertEqual((report.expected, report.xero_invoices), (4, 4))  # old, first twin, plain, emailed
        for invoice_id in (old, first_twin, plain, emailed):
            self.assertEqual(self.last(invoice_id).outcome, "SUCCEEDED")
        self.assertEqual(self.xero_invoice(self.link(deleted).xero_id)["Status"], "VOIDED")
        self.assertIn(
            f"HELD       {refused}: xero_refused: Account code '999' is not a valid code for this document.", report.lines
        )
