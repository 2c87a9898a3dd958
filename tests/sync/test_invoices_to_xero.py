"""Dynamics → Xero invoices, end to end: invoices made in the sandbox's Dynamics through the Web API, synced
by the engine, checked in the sandbox's Xero and back in Dynamics."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from dxconnector.domain.mapping.choices import option_value
from dxconnector.dynamics.solution.definition import CHART_OF_ACCOUNTS
from dxconnector.sync.engine import run_sync
from dxconnector.sync.models import SyncAttempt, SyncRun
from dxconnector.xero import resources
from tests.sync.helpers import IsolatedSyncTestCase, SyncTestCase, unique


def outcome(code: str) -> int:
    return option_value("stl3_synchistory", "stl3_outcome", code)


def export_status(code: str) -> int:
    return option_value("stl3_xeroinvoice", "stl3_exportstatus", code)


def lines_of(xero: dict) -> list[tuple]:
    return [
        (
            line["Description"],
            Decimal(str(line["Quantity"])),
            Decimal(str(line["UnitAmount"])),
            line.get("ItemCode"),
            line.get("AccountCode"),
        )
        for line in xero["LineItems"]
    ]


class InvoicesReachXeroTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def test_an_invoice_with_an_existing_customer_and_product_reaches_xero_with_its_lines_number_and_date(self):
        self.set_settings(stl3_usexeroinvoicenumber=False)
        customer = self.make_account()
        contact = self.in_xero(resources.CONTACTS, {"Name": unique("Xero name"), "AccountNumber": customer["accountnumber"]})
        product = self.make_product(price="19.95")
        self.in_xero(resources.ITEMS, {"Code": product["number"], "Name": "Widget"})
        invoice_id = self.make_invoice(
            customer,
            [{"product": product, "quantity": 3}, {"description": "Freight to site", "price": "12.5", "quantity": 1}],
            delivered=datetime(2026, 3, 14, 12, 0, tzinfo=UTC),
            description="Spring order",
        )
        self.sync()
        xero = self.xero_invoice(self.link(invoice_id).xero_id)
        self.assertEqual(xero["Contact"]["ContactID"], contact["ContactID"])  # matched by account number, not created
        self.assertEqual(xero["InvoiceNumber"], self.invoice_row(invoice_id, select="invoicenumber")["invoicenumber"])
        self.assertEqual(xero["DateString"][:10], "2026-03-14")
        self.assertEqual((xero["Type"], xero["Status"], xero["Reference"]), ("ACCREC", "DRAFT", "Spring order"))
        self.assertEqual(
            lines_of(xero),
            [
                (product["name"], Decimal(3), Decimal("19.95"), product["number"], "200"),
                ("Freight to site", Decimal(1), Decimal("12.5"), None, "200"),
            ],
        )

    def test_a_bill_keeps_a_unit_amount_of_four_decimal_places(self):
        invoice_id = self.make_invoice(
            self.make_account(),
            [{"description": "Cable", "price": "10", "quantity": 8, "discount": "1"}],
            stl3_xeroinvoicetype=option_value("invoice", "stl3_xeroinvoicetype", "ACCPAY"),
        )
        self.sync()
        xero = self.xero_invoice(self.link(invoice_id).xero_id)
        self.assertEqual(xero["Type"], "ACCPAY")
        self.assertEqual(lines_of(xero), [("Cable", Decimal(8), Decimal("9.875"), None, "300")])  # the discount folded in

    def test_xeros_number_status_and_links_come_back_to_dynamics_with_a_history_row(self):
        invoice_id = self.make_invoice(self.make_account(), [{"product": self.make_product(), "quantity": 2}])
        self.sync()
        link = self.link(invoice_id)
        xero = self.xero_invoice(link.xero_id)
        row = self.invoice_row(
            invoice_id,
            select="stl3_xeronumber,stl3_xerostatus,duedate",
            expand=(
                "stl3_xeroinvoice_invoiceid($select=stl3_xeroid,stl3_xeronumber,stl3_xerostatus,stl3_exportstatus,stl3_invoiceurl,"
                "stl3_exportedon,stl3_amountdue)"
            ),
        )
        self.assertEqual(
            (row["stl3_xeronumber"], row["stl3_xerostatus"]),
            (xero["InvoiceNumber"], option_value("invoice", "stl3_xerostatus", "DRAFT")),
        )
        self.assertEqual(row["duedate"], xero["DueDateString"][:10])  # Xero worked it out; it comes back
        [details] = row["stl3_xeroinvoice_invoiceid"]
        self.assertEqual((details["stl3_xeroid"], details["stl3_xeronumber"]), (link.xero_id, xero["InvoiceNumber"]))
        self.assertEqual(details["stl3_exportstatus"], export_status("EXPORTED"))
        self.assertIn(link.xero_id, details["stl3_invoiceurl"])
        self.assertIsNotNone(details["stl3_exportedon"])
        [history] = self.history(invoice_id)
        self.assertEqual((history["stl3_outcome"], history["stl3_xeroid"]), (outcome("SUCCEEDED"), link.xero_id))
        self.assertFalse(link.writeback_due)

    def test_an_approved_sales_invoice_gets_its_online_invoice_link(self):
        self.set_settings(
            stl3_defaultsalesinvoicestatus=option_value(
                "stl3_stellariseconnectorsettings", "stl3_defaultsalesinvoicestatus", "AUTHORISED"
            )
        )
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Survey", "price": "300", "quantity": 1}])
        self.sync()
        [details] = self.details(invoice_id, "stl3_onlineinvoiceurl,stl3_xerostatus")
        self.assertTrue(details["stl3_onlineinvoiceurl"].startswith("https://in.xero.com/"))
        self.assertEqual(details["stl3_xerostatus"], option_value("stl3_xeroinvoice", "stl3_xerostatus", "AUTHORISED"))

    def test_a_new_customer_is_created_in_xero_when_create_contacts_is_on(self):
        customer = self.make_account(emailaddress1="accounts@example.com")
        invoice_id = self.make_invoice(customer, [{"description": "Setup", "price": "80", "quantity": 1}])
        run = self.sync()
        contact = self.xero_invoice(self.link(invoice_id).xero_id)["Contact"]
        self.assertEqual((contact["Name"], contact.get("AccountNumber")), (customer["name"], customer["accountnumber"]))
        self.assertEqual(run.counts["contacts_created"], 1)

    def test_a_contact_customer_goes_as_a_xero_contact_with_their_full_name(self):
        client = self.dataverse()
        person = {"id": client.create("contacts", {"firstname": "Zoë", "lastname": unique("Brontë")})}
        invoice_id = self.make_invoice(
            person, [{"description": "Consulting", "price": "150", "quantity": 2}], customer_kind="contact"
        )
        self.sync()
        contact = self.xero_invoice(self.link(invoice_id).xero_id)["Contact"]
        self.assertTrue(contact["Name"].startswith("Zoë Brontë"))

    def test_an_invoice_fails_with_a_clear_reason_when_create_contacts_is_off_and_the_customer_is_not_in_xero(self):
        self.set_settings(stl3_createnewcontacts=False)
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Setup", "price": "80", "quantity": 1}])
        self.sync()
        [attempt] = self.attempts(invoice_id)
        self.assertEqual((attempt.outcome, attempt.reason_code), ("FAILED", "no_contact"))
        self.assertIn("Create New Contacts is off", attempt.reason)
        self.assertFalse(self.xero_invoices_linking_to(invoice_id))
        [history] = self.history(invoice_id)
        self.assertEqual(history["stl3_outcome"], outcome("FAILED"))
        self.assertIn("Create New Contacts is off", history["stl3_message"])
        [details] = self.details(invoice_id, "stl3_exportstatus")
        self.assertEqual(details["stl3_exportstatus"], export_status("FAILED"))

    def test_new_products_become_xero_items_when_create_products_is_on(self):
        self.set_settings(stl3_createnewproducts=True)
        product = self.make_product(price="42.00")
        invoice_id = self.make_invoice(self.make_account(), [{"product": product, "quantity": 1}])
        run = self.sync()
        [line] = self.xero_invoice(self.link(invoice_id).xero_id)["LineItems"]
        self.assertEqual(line["ItemCode"], product["number"])
        [item] = self.xero().records(resources.ITEMS, where=f'Code=="{product["number"]}"')
        self.assertEqual(item["Name"], product["name"])
        self.assertEqual(run.counts["items_created"], 1)

    def test_running_twice_sends_nothing_the_second_time(self):
        invoice_id = self.make_invoice(self.make_account(), [{"product": self.make_product(), "quantity": 2}])
        self.sync()
        # Only Xero's first read, left to it: what changed there (invoices, credit notes), then the payments' first read
        # (payments, credit notes, prepayments, overpayments) and the customer's balances.
        second = self.sync("sweep")
        self.assertEqual((second.counts["xero_calls"], second.counts.get("succeeded", 0)), (7, 0))
        third = self.sync("sweep")  # Xero was asked a moment ago, and its webhooks told of nothing since
        self.assertEqual(third.counts["xero_calls"], 0)
        self.assertEqual(len(self.attempts(invoice_id)), 1)
        self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)

    def test_an_edit_xero_does_not_see_sends_nothing(self):
        invoice_id = self.make_invoice(self.make_account(), [{"product": self.make_product(), "quantity": 2}])
        self.sync()
        self.sync()  # Xero's first read
        sent = self.link(invoice_id)
        self.dataverse().update("invoices", invoice_id, {"emailaddress": "someone@example.com"})
        run = self.sync("webhook")
        self.assertEqual(run.counts["xero_calls"], 0)
        self.assertEqual(run.counts["unchanged"], 1)  # read again, hashed, found unchanged
        self.assertEqual(self.link(invoice_id).sent_hash, sent.sent_hash)

    def test_an_edit_re_syncs_by_itself(self):
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Install", "price": "100", "quantity": 1}])
        self.sync()
        first = self.link(invoice_id)
        [line] = self.dataverse().list("invoicedetails", select="invoicedetailid", filter=f"_invoiceid_value eq {invoice_id}")
        self.dataverse().update("invoicedetails", line["invoicedetailid"], {"quantity": 4.0})
        self.dataverse().update("invoices", invoice_id, {"description": "Four installs"})
        self.sync()
        again = self.link(invoice_id)
        xero = self.xero_invoice(again.xero_id)
        self.assertEqual(again.xero_id, first.xero_id)
        self.assertNotEqual(again.sent_hash, first.sent_hash)
        self.assertEqual((Decimal(str(xero["LineItems"][0]["Quantity"])), xero["Reference"]), (Decimal(4), "Four installs"))
        self.assertEqual([a.outcome for a in self.attempts(invoice_id)], ["SUCCEEDED", "SUCCEEDED"])

    def test_asking_for_an_update_in_dynamics_sends_the_invoice_again(self):
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Install", "price": "100", "quantity": 1}])
        self.sync()
        [details] = self.details(invoice_id, "stl3_xeroinvoiceid")
        self.dataverse().update(
            "stl3_xeroinvoices", details["stl3_xeroinvoiceid"], {"stl3_exportstatus": export_status("READY_TO_UPDATE")}
        )
        self.sync()
        self.assertEqual(self.attempts(invoice_id)[-1].reason, "Updated in Xero.")
        [details] = self.details(invoice_id, "stl3_exportstatus")
        self.assertEqual(details["stl3_exportstatus"], export_status("EXPORTED"))

    def test_a_paid_invoice_takes_the_edits_xero_allows_and_refuses_the_others_with_the_fields_named(self):
        self.set_settings(
            stl3_defaultsalesinvoicestatus=option_value(
                "stl3_stellariseconnectorsettings", "stl3_defaultsalesinvoicestatus", "AUTHORISED"
            )
        )
        allowed, refused = (
            self.make_invoice(self.make_account(), [{"description": "Install", "price": "100", "quantity": 1}]) for _ in range(2)
        )
        self.sync()
        xero_ids = {invoice_id: self.link(invoice_id).xero_id for invoice_id in (allowed, refused)}
        for xero_id in xero_ids.values():
            self.in_xero(
                resources.PAYMENTS,
                {"Invoice": {"InvoiceID": xero_id}, "Account": {"Code": "090"}, "Amount": self.xero_invoice(xero_id)["Total"]},
            )
        # Edited in Dynamics after the payment in Xero, before the sync brought it back (each edit's own run).
        self.dataverse().update("invoices", allowed, {"description": "Paid, thank you"})
        [line] = self.lines(refused)
        self.dataverse().update("invoicedetails", line["invoicedetailid"], {"quantity": 2.0})
        self.sync("webhook")
        self.assertEqual(self.xero_invoice(xero_ids[allowed])["Reference"], "Paid, thank you")
        self.assertEqual(self.invoice_row(allowed, select="statecode")["statecode"], 2)  # Xero's answer says paid: so is it now
        attempt = self.attempts(refused)[-1]
        self.assertEqual((attempt.outcome, attempt.reason_code), ("FAILED", "paid_fields_only"))
        self.assertIn("LineItems[1].Quantity", attempt.reason)
        self.assertEqual(Decimal(str(self.xero_invoice(xero_ids[refused])["LineItems"][0]["Quantity"])), Decimal(1))

    def test_a_cancelled_draft_is_deleted_in_xero(self):
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Install", "price": "100", "quantity": 1}])
        self.sync()
        self.cancel_invoice(invoice_id)
        self.sync()
        self.assertEqual(self.xero_invoice(self.link(invoice_id).xero_id)["Status"], "DELETED")
        self.assertEqual(self.attempts(invoice_id)[-1].reason, "Deleted in Xero.")

    def test_a_cancelled_approved_invoice_is_voided_in_xero_and_its_details_say_so(self):
        self.set_settings(
            stl3_defaultsalesinvoicestatus=option_value(
                "stl3_stellariseconnectorsettings", "stl3_defaultsalesinvoicestatus", "AUTHORISED"
            )
        )
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Install", "price": "100", "quantity": 1}])
        self.sync()
        self.cancel_invoice(invoice_id)
        self.sync()
        self.assertEqual(self.xero_invoice(self.link(invoice_id).xero_id)["Status"], "VOIDED")
        [details] = self.details(invoice_id, "stl3_xerostatus")
        self.assertEqual(details["stl3_xerostatus"], option_value("stl3_xeroinvoice", "stl3_xerostatus", "VOIDED"))

    def test_a_xero_validation_error_fails_that_invoice_alone(self):
        client = self.dataverse()
        unknown_code = client.create(CHART_OF_ACCOUNTS.set_name, {"stl3_name": "999 - Nowhere", "stl3_code": "999"})
        customer = self.make_account()
        good = self.make_invoice(customer, [{"description": "Fine", "price": "10", "quantity": 1}])
        bad = self.make_invoice(customer, [{"description": "Unknown account", "price": "10", "quantity": 1}])
        [line] = client.list("invoicedetails", select="invoicedetailid", filter=f"_invoiceid_value eq {bad}")
        client.update(
            "invoicedetails",
            line["invoicedetailid"],
            {"stl3_accountcodeid@odata.bind": f"/{CHART_OF_ACCOUNTS.set_name}({unknown_code})"},
        )
        run = self.sync()
        self.assertEqual(self.attempts(good)[-1].outcome, "SUCCEEDED")
        [failed] = self.attempts(bad)
        self.assertEqual((failed.outcome, failed.reason_code), ("FAILED", "xero_refused"))
        self.assertNotIn("999", failed.reason)  # Xero's words go to Dynamics only
        [history] = self.history(bad)
        self.assertIn("999", history["stl3_message"])
        self.assertEqual((run.counts["succeeded"], run.counts["failed"]), (1, 1))
        self.assertFalse(self.xero_invoices_linking_to(bad))

    def test_a_held_back_invoice_is_recorded_with_the_rule_that_holds_it(self):
        invoice_id = self.make_invoice(
            self.make_account(),
            [{"description": "Later", "price": "10", "quantity": 1}],
            delivered=datetime(2099, 1, 1, tzinfo=UTC),
        )
        self.sync()
        [attempt] = self.attempts(invoice_id)
        self.assertEqual((attempt.outcome, attempt.reason_code), ("HELD_BACK", "delivered_in_future"))
        self.assertEqual(self.history(invoice_id)[0]["stl3_outcome"], outcome("HELD_BACK"))

    def test_another_connections_invoices_are_left_alone(self):
        other = self.onboard(self.bob.connections.create(name="Beta Sales", time_zone="Europe/London"))
        theirs = self.make_invoice(
            self.make_account(), [{"description": "Theirs", "price": "10", "quantity": 1}], connection=other
        )
        ours = self.make_invoice(self.make_account(), [{"description": "Ours", "price": "10", "quantity": 1}])
        run = self.sync()
        self.assertEqual(run.counts["succeeded"], 1)
        self.assertEqual(self.attempts(ours)[-1].outcome, "SUCCEEDED")
        self.assertFalse(self.attempts(theirs))
        self.assertFalse(self.xero_invoices_linking_to(theirs))

    def test_a_paused_connection_syncs_nothing_and_loses_nothing(self):
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Paused", "price": "10", "quantity": 1}])
        self.connection.trial_ends_at = datetime(2020, 1, 1, tzinfo=UTC)
        self.connection.save(update_fields=["trial_ends_at"])
        paused = self.run_once()
        self.assertEqual(paused.status, SyncRun.Status.PAUSED)
        self.assertFalse(self.attempts(invoice_id))
        self.connection.subscription_active = True
        self.connection.save(update_fields=["subscription_active"])
        self.sync()
        self.assertEqual(self.attempts(invoice_id)[-1].outcome, "SUCCEEDED")


class DefaultConnectionTestCase(IsolatedSyncTestCase):
    def test_an_invoice_without_a_connection_goes_with_the_default_connection_alone(self):
        self.onboard(stl3_isdefaultconnection=True)
        other = self.onboard(self.bob.connections.create(name="Beta Sales", time_zone="Europe/London"))
        invoice_id = self.make_invoice(
            self.make_account(), [{"description": "Anyone's", "price": "10", "quantity": 1}], assigned=False
        )
        not_default = run_sync(other.pk, "test", clients=self.clients)
        self.assertEqual(not_default.status, SyncRun.Status.SUCCEEDED)
        self.assertFalse(SyncAttempt.objects.filter(connection=other, dynamics_id=invoice_id).exists())
        self.sync()
        self.assertEqual(self.attempts(invoice_id)[-1].outcome, "SUCCEEDED")
        self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)
