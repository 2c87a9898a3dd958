"""What the history says of a change brought back from Xero: the invoice's state as Xero shows it, in words, and
never an amount (the connector keeps none)."""

from __future__ import annotations

from django.test import SimpleTestCase

from dxconnector.domain.documents import XeroDocument
from dxconnector.sync.from_xero import news


def invoice(status: str | None, paid: str = "0.00", due: str = "100.00") -> XeroDocument:
    return XeroDocument.read({"InvoiceID": "inv-1", "Type": "ACCREC", "Status": status, "AmountPaid": paid, "AmountDue": due})


def credit_note(status: str, applied: str = "0.00", refunded: str = "0.00") -> XeroDocument:
    return XeroDocument.read(
        {"CreditNoteID": "cn-1", "Type": "ACCRECCREDIT", "Status": status, "AppliedAmount": applied, "AmountPaid": refunded}
    )


class NewsTestCase(SimpleTestCase):
    def test_an_invoice_says_how_far_it_is_paid(self):
        self.assertEqual(news(invoice("AUTHORISED")), "Xero: approved, awaiting payment")
        self.assertEqual(news(invoice("AUTHORISED", paid="40.00", due="60.00")), "Xero: part paid")
        self.assertEqual(news(invoice("PAID", paid="100.00", due="0.00")), "Xero: paid")

    def test_the_other_states_are_named_as_xero_shows_them(self):
        self.assertEqual(news(invoice("DRAFT")), "Xero: a draft")
        self.assertEqual(news(invoice("SUBMITTED")), "Xero: awaiting approval")
        self.assertEqual(news(invoice("VOIDED")), "Xero: voided")
        self.assertEqual(news(invoice("DELETED")), "Xero: deleted")
        self.assertEqual(news(invoice(None)), "Xero: changed")

    def test_a_credit_note_says_how_much_of_its_credit_is_used(self):
        self.assertEqual(news(credit_note("AUTHORISED")), "Xero: approved, credit available")
        self.assertEqual(news(credit_note("AUTHORISED", applied="25.00")), "Xero: credit partly used")
        self.assertEqual(news(credit_note("AUTHORISED", refunded="25.00")), "Xero: credit partly used")
        self.assertEqual(news(credit_note("PAID", applied="100.00")), "Xero: credit used up")

    def test_no_amount_is_ever_in_the_words(self):
        for document in (invoice("AUTHORISED", paid="40.00"), invoice("PAID", paid="100.00"), credit_note("PAID", "100.00")):
            self.assertNotRegex(news(document), r"\d")
