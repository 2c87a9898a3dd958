"""A payment larger than what is outstanding is refused with Xero's own words, whichever way errors are reported."""

from __future__ import annotations

from datetime import date

import pytest
from xero_python.accounting import AccountingApi
from xero_python.accounting.models import Account, Invoice, Payment, Payments
from xero_python.exceptions import AccountingBadRequestException

from tests.sandbox.xero_api.client import SdkSession
from tests.sandbox.xero_helpers import connect

XERO_MESSAGE = "Payment amount exceeds the amount outstanding on this document"


@pytest.fixture(scope="module")
def sdk(accounting_sandbox):
    session = SdkSession(accounting_sandbox, connect(accounting_sandbox, app_kind="web", tenant_index=0))
    yield session
    session.close()


@pytest.fixture
def accounting(sdk, accounting_sandbox) -> AccountingApi:
    return AccountingApi(sdk.api_client, base_url=accounting_sandbox.xero["api_url"])


def too_much(invoice) -> Payments:
    return Payments(
        payments=[
            Payment(
                invoice=Invoice(invoice_id=invoice["InvoiceID"]),
                account=Account(code="090"),
                amount=115.01,
                date=date(2026, 3, 9),
            )
        ]
    )


def test_the_sdk_sees_xeros_message_per_element(sdk, accounting, api):
    invoice = api.new_invoice(Status="AUTHORISED")
    [refused] = accounting.create_payments(sdk.tenant_id, too_much(invoice), summarize_errors=False).payments
    assert refused.has_validation_errors is True
    assert [error.message for error in refused.validation_errors] == [XERO_MESSAGE]
    assert api.invoice(invoice["InvoiceID"])["AmountDue"] == 115


def test_the_sdk_sees_xeros_message_in_the_validation_exception(sdk, accounting, api):
    invoice = api.new_invoice(Status="AUTHORISED")
    api.pay(invoice, 100)
    with pytest.raises(AccountingBadRequestException) as raised:
        accounting.create_payments(sdk.tenant_id, too_much(invoice))
    assert raised.value.error_data["Elements"][0]["ValidationErrors"][0]["Message"] == XERO_MESSAGE
