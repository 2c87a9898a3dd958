"""Invoices in the person's app: the list, one invoice, and the actions its status allows, each checked
against what the Accounting API then returns."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.sandbox.xero_ui.clients import Page, unique

FULL_AMOUNT = "115.00"  # AccountingClient's invoices: 2 × 50.00 + 15% GST


def invoice_path(books: str, invoice: dict) -> str:
    return f"{books}/invoices/{invoice['InvoiceID']}"


def bank_accounts(page) -> dict[str, str]:
    """The payment form's choices, by account code: {"090": AccountID, …}."""
    return {label.rsplit("(", 1)[1].rstrip(")"): value for value, label in page.options("account")}


# --- the list -------------------------------------------------------------------------------------------
def test_the_list_shows_each_invoice_with_its_figures(person, api, books):
    tag = unique("Listed")
    contact = api.new_contact()
    invoice = api.new_invoice(contact, Status="AUTHORISED", Reference=tag, DueDate="2026-04-01")
    page = person.open(books + "/invoices", q=tag)
    assert page.status_code == 200 and page.invoice_ids() == [invoice["InvoiceID"]]
    assert page.invoice_row(invoice["InvoiceID"]) == [
        invoice["InvoiceNumber"],
        contact["Name"],
        "2 Mar 2026",
        "1 Apr 2026",
        "Awaiting payment",
        FULL_AMOUNT,
        FULL_AMOUNT,
    ]
    [link] = page.tree.xpath(f"//tr[@data-invoice-id='{invoice['InvoiceID']}']//a/@href")
    assert link == invoice_path(books, invoice)


def test_the_list_is_newest_first_and_paged(person, api, books):
    tag, contact = unique("Paged"), api.new_contact()
    created = api.created(
        "Invoices",
        *[
            api.invoice_element(contact, Reference=f"{tag}-{n:02d}", Date=(date(2025, 1, 1) + timedelta(days=n)).isoformat())
            for n in range(26)
        ],
    )
    newest_first = [invoice["InvoiceID"] for invoice in reversed(created)]
    first = person.open(books + "/invoices", q=tag)
    assert first.invoice_ids() == newest_first[:25]
    assert first.text("//*[@id='page-info']") == "Page 1 of 2 (26 in all)"
    assert first.links("prev") == []
    [following] = first.links("next")
    second = person.open(following)
    assert second.invoice_ids() == newest_first[25:]
    assert second.links("next") == [] and len(second.links("prev")) == 1


def test_invoices_of_one_day_are_listed_last_created_first(person, api, books):
    tag, contact = unique("SameDay"), api.new_contact()
    earlier, later = api.created(
        "Invoices", api.invoice_element(contact, Reference=tag), api.invoice_element(contact, Reference=tag)
    )
    assert person.open(books + "/invoices", q=tag).invoice_ids() == [later["InvoiceID"], earlier["InvoiceID"]]


def test_the_list_filters_by_status_and_keeps_the_search(person, api, books):
    tag, contact = unique("Filtered"), api.new_contact()
    draft = api.new_invoice(contact, Reference=tag)
    approved = api.new_invoice(contact, Reference=tag, Status="AUTHORISED")
    everything = person.open(books + "/invoices", q=tag)
    assert set(everything.invoice_ids()) == {draft["InvoiceID"], approved["InvoiceID"]}
    assert person.open(books + "/invoices", q=tag, status="AUTHORISED").invoice_ids() == [approved["InvoiceID"]]
    assert person.open(books + "/invoices", q=tag, status="DRAFT").invoice_ids() == [draft["InvoiceID"]]
    assert person.open(books + "/invoices", q=tag, status="PAID").invoice_ids() == []
    [paid_tab] = everything.tree.xpath("//a[@data-filter='PAID']/@href")
    assert person.open(paid_tab).field("q") == tag


def test_the_search_finds_the_contact_name_and_the_number(person, api, books):
    contact = api.new_contact()
    invoice = api.new_invoice(contact)
    assert person.open(books + "/invoices", q=contact["Name"].lower()).invoice_ids() == [invoice["InvoiceID"]]
    assert invoice["InvoiceID"] in person.open(books + "/invoices", q=invoice["InvoiceNumber"]).invoice_ids()


def test_bills_have_their_own_list(person, api, books):
    number = unique("BILL")
    [bill] = api.created(
        "Invoices",
        {
            **api.invoice_element(api.new_contact(), Type="ACCPAY", InvoiceNumber=number),
            "LineItems": [{"Description": "Stock", "Quantity": 1, "UnitAmount": 80, "AccountCode": "300"}],
        },
    )
    assert person.open(books + "/invoices", q=number).invoice_ids() == []
    bills = person.open(books + "/invoices", q=number, type="ACCPAY")
    assert bills.heading == "Bills" and bills.invoice_ids() == [bill["InvoiceID"]]


# --- one invoice ------------------------------------------------------------------------------------------
def test_the_invoice_page_shows_header_lines_and_totals(person, api, books):
    contact = api.new_contact()
    invoice = api.new_invoice(contact, Reference="PO 7", DueDate="2026-04-01")
    page = person.open(invoice_path(books, invoice))
    assert page.status_code == 200 and page.heading == f"Invoice {invoice['InvoiceNumber']} Draft"
    assert page.invoice_status() == "DRAFT"
    facts = dict(zip(page.texts("//dl[@id='invoice-facts']//dt"), page.texts("//dl[@id='invoice-facts']//dd"), strict=True))
    assert facts == {
        "To": contact["Name"],
        "Date": "2 Mar 2026",
        "Due date": "1 Apr 2026",
        "Number": invoice["InvoiceNumber"],
        "Reference": "PO 7",
        "Status": "Draft (DRAFT)",
        "Currency": "NZD",
        "Amounts are": "Tax exclusive",
    }
    assert page.texts("//table[1]/tbody/tr/td") == ["Consulting", "2.00", "50.00", "200", "OUTPUT2", "100.00"]
    assert [page.amount(key) for key in ("sub-total", "total-tax", "total", "amount-paid", "amount-due")] == [
        "100.00",
        "15.00",
        FULL_AMOUNT,
        "0.00",
        FULL_AMOUNT,
    ]
    assert page.buttons() == ["Approve", "Delete"]


def test_an_invoice_can_be_opened_by_its_number(person, api, books):
    invoice = api.new_invoice()
    assert person.open(f"{books}/invoices/{invoice['InvoiceNumber']}").invoice_status() == "DRAFT"


def test_an_unknown_invoice_is_a_404_page(person, books):
    page = person.open(books + "/invoices/00000000-0000-0000-0000-000000000000")
    assert page.status_code == 404 and page.heading == "Invoice not found"


# --- actions ---------------------------------------------------------------------------------------------------
def test_a_partial_then_a_full_payment_makes_the_invoice_paid(person, api, books):
    invoice = api.new_invoice(Status="AUTHORISED")
    path = invoice_path(books, invoice)
    form = person.open(path)
    assert form.buttons() == ["Record payment", "Void"]
    assert form.field("amount") == FULL_AMOUNT  # the amount due
    accounts = bank_accounts(form)
    assert accounts == api.bank_account_ids()  # the organisation's BANK accounts, nothing else

    part = person.submit_and_follow(
        path + "/payments", {"amount": "40", "date": "2026-03-05", "account": accounts["091"], "reference": "First part"}
    )
    assert part.notices == ["Payment of 40.00 recorded."]
    assert (part.invoice_status(), part.amount("amount-paid"), part.amount("amount-due")) == ("AUTHORISED", "40.00", "75.00")
    assert part.field("amount") == "75.00" and part.buttons() == ["Record payment"]  # paid into: no longer voidable
    assert person.open(path).notices == []  # said once

    paid = person.submit_and_follow(path + "/payments", {"amount": "75.00", "date": "2026-03-20", "account": accounts["090"]})
    assert paid.notices == ["Payment of 75.00 recorded."]
    assert (paid.invoice_status(), paid.amount("amount-paid"), paid.amount("amount-due")) == ("PAID", FULL_AMOUNT, "0.00")
    assert paid.buttons() == []
    assert paid.texts("//tr[@data-payment-id]/td") == [
        "5 Mar 2026",
        "Business Savings Account (091)",
        "First part",
        "40.00",
        "20 Mar 2026",
        "Business Bank Account (090)",
        "",
        "75.00",
    ]

    read = api.invoice(invoice["InvoiceID"])
    assert (read["Status"], read["AmountDue"], read["AmountPaid"]) == ("PAID", 0, 115)
    assert [payment["Amount"] for payment in read["Payments"]] == [40, 75]
    assert read["FullyPaidOnDate"] == "/Date(1773964800000+0000)/"  # 2026-03-20
    assert read["UpdatedDateUTC"] > invoice["UpdatedDateUTC"]
    first = api.payment(read["Payments"][0]["PaymentID"])
    assert (first["Account"]["Code"], first["Reference"], first["Date"], first["Status"]) == (
        "091",
        "First part",
        "/Date(1772668800000+0000)/",
        "AUTHORISED",
    )


def test_a_payment_amount_may_carry_thousands_separators(person, api, books):
    fit_out = {"Description": "Fit-out", "Quantity": 1, "UnitAmount": 2000, "AccountCode": "200"}
    [invoice] = api.created("Invoices", {**api.invoice_element(api.new_contact(), Status="AUTHORISED"), "LineItems": [fit_out]})
    path = invoice_path(books, invoice)
    accounts = bank_accounts(person.open(path))
    page = person.submit_and_follow(path + "/payments", {"amount": "1,000.00", "date": "2026-03-05", "account": accounts["090"]})
    assert page.notices == ["Payment of 1,000.00 recorded."] and page.amount("amount-due") == "1,300.00"


def test_approving_a_draft(person, api, books):
    invoice = api.new_invoice()
    page = person.submit_and_follow(invoice_path(books, invoice) + "/approve")
    assert page.notices == [f"Invoice {invoice['InvoiceNumber']} approved."]
    assert page.invoice_status() == "AUTHORISED" and page.buttons() == ["Record payment", "Void"]
    read = api.invoice(invoice["InvoiceID"])
    assert read["Status"] == "AUTHORISED" and read["UpdatedDateUTC"] > invoice["UpdatedDateUTC"]


def test_approving_a_submitted_invoice(person, api, books):
    invoice = api.new_invoice(Status="SUBMITTED")
    assert person.open(invoice_path(books, invoice)).buttons() == ["Approve", "Delete"]
    assert person.submit_and_follow(invoice_path(books, invoice) + "/approve").invoice_status() == "AUTHORISED"


def test_voiding_an_approved_invoice(person, api, books):
    invoice = api.new_invoice(Status="AUTHORISED")
    page = person.submit_and_follow(invoice_path(books, invoice) + "/void")
    assert page.notices == [f"Invoice {invoice['InvoiceNumber']} voided."]
    assert page.invoice_status() == "VOIDED" and page.buttons() == []
    assert api.invoice(invoice["InvoiceID"])["Status"] == "VOIDED"


def test_deleting_a_draft_takes_it_off_the_list(person, api, books):
    tag = unique("Deleted")
    invoice = api.new_invoice(Reference=tag)
    page = person.submit_and_follow(invoice_path(books, invoice) + "/delete")
    assert page.notices == [f"Invoice {invoice['InvoiceNumber']} deleted."] and page.invoice_status() == "DELETED"
    assert api.invoice(invoice["InvoiceID"])["Status"] == "DELETED"
    assert person.open(books + "/invoices", q=tag).invoice_ids() == []
    assert person.open(books + "/invoices", q=tag, status="DELETED").invoice_ids() == [invoice["InvoiceID"]]


# --- refusals: the business layer's message on the page, nothing changed -----------------------------------------
REFUSALS = [
    (
        "AUTHORISED",
        "delete",
        {},
        "Invoice not of valid status for deletion. Only DRAFT and SUBMITTED invoices can be deleted; "
        "void an AUTHORISED one instead.",
    ),
    (
        "DRAFT",
        "void",
        {},
        "Invoice not of valid status for voiding. Only AUTHORISED invoices can be voided; delete a DRAFT one instead.",
    ),
    ("AUTHORISED", "approve", {}, "This invoice is already AUTHORISED."),
    ("DRAFT", "payments", {"amount": "10"}, "Payments can only be made against AUTHORISED documents; this one is DRAFT."),
    (
        "AUTHORISED",
        "payments",
        {"amount": "500"},
        "Payment amount exceeds the amount outstanding on this document",
    ),
    ("AUTHORISED", "payments", {"amount": "ten"}, "Amount must be a number."),
    (
        "AUTHORISED",
        "payments",
        {"amount": "10", "account": ""},
        "A payment must name the Account it is paid from or into (AccountID or Code).",
    ),
    ("AUTHORISED", "payments", {"amount": "10", "date": "2026-02-30"}, "Date '2026-02-30' is not a valid date."),
    ("AUTHORISED", "payments", {"amount": "1e30"}, "A number given is too large to be calculated."),
]


@pytest.mark.parametrize(("status", "action", "form", "message"), REFUSALS, ids=[f"{s}-{a}-{m[:24]}" for s, a, _, m in REFUSALS])
def test_a_refused_action_shows_why_and_changes_nothing(person, api, books, status, action, form, message):
    invoice = api.new_invoice(Status=status)
    data = (
        {"date": "2026-03-05", "account": api.bank_account_ids()["090"], "reference": "", **form} if action == "payments" else {}
    )
    answer = person.submit(f"{invoice_path(books, invoice)}/{action}", data)
    assert answer.status_code == 400
    page = Page(answer)
    assert message in page.errors
    assert page.invoice_status() == status  # the invoice as it still is
    if action == "payments" and status == "AUTHORISED":
        assert page.field("amount") == form["amount"]  # what the person typed, to correct it
    read = api.invoice(invoice["InvoiceID"])
    assert (read["Status"], read["UpdatedDateUTC"], read.get("Payments", [])) == (status, invoice["UpdatedDateUTC"], [])


def test_an_invoice_with_payments_cannot_be_voided(person, api, books):
    invoice = api.new_invoice(Status="AUTHORISED")
    path = invoice_path(books, invoice)
    person.submit_and_follow(
        path + "/payments", {"amount": "10", "date": "2026-03-05", "account": bank_accounts(person.open(path))["090"]}
    )
    paid_into = api.invoice(invoice["InvoiceID"])
    answer = person.submit(path + "/void")
    api_answer = api.http.post(f"/Invoices/{invoice['InvoiceID']}", json={"Status": "VOIDED"})
    message = "This invoice cannot be voided as it has payments or credit allocated to it. Remove them first."
    assert answer.status_code == 400 and message in answer.text
    assert api_answer.status_code == 400 and message in api_answer.text  # the API's very words
    assert api.invoice(invoice["InvoiceID"])["UpdatedDateUTC"] == paid_into["UpdatedDateUTC"]


def test_approving_needs_an_account_on_every_line(person, api, books):
    [invoice] = api.created(
        "Invoices",
        {
            **api.invoice_element(api.new_contact()),
            "LineItems": [{"Description": "No account yet", "Quantity": 1, "UnitAmount": 10}],
        },
    )
    answer = person.submit(invoice_path(books, invoice) + "/approve")
    assert answer.status_code == 400
    assert "Each line item with an amount needs an AccountCode before the invoice can be approved." in answer.text
    assert api.invoice(invoice["InvoiceID"])["Status"] == "DRAFT"
