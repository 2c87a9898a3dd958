import pytest

from dxconnector.domain.records import ConnectionSettings, DynamicsInvoice, InvoiceType, XeroStatus
from dxconnector.domain.rules import (
    RuleViolation,
    Why,
    cut_text,
    email_wanted,
    invoice_number,
    may_create_contact,
    may_create_item,
    reference,
    should_email,
    status_for,
    status_for_update,
    takes_reference,
    utf16_length,
)

INVOICE = DynamicsInvoice("inv-1", name="Supplier bill 7781", invoice_number="INV-01001-X1Y2")


@pytest.mark.parametrize(
    ("use_xero", "use_name", "expected"),
    [
        (True, False, None),  # Xero numbers it
        (True, True, None),  # "use invoice name" only counts when Xero does not number
        (False, False, "INV-01001-X1Y2"),  # the Dynamics invoice ID
        (False, True, "Supplier bill 7781"),  # the invoice name
    ],
)
def test_the_invoice_number_follows_the_numbering_settings(use_xero, use_name, expected):
    settings = ConnectionSettings(use_xero_invoice_number=use_xero, use_invoice_name=use_name)
    assert invoice_number(INVOICE, settings) == expected


@pytest.mark.parametrize(
    ("invoice", "use_name", "code"),
    [
        (DynamicsInvoice("i", name="   ", invoice_number="INV-1"), True, Why.NO_INVOICE_NUMBER),
        (DynamicsInvoice("i", name="Name", invoice_number=""), False, Why.NO_INVOICE_NUMBER),
        (DynamicsInvoice("i", name="N" * 256), True, Why.INVOICE_NUMBER_TOO_LONG),
    ],
)
def test_an_empty_or_too_long_number_is_refused(invoice, use_name, code):
    with pytest.raises(RuleViolation) as refused:
        invoice_number(invoice, ConnectionSettings(use_xero_invoice_number=False, use_invoice_name=use_name))
    assert refused.value.reasons[0].code is code


def test_a_255_character_name_is_a_valid_number():
    name = "N" * 255
    assert (
        invoice_number(DynamicsInvoice("i", name=name), ConnectionSettings(use_xero_invoice_number=False, use_invoice_name=True))
        == name
    )


ON, OFF = ConnectionSettings(description_to_reference=True), ConnectionSettings(description_to_reference=False)


@pytest.mark.parametrize(
    ("description", "settings", "expected"),
    [
        ("PO 4471 for the Wellington office", ON, "PO 4471 for the Wellington office"),
        ("PO 4471 for the Wellington office", OFF, None),
        ("", ON, None),
        (None, ON, None),
        ("   \n  ", ON, None),
        ("Line one\nline two\t and three", ON, "Line one line two and three"),
        ("x" * 300, ON, "x" * 255),
        ("ü" * 300, ON, "ü" * 255),
        ("Ngā mihi — " + "ā" * 300, ON, ("Ngā mihi — " + "ā" * 300)[:255]),
    ],
)
def test_the_reference_is_the_descriptions_first_255_characters_when_switched_on(description, settings, expected):
    assert reference(description, settings) == expected


def test_the_reference_counts_an_emoji_as_two_like_xero_and_never_splits_it():
    text = reference("🎉" * 200, ON)
    assert text == "🎉" * 127
    assert utf16_length(text) == 254


def test_the_reference_keeps_a_letter_with_its_accent_when_the_cut_falls_between_them():
    # q + combining dot above has no precomposed form, so it stays two code points after normalising
    text = reference("a" * 254 + "q\u0307" + "b", ON)
    assert text == "a" * 254


def test_decomposed_accents_are_composed_before_counting():
    assert reference("e\u0301" * 300, ON) == "é" * 255


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly ten", 11, "exactly ten"),
        ("cut here please", 8, "cut here"),
        ("trailing space cut", 9, "trailing"),
    ],
)
def test_cut_text(text, limit, expected):
    assert cut_text(text, limit) == expected


@pytest.mark.parametrize(
    ("invoice_type", "expected"),
    [
        (InvoiceType.ACCREC, True),
        (InvoiceType.ACCRECCREDIT, True),
        (InvoiceType.ACCPAY, False),
        (InvoiceType.ACCPAYCREDIT, False),
    ],
)
def test_xero_keeps_a_reference_on_sales_documents_only(invoice_type, expected):
    assert takes_reference(invoice_type) is expected


SETTINGS = ConnectionSettings(
    default_sales_invoice_status=XeroStatus.AUTHORISED, default_purchase_invoice_status=XeroStatus.SUBMITTED
)


@pytest.mark.parametrize(
    ("invoice_type", "expected"),
    [
        (InvoiceType.ACCREC, XeroStatus.AUTHORISED),
        (InvoiceType.ACCRECCREDIT, XeroStatus.AUTHORISED),
        (InvoiceType.ACCPAY, XeroStatus.SUBMITTED),
        (InvoiceType.ACCPAYCREDIT, XeroStatus.SUBMITTED),
    ],
)
def test_the_status_is_the_connections_default_for_sales_or_purchases(invoice_type, expected):
    assert status_for(invoice_type, SETTINGS) is expected


@pytest.mark.parametrize("status", [XeroStatus.DRAFT, XeroStatus.SUBMITTED, XeroStatus.AUTHORISED])
def test_each_default_status_setting_is_used(status):
    settings = ConnectionSettings(default_sales_invoice_status=status, default_purchase_invoice_status=status)
    assert status_for(InvoiceType.ACCREC, settings) is status
    assert status_for(InvoiceType.ACCPAY, settings) is status


def test_a_default_status_xero_does_not_take_on_create_falls_back_to_draft():
    settings = ConnectionSettings(default_sales_invoice_status=XeroStatus.PAID)
    assert status_for(InvoiceType.ACCREC, settings) is XeroStatus.DRAFT


@pytest.mark.parametrize(
    ("wanted", "current", "expected"),
    [
        (XeroStatus.DRAFT, None, XeroStatus.DRAFT),
        (XeroStatus.AUTHORISED, XeroStatus.DRAFT, XeroStatus.AUTHORISED),
        (XeroStatus.DRAFT, XeroStatus.AUTHORISED, XeroStatus.AUTHORISED),  # never back to draft
        (XeroStatus.DRAFT, XeroStatus.SUBMITTED, XeroStatus.SUBMITTED),
        (XeroStatus.SUBMITTED, XeroStatus.SUBMITTED, XeroStatus.SUBMITTED),
        (XeroStatus.AUTHORISED, XeroStatus.PAID, None),  # left alone
        (XeroStatus.AUTHORISED, XeroStatus.VOIDED, None),
        (XeroStatus.AUTHORISED, XeroStatus.DELETED, None),
    ],
)
def test_an_update_only_moves_the_status_forward(wanted, current, expected):
    assert status_for_update(wanted, current) == expected


@pytest.mark.parametrize(
    ("invoice_flag", "setting", "expected"),
    [
        (None, True, True),
        (None, False, False),
        (True, False, True),
        (False, True, False),
    ],
)
def test_the_invoices_email_flag_wins_over_the_connections_setting(invoice_flag, setting, expected):
    invoice = DynamicsInvoice("i", send_email=invoice_flag)
    assert email_wanted(invoice, ConnectionSettings(send_email_from_xero=setting)) is expected


@pytest.mark.parametrize(
    ("invoice_type", "status", "wanted", "already", "expected"),
    [
        (InvoiceType.ACCREC, XeroStatus.AUTHORISED, True, False, True),
        (InvoiceType.ACCREC, XeroStatus.AUTHORISED, True, True, False),  # once only
        (InvoiceType.ACCREC, XeroStatus.AUTHORISED, False, False, False),
        (InvoiceType.ACCREC, XeroStatus.DRAFT, True, False, False),  # not approved yet
        (InvoiceType.ACCREC, XeroStatus.SUBMITTED, True, False, False),
        (InvoiceType.ACCPAY, XeroStatus.AUTHORISED, True, False, False),  # Xero emails sales invoices only
        (InvoiceType.ACCRECCREDIT, XeroStatus.AUTHORISED, True, False, False),
    ],
)
def test_xero_emails_an_approved_sales_invoice_once(invoice_type, status, wanted, already, expected):
    assert should_email(invoice_type, status, wanted, already) is expected


@pytest.mark.parametrize("on", [True, False])
def test_creating_contacts_and_items_follows_the_settings(on):
    settings = ConnectionSettings(create_new_contacts=on, create_new_products=on)
    assert may_create_contact(settings) is on
    assert may_create_item(settings) is on


def test_the_settings_defaults_are_the_solutions():
    settings = ConnectionSettings()
    assert settings.use_xero_invoice_number and settings.create_new_contacts and settings.description_to_reference
    assert not settings.use_invoice_name and not settings.create_new_products and not settings.send_email_from_xero
    assert settings.default_sales_invoice_status is XeroStatus.DRAFT
    assert settings.default_purchase_invoice_status is XeroStatus.DRAFT
    assert settings.sync_interval_minutes == 10 and settings.time_zone == "UTC"
