from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from dxconnector.domain.records import (
    ConnectionSettings,
    CustomerKind,
    CustomerRef,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    DynamicsProduct,
    ExportStatus,
    InvoiceLink,
    InvoiceState,
    InvoiceType,
    TrackingChoice,
    XeroStatus,
)
from dxconnector.domain.rules import Action, Why, invoice_problems, pick_up

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SETTINGS = ConnectionSettings(connector_id="conn-1", default_sales_account_code="200", default_purchase_account_code="400")
PRODUCT = DynamicsProduct("p1", "WIDGET-1", "Widget")
LINE = DynamicsInvoiceLine("l1", 1, product=PRODUCT, quantity=D(2), price_per_unit=D("10.00"))
INVOICE = DynamicsInvoice(
    "inv-1",
    name="Order 42",
    invoice_number="INV-01001",
    connector_id="conn-1",
    customer=CustomerRef(CustomerKind.ACCOUNT, "acc-1", "Acme Ltd", "A-100"),
    date_delivered=datetime(2026, 3, 9, 11, 0, tzinfo=UTC),
    lines=(LINE,),
    version="100",
)
LINK = InvoiceLink("xero-1", sent_type=InvoiceType.ACCREC, sent_version="100", sent_hash="h1")


def test_a_complete_new_invoice_is_created():
    assert pick_up(INVOICE, SETTINGS, NOW, None).action is Action.CREATE


@pytest.mark.parametrize(
    ("invoice", "settings", "link", "action", "code"),
    [
        # which connection
        (replace(INVOICE, connector_id="conn-2"), SETTINGS, None, Action.SKIP, Why.OTHER_CONNECTION),
        (replace(INVOICE, connector_id=None), SETTINGS, None, Action.HOLD, Why.NO_CONNECTION),
        # Dynamics state
        (replace(INVOICE, state=InvoiceState.CANCELED), SETTINGS, None, Action.SKIP, Why.NEVER_SENT),
        (
            replace(INVOICE, state=InvoiceState.CANCELED, xero_status=XeroStatus.VOIDED),
            SETTINGS,
            LINK,
            Action.SKIP,
            Why.ALREADY_CANCELLED,
        ),
        (replace(INVOICE, state=InvoiceState.PAID), SETTINGS, None, Action.HOLD, Why.NOT_ACTIVE),
        (replace(INVOICE, state=InvoiceState.CLOSED), SETTINGS, None, Action.HOLD, Why.NOT_ACTIVE),
        (replace(INVOICE, state=InvoiceState.PAID), SETTINGS, LINK, Action.SKIP, Why.CLOSED_IN_DYNAMICS),
        # the invoice's content
        (replace(INVOICE, customer=None), SETTINGS, None, Action.HOLD, Why.NO_CUSTOMER),
        (replace(INVOICE, lines=()), SETTINGS, None, Action.HOLD, Why.NO_LINES),
        (replace(INVOICE, date_delivered=None), SETTINGS, None, Action.HOLD, Why.NO_DATE_DELIVERED),
        (
            replace(INVOICE, date_delivered=datetime(2026, 3, 11, 12, 0, tzinfo=UTC)),
            SETTINGS,
            None,
            Action.HOLD,
            Why.DELIVERED_IN_FUTURE,
        ),
        (INVOICE, replace(SETTINGS, time_zone="Nowhere/Special"), None, Action.HOLD, Why.UNKNOWN_TIME_ZONE),
        (INVOICE, replace(SETTINGS, default_sales_account_code=None), None, Action.HOLD, Why.NO_ACCOUNT_CODE),
        (
            replace(
                INVOICE,
                lines=(replace(LINE, tracking=(TrackingChoice("A", "1"), TrackingChoice("B", "2"), TrackingChoice("C", "3"))),),
            ),
            SETTINGS,
            None,
            Action.HOLD,
            Why.TOO_MANY_TRACKING,
        ),
        (replace(INVOICE, lines=(replace(LINE, price_per_unit=D(-10)),)), SETTINGS, None, Action.HOLD, Why.NEGATIVE_TOTAL),
        (
            replace(INVOICE, name=""),
            replace(SETTINGS, use_xero_invoice_number=False, use_invoice_name=True),
            None,
            Action.HOLD,
            Why.NO_INVOICE_NUMBER,
        ),
        # what Xero already has
        (replace(INVOICE, export_status=ExportStatus.EXPORTED), SETTINGS, None, Action.HOLD, Why.LINK_MISSING),
        (INVOICE, SETTINGS, LINK, Action.SKIP, Why.UNCHANGED),
        (replace(INVOICE, version="101", xero_status=XeroStatus.VOIDED), SETTINGS, LINK, Action.HOLD, Why.VOIDED_IN_XERO),
        (replace(INVOICE, version="101", xero_status=XeroStatus.DELETED), SETTINGS, LINK, Action.HOLD, Why.VOIDED_IN_XERO),
        (replace(INVOICE, version="101", invoice_type=InvoiceType.ACCPAY), SETTINGS, LINK, Action.HOLD, Why.TYPE_CHANGED),
    ],
)
def test_each_pick_up_rule_holds_the_invoice_back_with_its_reason(invoice, settings, link, action, code):
    decision = pick_up(invoice, settings, NOW, link)
    assert decision.action is action
    assert code in [reason.code for reason in decision.reasons]
    assert decision.explanation  # something an admin can read
    assert decision.held_back is (action is Action.HOLD)


@pytest.mark.parametrize(
    ("invoice", "settings", "link", "hash_now", "action"),
    [
        (replace(INVOICE, connector_id=None), replace(SETTINGS, is_default_connection=True), None, None, Action.CREATE),
        (replace(INVOICE, export_status=ExportStatus.FAILED), SETTINGS, None, None, Action.CREATE),  # a retry
        (replace(INVOICE, export_status=ExportStatus.READY_TO_UPDATE), SETTINGS, None, None, Action.CREATE),
        (replace(INVOICE, version="101"), SETTINGS, LINK, None, Action.UPDATE),
        (replace(INVOICE, version="101"), SETTINGS, LINK, "h2", Action.UPDATE),
        (replace(INVOICE, version="101"), SETTINGS, LINK, "h1", Action.SKIP),  # only unsent columns changed
        (replace(INVOICE, export_status=ExportStatus.READY_TO_UPDATE), SETTINGS, LINK, "h1", Action.UPDATE),  # asked for
        (replace(INVOICE, version="101", xero_status=XeroStatus.PAID), SETTINGS, LINK, None, Action.UPDATE),  # paid rules next
        (replace(INVOICE, version="101"), SETTINGS, InvoiceLink("xero-1"), None, Action.UPDATE),  # older ledger entry
        (replace(INVOICE, state=InvoiceState.CANCELED, xero_status=XeroStatus.AUTHORISED), SETTINGS, LINK, None, Action.CANCEL),
        (
            replace(INVOICE, lines=(replace(LINE, price_per_unit=D(-10)),)),
            replace(SETTINGS, credit_notes_automatically=True),
            None,
            None,
            Action.CREATE,
        ),
        (replace(INVOICE, discount_amount=D(5)), SETTINGS, None, None, Action.CREATE),  # shared over the lines
        (
            replace(
                INVOICE, invoice_type=InvoiceType.ACCPAY, lines=(replace(LINE, quantity=D(3), manual_discount_amount=D("0.01")),)
            ),
            SETTINGS,
            None,
            None,
            Action.CREATE,
        ),  # on a Discount line
    ],
)
def test_what_happens_to_an_invoice_that_passes_the_rules(invoice, settings, link, hash_now, action):
    assert pick_up(invoice, settings, NOW, link, sent_fields_hash=hash_now).action is action


@pytest.mark.parametrize(
    ("time_zone", "action"),
    [
        ("UTC", Action.CREATE),  # 10 March in UTC: delivered today
        ("America/Los_Angeles", Action.CREATE),
        ("Pacific/Auckland", Action.HOLD),  # delivered 11 March in Auckland, where it is still 10 March
    ],
)
def test_date_delivered_today_or_earlier_is_judged_in_the_connections_time_zone(time_zone, action):
    invoice = replace(INVOICE, date_delivered=datetime(2026, 3, 10, 11, 0, tzinfo=UTC))
    now = datetime(2026, 3, 10, 10, 30, tzinfo=UTC)
    assert pick_up(invoice, replace(SETTINGS, time_zone=time_zone), now, None).action is action


def test_the_future_delivery_reason_says_when_the_invoice_will_go():
    invoice = replace(INVOICE, date_delivered=datetime(2026, 3, 11, 11, 0, tzinfo=UTC))
    decision = pick_up(invoice, replace(SETTINGS, time_zone="Pacific/Auckland"), NOW, None)
    assert "2026-03-12" in decision.explanation and "Pacific/Auckland" in decision.explanation


def test_every_reason_holding_an_invoice_back_is_listed_at_once():
    invoice = replace(
        INVOICE,
        customer=None,
        date_delivered=None,
        freight_amount=D(1),
        lines=(replace(LINE, product=DynamicsProduct("p", "BOLT", "Bolt")),),
    )
    decision = pick_up(invoice, replace(SETTINGS, default_sales_account_code=None), NOW, None)
    assert [reason.code for reason in decision.reasons] == [
        Why.NO_CUSTOMER,
        Why.NO_DATE_DELIVERED,
        Why.FREIGHT_AMOUNT,
        Why.NO_ACCOUNT_CODE,
    ]


def test_a_reason_never_repeats_what_the_invoice_says():
    secret = "Confidential restructuring advice"
    line = DynamicsInvoiceLine(
        "l1", 1, is_write_in=True, write_in_description=secret, quantity=D(1), price_per_unit=D("12345.67")
    )
    invoice = replace(INVOICE, lines=(line,), description=secret)
    decision = pick_up(invoice, replace(SETTINGS, default_sales_account_code=None), NOW, None)
    assert decision.held_back
    assert secret not in decision.explanation and "12345" not in decision.explanation


def test_a_clean_invoice_has_no_problems():
    assert invoice_problems(INVOICE, SETTINGS) == ()


@pytest.mark.parametrize(
    ("sync_from", "link", "action"),
    [
        (None, None, Action.CREATE),
        (date(2026, 3, 9), None, Action.CREATE),  # delivered on the day itself
        (date(2026, 3, 10), None, Action.SKIP),  # delivered before the connection's sync-from date
        (date(2026, 3, 10), replace(LINK, sent_version="99", sent_hash="h1"), Action.UPDATE),  # in Xero already: edits go
    ],
)
def test_a_new_invoice_delivered_before_the_sync_from_date_stays_out_of_xero(sync_from, link, action):
    decision = pick_up(INVOICE, replace(SETTINGS, sync_from=sync_from), NOW, link, sent_fields_hash="h2")
    assert decision.action is action
    if action is Action.SKIP:
        assert decision.reasons[0].code is Why.BEFORE_SYNC_FROM and "2026-03-10" in decision.explanation


def test_an_invoice_asked_about_again_is_answered_as_before_without_judging_it_again():
    held = replace(INVOICE, freight_amount=D("5.00"))
    first = invoice_problems(held, SETTINGS)
    assert [reason.code for reason in first] == [Why.FREIGHT_AMOUNT]
    assert invoice_problems(held, SETTINGS) is first  # remembered: the very same answer
    assert invoice_problems(replace(held), SETTINGS) == first  # an equal copy is judged on its own, alike
    assert invoice_problems(replace(held, freight_amount=None), SETTINGS) == ()  # a changed invoice is judged afresh
    other = replace(SETTINGS, default_sales_account_code="")
    assert invoice_problems(held, other) is not first  # other settings: judged again


def test_only_the_last_invoices_asked_about_are_remembered():
    from dxconnector.domain.rules import problems

    invoices = [replace(INVOICE, name=f"Order {number}") for number in range(problems.REMEMBERED + 5)]
    answers = [invoice_problems(invoice, SETTINGS) for invoice in invoices]
    assert len(problems._remembered) == problems.REMEMBERED
    assert invoice_problems(invoices[-1], SETTINGS) is answers[-1]
