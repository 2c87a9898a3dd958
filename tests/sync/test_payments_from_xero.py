"""Money Xero applied to a linked invoice comes back as rows of the Xero payments table on the invoice and its
customer — payments, credit notes allocated, credit notes made in Xero — kept current when Xero removes them, with
the invoice's state and the customer's balances following."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.test import override_settings

from dxconnector.domain.mapping.choices import option_value
from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase
from tests.sync.test_from_xero import AUTHORISED
from tests.sync.test_invoice_types import of_type

PAID, DELETED = (option_value("stl3_xeropayment", "stl3_status", code) for code in ("AUTHORISED", "DELETED"))
PAYMENT, CREDIT_NOTE, PREPAYMENT, OVERPAYMENT = (
    option_value("stl3_xeropayment", "stl3_kind", code) for code in ("PAYMENT", "CREDIT_NOTE", "PREPAYMENT", "OVERPAYMENT")
)
ROW_COLUMNS = (
    "stl3_name,stl3_xeroid,stl3_kind,stl3_status,stl3_amount,stl3_paymentdate,stl3_currencycode,stl3_currencyrate,"
    "stl3_reference,stl3_paymenttype,stl3_bankaccount,stl3_creditnotenumber,stl3_xerourl,_stl3_invoiceid_value,"
    "_stl3_accountid_value"
)


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


class PaymentsTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard(**AUTHORISED)
        self.account = self.make_account()
        self.invoice_id = self.make_invoice(self.account, [{"description": "Install", "price": "100", "quantity": 1}])
        self.sync()
        self.xero_id = self.link(self.invoice_id).xero_id
        invoice = self.xero_invoice(self.xero_id)
        self.total = money(invoice["Total"])
        self.contact_id, self.currency = invoice["Contact"]["ContactID"], invoice["CurrencyCode"]

    def pay(self, amount: Decimal, **extra: Any) -> dict[str, Any]:
        element = {"Invoice": {"InvoiceID": self.xero_id}, "Account": {"Code": "090"}, "Amount": str(amount), **extra}
        return self.in_xero(resources.PAYMENTS, element)

    def rows(self, **filters: str) -> list[dict[str, Any]]:
        """The payments table's rows of this connection, on the invoice unless other filters are given."""
        wanted = filters or {"_stl3_invoiceid_value": self.invoice_id}
        query = " and ".join(f"{column} eq {value}" for column, value in wanted.items())
        return self.dataverse().list("stl3_xeropayments", select=ROW_COLUMNS, filter=query, orderby="stl3_paymentdate asc")

    def state(self) -> tuple[int, int]:
        invoice = self.invoice_row(self.invoice_id, select="statecode,statuscode")
        return invoice["statecode"], invoice["statuscode"]

    def credit_note(self, amount: Decimal, allocate: Decimal | None = None) -> dict[str, Any]:
        """A credit note made in Xero for the invoice's customer, allocated to the invoice when asked."""
        note = self.in_xero(
            resources.CREDIT_NOTES,
            {
                "Type": "ACCRECCREDIT",
                "Contact": {"ContactID": self.contact_id},
                "Status": "AUTHORISED",
                "Reference": "Goodwill",
                "CurrencyCode": self.currency,
                "LineAmountTypes": "NoTax",
                "LineItems": [{"Description": "Goodwill", "Quantity": 1, "UnitAmount": str(amount), "AccountCode": "200"}],
            },
        )
        if allocate is not None:
            allocation = {
                "Allocations": [{"Invoice": {"InvoiceID": self.xero_id}, "Amount": str(allocate), "Date": "2026-12-01"}]
            }
            self.xero().request("create_credit_note_allocation", note["CreditNoteID"], allocation)
        return note


class TestPayments(PaymentsTestCase):
    def test_a_part_payment_then_the_rest_show_as_two_payment_rows_and_the_invoice_moves_to_partial_then_complete(self):
        first = self.pay(Decimal("40.00"), Reference="first half")
        self.sync()
        [row] = self.rows()
        self.assertEqual((row["stl3_xeroid"], row["stl3_kind"], row["stl3_status"]), (first["PaymentID"], PAYMENT, PAID))
        self.assertEqual(money(row["stl3_amount"]), Decimal("40.00"))
        self.assertEqual((row["stl3_reference"], row["stl3_paymenttype"]), ("first half", "ACCRECPAYMENT"))
        self.assertEqual(row["_stl3_accountid_value"], self.account["id"])
        self.assertTrue(row["stl3_bankaccount"], "the bank account's name")
        self.assertIn(self.xero_id, row["stl3_xerourl"])
        self.assertEqual(self.state(), (2, 100002))  # Paid, Partial

        self.pay(self.total - Decimal("40.00"))
        self.sync()
        rows = self.rows()
        self.assertEqual(sorted(money(row["stl3_amount"]) for row in rows), sorted([Decimal("40.00"), self.total - 40]))
        self.assertEqual({row["stl3_status"] for row in rows}, {PAID})
        self.assertEqual(self.state(), (2, 100001))  # Paid, Complete

    def test_a_payment_removed_in_xero_is_marked_deleted_and_the_invoice_is_active_again(self):
        payment = self.pay(self.total)
        self.sync()
        self.assertEqual(self.state(), (2, 100001))
        self.xero().request("delete_payment", payment["PaymentID"], {"Status": "DELETED"})
        self.sync()
        [row] = self.rows()
        self.assertEqual((row["stl3_xeroid"], row["stl3_status"]), (payment["PaymentID"], DELETED))
        self.assertEqual(self.state()[0], 0)  # Active

    def test_running_again_writes_no_second_row(self):
        self.pay(Decimal("10.00"))
        self.sync()
        self.sync()
        self.sync("sweep")
        self.assertEqual(len(self.rows()), 1)

    def test_a_payment_on_an_invoice_the_connector_did_not_send_makes_no_row(self):
        other = self.in_xero(
            resources.INVOICES,
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": self.contact_id},
                "Status": "AUTHORISED",
                "LineItems": [{"Description": "Made in Xero", "Quantity": 1, "UnitAmount": "50", "AccountCode": "200"}],
            },
        )
        self.in_xero(
            resources.PAYMENTS, {"Invoice": {"InvoiceID": other["InvoiceID"]}, "Account": {"Code": "090"}, "Amount": "5"}
        )
        self.sync()
        rows = self.rows(_stl3_accountid_value=self.account["id"])
        self.assertEqual(rows, [])

    def test_the_customers_outstanding_amount_follows_a_payment(self):
        self.sync()  # the customer's Xero Contact row is there
        self.pay(Decimal("30.00"))
        self.sync()
        [row] = self.dataverse().list(
            "stl3_xerocontacts",
            select="stl3_outstanding,stl3_overdue,stl3_balanceson",
            filter=f"_stl3_accountid_value eq {self.account['id']}",
        )
        self.assertEqual(money(row["stl3_outstanding"]), self.total - Decimal("30.00"))
        self.assertTrue(row["stl3_balanceson"])


class TestCredits(PaymentsTestCase):
    def test_a_credit_note_allocated_in_xero_shows_on_the_invoice_as_credited_with_its_number(self):
        note = self.credit_note(Decimal("25.00"), allocate=Decimal("25.00"))
        self.sync()
        [row] = self.rows()
        self.assertEqual((row["stl3_kind"], row["stl3_status"]), (CREDIT_NOTE, PAID))
        self.assertEqual(money(row["stl3_amount"]), Decimal("25.00"))
        self.assertEqual(row["stl3_creditnotenumber"], note["CreditNoteNumber"])
        self.assertEqual(self.state(), (2, 100002))  # credited in part: Paid, Partial
        [details] = self.details(self.invoice_id, "stl3_amountcredited")
        self.assertEqual(money(details["stl3_amountcredited"]), Decimal("25.00"))

    def test_a_credit_note_made_in_xero_for_a_linked_customer_shows_on_the_customer(self):
        note = self.credit_note(Decimal("12.50"))
        self.sync()
        [row] = self.rows(_stl3_accountid_value=self.account["id"])
        self.assertEqual((row["stl3_xeroid"], row["stl3_kind"]), (note["CreditNoteID"], CREDIT_NOTE))
        self.assertIsNone(row["_stl3_invoiceid_value"])
        self.assertEqual(money(row["stl3_amount"]), Decimal("12.50"))
        self.assertEqual(row["stl3_creditnotenumber"], note["CreditNoteNumber"])

    def test_a_credit_note_that_changes_no_invoice_of_ours_waits_for_the_next_poll_of_xero(self):
        self.sync()  # the payments' first read
        note = self.credit_note(Decimal("7.00"))
        self.sync()
        self.assertEqual(self.rows(_stl3_accountid_value=self.account["id"]), [])
        with override_settings(SYNC_XERO_POLL_SECONDS=0):
            self.sync()
        [row] = self.rows(_stl3_accountid_value=self.account["id"])
        self.assertEqual(row["stl3_xeroid"], note["CreditNoteID"])

    def test_an_allocation_removed_in_xero_is_marked_deleted_and_the_invoice_owes_its_total_again(self):
        note = self.credit_note(Decimal("25.00"), allocate=Decimal("25.00"))
        self.sync()
        [allocation] = self.xero_credit_note(note["CreditNoteID"])["Allocations"]
        self.xero().request("delete_credit_note_allocations", note["CreditNoteID"], allocation["AllocationID"])
        self.sync()
        [row] = self.rows()
        self.assertEqual((row["stl3_xeroid"], row["stl3_status"]), (allocation["AllocationID"], DELETED))
        self.assertEqual(self.state()[0], 0)  # Active: nothing paid or credited
        [details] = self.details(self.invoice_id, "stl3_amountdue,stl3_amountcredited")
        self.assertEqual((money(details["stl3_amountdue"]), money(details["stl3_amountcredited"])), (self.total, Decimal("0.00")))


class TestPrepaymentsAndOverpayments(PaymentsTestCase):
    def received(self, kind: str, amount: Decimal) -> str:
        """A prepayment or overpayment received from the invoice's customer in Xero: its id."""
        element: dict[str, Any] = {
            "Type": f"RECEIVE-{kind}",
            "Contact": {"ContactID": self.contact_id},
            "BankAccount": {"Code": "090"},
            "CurrencyCode": self.currency,
            "LineAmountTypes": "NoTax",
            "LineItems": [{"Description": "Paid ahead", "Quantity": 1, "UnitAmount": str(amount), "AccountCode": "200"}],
        }
        body, _ = self.xero().request("create_bank_transactions", {"BankTransactions": [element]})
        return body["BankTransactions"][0][f"{kind.capitalize()}ID"]

    def allocate(self, kind: str, credit_id: str, amount: Decimal) -> None:
        allocation = {"Allocations": [{"Invoice": {"InvoiceID": self.xero_id}, "Amount": str(amount), "Date": "2026-12-02"}]}
        self.xero().request(f"create_{kind.lower()}_allocations", credit_id, allocation)

    def test_a_prepayment_allocated_to_the_invoice_shows_as_a_prepayment_row(self):
        prepayment = self.received("PREPAYMENT", Decimal("30.00"))
        self.allocate("PREPAYMENT", prepayment, Decimal("30.00"))
        self.sync()
        [row] = self.rows()
        self.assertEqual((row["stl3_kind"], row["stl3_status"]), (PREPAYMENT, PAID))
        self.assertEqual(money(row["stl3_amount"]), Decimal("30.00"))
        self.assertEqual(self.state(), (2, 100002))  # Paid, Partial: credited in part

    def test_an_overpayment_allocated_to_the_invoice_in_full_completes_it(self):
        overpayment = self.received("OVERPAYMENT", self.total + 20)
        self.allocate("OVERPAYMENT", overpayment, self.total)
        self.sync()
        [row] = self.rows()
        self.assertEqual((row["stl3_kind"], money(row["stl3_amount"])), (OVERPAYMENT, self.total))
        self.assertEqual(self.state(), (2, 100001))  # Paid, Complete

    def test_xero_refuses_a_payment_above_what_is_owed_and_dynamics_shows_nothing_of_it(self):
        [answer] = self.xero().write(
            resources.PAYMENTS,
            [{"Invoice": {"InvoiceID": self.xero_id}, "Account": {"Code": "090"}, "Amount": self.total + 1}],
            create_only=True,
        )
        self.assertFalse(answer.ok)
        self.sync()
        self.assertEqual(self.rows(), [])
        self.assertEqual(self.state()[0], 0)


class TestForeignCurrency(PaymentsTestCase):
    def test_a_payment_in_the_invoices_currency_keeps_its_currency_and_rate(self):
        self.assertNotEqual(self.currency, self.xero().request("get_organisations")[0]["Organisations"][0]["BaseCurrency"])
        self.pay(Decimal("10.00"), CurrencyRate="1.625")
        self.sync()
        [row] = self.rows()
        self.assertEqual(row["stl3_currencycode"], self.currency)
        self.assertEqual(Decimal(str(row["stl3_currencyrate"])), Decimal("1.625"))
        self.assertEqual(money(row["stl3_amount"]), Decimal("10.00"))


class TestBalances(PaymentsTestCase):
    def outstanding(self) -> dict[str, Any]:
        [row] = self.dataverse().list(
            "stl3_xerocontacts",
            select="stl3_outstanding,stl3_overdue,stl3_balanceson",
            filter=f"_stl3_accountid_value eq {self.account['id']}",
        )
        return row

    def test_every_linked_customers_balances_are_read_again_after_a_while_though_nothing_changed_in_xero(self):
        self.sync()  # the payments' first read, and every linked customer's balances with it
        first = self.outstanding()["stl3_balanceson"]
        self.assertEqual(money(self.outstanding()["stl3_outstanding"]), self.total)
        again = self.sync()
        self.assertEqual(self.outstanding()["stl3_balanceson"], first)  # read lately: not again
        self.assertNotIn("balances_written", again.counts)
        [row] = self.dataverse().list(
            "stl3_xerocontacts", select="stl3_xerocontactid", filter=f"_stl3_accountid_value eq {self.account['id']}"
        )
        self.dataverse().update("stl3_xerocontacts", row["stl3_xerocontactid"], {"stl3_outstanding": 0})  # gone wrong
        with override_settings(SYNC_REFERENCE_SECONDS=0):
            later = self.sync()
        self.assertEqual(later.counts["balances_written"], 1)
        self.assertEqual(money(self.outstanding()["stl3_outstanding"]), self.total)


class TestCreditNotesWeSent(PaymentsTestCase):
    def test_a_credit_note_sent_from_dynamics_gets_no_row_of_its_own_only_its_allocation(self):
        refund = self.make_invoice(
            self.account, [{"description": "Refund", "price": "20", "quantity": 1}], **of_type("ACCRECCREDIT")
        )
        self.sync()
        note_id = self.link(refund).xero_id
        allocation = {"Allocations": [{"Invoice": {"InvoiceID": self.xero_id}, "Amount": "20.00", "Date": "2026-12-02"}]}
        self.xero().request("create_credit_note_allocation", note_id, allocation)
        self.sync()
        rows = self.rows(_stl3_accountid_value=self.account["id"])
        self.assertEqual([(row["stl3_kind"], row["_stl3_invoiceid_value"]) for row in rows], [(CREDIT_NOTE, self.invoice_id)])
