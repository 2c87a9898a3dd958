"""Payments: applied to invoices (and credit notes), PAID when covered, reversed by deletion."""

from __future__ import annotations


def test_a_part_payment_lowers_the_amount_due(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    [payment] = api.pay(invoice, 15, Reference="First instalment").json()["Payments"]
    assert (payment["Amount"], payment["PaymentType"], payment["Status"], payment["Reference"]) == (
        15,
        "ACCRECPAYMENT",
        "AUTHORISED",
        "First instalment",
    )
    assert payment["Invoice"]["InvoiceID"] == invoice["InvoiceID"] and payment["Account"]["Code"] == "090"
    after = api.invoice(invoice["InvoiceID"])
    assert (after["Status"], after["AmountPaid"], after["AmountDue"]) == ("AUTHORISED", 15, 100)
    assert [entry["PaymentID"] for entry in after["Payments"]] == [payment["PaymentID"]]


def test_paying_the_rest_makes_the_invoice_paid(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    api.pay(invoice, 15, Date="2026-03-05")
    api.pay(invoice, 100, Date="2026-03-20")
    paid = api.invoice(invoice["InvoiceID"])
    assert (paid["Status"], paid["AmountDue"], paid["FullyPaidOnDate"]) == ("PAID", 0, "/Date(1773964800000+0000)/")


def test_deleting_a_payment_reverses_it(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    [payment] = api.pay(invoice, 115).json()["Payments"]
    [deleted] = api.post(f"/Payments/{payment['PaymentID']}", json={"Status": "DELETED"}).json()["Payments"]
    assert deleted["Status"] == "DELETED" and deleted["UpdatedDateUTC"] > payment["UpdatedDateUTC"]
    reopened = api.invoice(invoice["InvoiceID"])
    assert (reopened["Status"], reopened["AmountDue"], reopened["AmountPaid"], reopened["Payments"]) == ("AUTHORISED", 115, 0, [])
    assert "FullyPaidOnDate" not in reopened


def test_a_deleted_payment_cannot_be_deleted_again(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    [payment] = api.pay(invoice, 5).json()["Payments"]
    api.post(f"/Payments/{payment['PaymentID']}", json={"Payments": [{"Status": "DELETED"}]})
    again = api.post(f"/Payments/{payment['PaymentID']}", json={"Status": "DELETED"})
    assert again.status_code == 400 and "already been deleted" in again.text


def test_a_payment_cannot_exceed_the_amount_due(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    response = api.pay(invoice, 200)
    assert response.status_code == 400
    assert response.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "Payment amount exceeds the amount outstanding on this document"}
    ]


def test_drafts_cannot_be_paid(api):
    response = api.pay(api.new_invoice(), 10)
    assert "Payments can only be made against AUTHORISED documents; this one is DRAFT." in response.text


def test_payments_go_to_a_bank_account(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    response = api.pay(invoice, 10, Account={"Code": "200"})
    assert "is not a bank account" in response.text


def test_a_single_payment_can_be_posted_and_found_by_invoice_number(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    response = api.post(
        "/Payments", json={"Invoice": {"InvoiceNumber": invoice["InvoiceNumber"]}, "Account": {"Code": "090"}, "Amount": 1}
    )
    [payment] = response.json()["Payments"]
    assert (
        api.get(f"/Payments/{payment['PaymentID']}").json()["Payments"][0]["Invoice"]["InvoiceNumber"] == invoice["InvoiceNumber"]
    )


def test_bills_are_paid_too(api):
    bill = api.new_invoice(
        Type="ACCPAY", Status="AUTHORISED", lines=[{"Description": "Ads", "Quantity": 1, "UnitAmount": 20, "AccountCode": "400"}]
    )
    [payment] = api.pay(bill, 23).json()["Payments"]
    assert payment["PaymentType"] == "ACCPAYPAYMENT" and api.invoice(bill["InvoiceID"])["Status"] == "PAID"


def test_payments_are_listed_filtered_and_paged(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    for amount in (1, 2, 3):
        api.pay(invoice, amount)
    where = {"where": f'Invoice.InvoiceID==Guid("{invoice["InvoiceID"]}")', "order": "Amount DESC"}
    body = api.get("/Payments", params={**where, "page": 1, "pageSize": 2}).json()
    assert [payment["Amount"] for payment in body["Payments"]] == [3, 2]
    assert body["pagination"] == {"page": 1, "pageSize": 2, "pageCount": 2, "itemCount": 3}
