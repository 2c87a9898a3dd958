"""Xero Accounting resources as data: how each is named, keyed, paged and written through the SDK."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    name: str  # the collection key in bodies and responses, e.g. "Invoices"
    id_field: str  # e.g. "InvoiceID"
    paged: bool  # Xero pages Invoices, Contacts, CreditNotes, Payments; not the reference lists
    list_method: str  # AccountingApi method names
    create_method: str | None = None  # PUT: create
    upsert_method: str | None = None  # POST: create or update


INVOICES = Resource("Invoices", "InvoiceID", True, "get_invoices", "create_invoices", "update_or_create_invoices")
CREDIT_NOTES = Resource(
    "CreditNotes", "CreditNoteID", True, "get_credit_notes", "create_credit_notes", "update_or_create_credit_notes"
)
CONTACTS = Resource("Contacts", "ContactID", True, "get_contacts", "create_contacts", "update_or_create_contacts")
ITEMS = Resource("Items", "ItemID", False, "get_items", "create_items", "update_or_create_items")
PAYMENTS = Resource("Payments", "PaymentID", True, "get_payments", "create_payments")
PREPAYMENTS = Resource("Prepayments", "PrepaymentID", True, "get_prepayments")
OVERPAYMENTS = Resource("Overpayments", "OverpaymentID", True, "get_overpayments")
ACCOUNTS = Resource("Accounts", "AccountID", False, "get_accounts")
TAX_RATES = Resource("TaxRates", "TaxType", False, "get_tax_rates")
BRANDING_THEMES = Resource("BrandingThemes", "BrandingThemeID", False, "get_branding_themes")
TRACKING_CATEGORIES = Resource("TrackingCategories", "TrackingCategoryID", False, "get_tracking_categories")
CURRENCIES = Resource("Currencies", "Code", False, "get_currencies")
ORGANISATION = Resource("Organisations", "OrganisationID", False, "get_organisations")  # one record: the organisation

BATCH_SIZE = 50  # Xero's advice for one request
PAGE_SIZE = 100  # Xero's default; up to 1,000 where paging is offered
