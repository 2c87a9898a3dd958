"""Our managed solution, `DynamicsXeroConnector`, described as data.

Everything Dynamics needs for the sync lives here: the connection and its settings, Xero's reference lists,
the Xero details of each invoice and the payments and credits Xero allocated to it, the Xero contact of each
linked account or contact (with the customer's balances in Xero) and the Xero item of each linked product, the
sync history, the columns users fill in on invoices, invoice lines and products, and the forms that show an
invoice's payments and a customer's or a product's Xero link, payments and sync attempts. The builder turns this into the zip; `docs/solution.md` explains it table by table.
The tables' and columns' logical names are the constants of `dxconnector.domain.names`, which the rest of
the connector uses too.
"""

from __future__ import annotations

from typing import Any

from dxconnector.domain.names import (
    CONNECTOR_ID,
    PREFIX,
    AccountColumns,
    BrandingThemeTable,
    ChartOfAccountsTable,
    ConnectorSettingsTable,
    ConnectorTable,
    ContactColumns,
    CurrencyTable,
    InvoiceColumns,
    InvoiceLineColumns,
    ProductColumns,
    SyncHistoryTable,
    TaxRateTable,
    TrackingCategoryTable,
    TrackingOptionTable,
    XeroContactTable,
    XeroInvoiceTable,
    XeroItemTable,
    XeroPaymentTable,
)
from dxconnector.dynamics.solution.model import (
    Cascade,
    Choice,
    Column,
    Form,
    Kind,
    Publisher,
    Section,
    Solution,
    StandardField,
    Subgrid,
    Table,
    TableExtension,
    View,
)

PUBLISHER = Publisher(
    unique_name="stellarise",
    display_name="Stellarise",
    description="Publisher of the open-source Dynamics Xero Connector.",
    prefix=PREFIX,
    option_value_prefix=10000,
)

# --- helpers: one line per column below ------------------------------------------------------------------


def text(name: str, label: str, length: int = 100, **kwargs: Any) -> Column:
    return Column(name, label, Kind.TEXT, max_length=length, **kwargs)


def url(name: str, label: str, **kwargs: Any) -> Column:
    return Column(name, label, Kind.URL, max_length=1000, **kwargs)


def memo(name: str, label: str, length: int = 4000, **kwargs: Any) -> Column:
    return Column(name, label, Kind.MEMO, max_length=length, **kwargs)


def yes_no(name: str, label: str, default: bool = False, **kwargs: Any) -> Column:
    return Column(name, label, Kind.YES_NO, default=int(default), **kwargs)


def whole_number(name: str, label: str, minimum: int, maximum: int, **kwargs: Any) -> Column:
    return Column(name, label, Kind.WHOLE_NUMBER, min_value=minimum, max_value=maximum, **kwargs)


def money(name: str, label: str, **kwargs: Any) -> Column:
    return Column(name, label, Kind.MONEY, precision=2, min_value=-922337203685477, max_value=922337203685477, **kwargs)


def when(name: str, label: str, date_only: bool = False, **kwargs: Any) -> Column:
    return Column(name, label, Kind.DATE_ONLY if date_only else Kind.DATE_TIME, **kwargs)


def lookup(name: str, label: str, target: str, **kwargs: Any) -> Column:
    return Column(name, label, Kind.LOOKUP, target=target, **kwargs)


def choice(name: str, label: str, options: list[tuple[str, str]], default: str = "", **kwargs: Any) -> Column:
    """A choice column from (code, label) pairs; values follow the publisher's option value prefix."""
    choices = tuple(
        Choice(PUBLISHER.option_value(index), option_label, code) for index, (code, option_label) in enumerate(options)
    )
    default_value = next((c.value for c in choices if c.code == default), None) if default else None
    return Column(name, label, Kind.CHOICE, choices=choices, default=default_value, **kwargs)


def connector_lookup(label: str = "Xero Connection", **kwargs: Any) -> Column:
    return lookup(
        CONNECTOR_ID,
        label,
        ConnectorTable.TABLE,
        description="The connection (Xero organisation) this row belongs to.",
        **kwargs,
    )


INVOICE_STATUSES = [("DRAFT", "Draft"), ("SUBMITTED", "Awaiting Approval"), ("AUTHORISED", "Awaiting Payment")]
XERO_INVOICE_STATUSES = [
    ("DRAFT", "Draft"),
    ("SUBMITTED", "Submitted"),
    ("AUTHORISED", "Authorised"),
    ("PAID", "Paid"),
    ("VOIDED", "Voided"),
    ("DELETED", "Deleted"),
]
ACTIVE_ARCHIVED = [("ACTIVE", "Active"), ("ARCHIVED", "Archived")]
SYNC_STATUSES = [("SYNCED", "In step"), ("FAILED", "Failed (see Sync History)")]

# --- the tables ----------------------------------------------------------------------------------------

CONNECTION = Table(
    name=ConnectorTable.TABLE,
    label="Dynamics Xero Connector",
    plural_label="Dynamics Xero Connectors",
    description="One row per connection: a Xero organisation this Dynamics organisation syncs with. Invoices look it up.",
    columns=(
        text(
            ConnectorTable.XERO_TENANT_ID,
            "Xero Tenant ID",
            50,
            read_only=True,
            description="Xero's id of the connected organisation.",
        ),
        text(ConnectorTable.ORGANISATION_NAME, "Xero Organisation", 255, read_only=True),
        text(
            ConnectorTable.PORTAL_CONNECTION_ID,
            "Portal Connection ID",
            100,
            read_only=True,
            description="The connection's id in the connector portal.",
        ),
        choice(
            ConnectorTable.STATUS,
            "Connection Status",
            [("ACTIVE", "Active"), ("PAUSED", "Paused"), ("TRIAL_ENDED", "Trial Ended"), ("DISCONNECTED", "Disconnected")],
            default="ACTIVE",
            read_only=True,
        ),
        when(ConnectorTable.LAST_SYNC_ON, "Last Sync", read_only=True),
        text(ConnectorTable.LEGAL_NAME, "Legal Name", 255, read_only=True, description="The organisation's legal name in Xero."),
        text(ConnectorTable.COUNTRY_CODE, "Country", 2, read_only=True, description="Xero's country code, e.g. NZ."),
        text(ConnectorTable.BASE_CURRENCY, "Base Currency", 3, read_only=True, description="ISO 4217 code, e.g. NZD."),
        text(
            ConnectorTable.XERO_TIME_ZONE,
            "Xero Time Zone",
            64,
            read_only=True,
            description="The organisation's time zone as Xero names it, e.g. NEWZEALANDSTANDARDTIME.",
        ),
        text(ConnectorTable.FINANCIAL_YEAR_END, "Financial Year End", 20, read_only=True, description="e.g. 31 March."),
        text(
            ConnectorTable.SHORT_CODE, "Xero Short Code", 20, read_only=True, description="Xero's short code of the organisation."
        ),
        url(ConnectorTable.XERO_URL, "Xero Organisation URL", read_only=True, description="The organisation in Xero."),
    ),
    sections=(
        Section(
            "Connection",
            (
                ConnectorTable.NAME,
                ConnectorTable.ORGANISATION_NAME,
                ConnectorTable.STATUS,
                ConnectorTable.LAST_SYNC_ON,
                ConnectorTable.PORTAL_CONNECTION_ID,
                "ownerid",
            ),
        ),
        Section(
            "Xero Organisation",
            (
                ConnectorTable.LEGAL_NAME,
                ConnectorTable.COUNTRY_CODE,
                ConnectorTable.BASE_CURRENCY,
                ConnectorTable.XERO_TIME_ZONE,
                ConnectorTable.FINANCIAL_YEAR_END,
                ConnectorTable.SHORT_CODE,
                ConnectorTable.XERO_TENANT_ID,
                ConnectorTable.XERO_URL,
            ),
        ),
    ),
    view_columns=(ConnectorTable.ORGANISATION_NAME, ConnectorTable.STATUS, ConnectorTable.LAST_SYNC_ON),
)

SETTINGS = Table(
    name=ConnectorSettingsTable.TABLE,
    label="Connector Settings",
    plural_label="Connector Settings",
    description="The settings of one connection. Dynamics is their home; the connector portal edits the same row.",
    columns=(
        connector_lookup(),
        yes_no(
            ConnectorSettingsTable.IS_DEFAULT_CONNECTION,
            "Is this the Default Connection",
            description="Pre-fills the connection on new invoices. Only one connection should be the default.",
        ),
        yes_no(
            ConnectorSettingsTable.USE_XERO_INVOICE_NUMBER,
            "Use Xero Invoice Number",
            default=True,
            description="Yes: Xero numbers the invoice and the number comes back. No: Dynamics supplies it.",
        ),
        yes_no(
            ConnectorSettingsTable.USE_INVOICE_NAME,
            "Use Invoice Name",
            description="When Xero does not number invoices: Yes sends the invoice name, No the Dynamics invoice ID.",
        ),
        yes_no(
            ConnectorSettingsTable.CREATE_NEW_CONTACTS,
            "Create New Contacts in Xero",
            default=True,
            description="No: an invoice whose customer is not in Xero fails with a clear reason.",
        ),
        yes_no(
            ConnectorSettingsTable.CREATE_NEW_PRODUCTS,
            "Create New Products in Xero",
            description="Yes: products are created as Xero items the first time they are invoiced.",
        ),
        choice(
            ConnectorSettingsTable.DEFAULT_SALES_INVOICE_STATUS, "Default Sales Invoice Status", INVOICE_STATUSES, default="DRAFT"
        ),
        choice(
            ConnectorSettingsTable.DEFAULT_PURCHASE_INVOICE_STATUS,
            "Default Purchase Invoice Status",
            INVOICE_STATUSES,
            default="DRAFT",
        ),
        yes_no(
            ConnectorSettingsTable.SEND_EMAIL_FROM_XERO,
            "Send Email from Xero",
            description="Email the invoice from Xero after it syncs; copied onto each new invoice.",
        ),
        text(
            ConnectorSettingsTable.DEFAULT_SALES_ACCOUNT_CODE,
            "Default Sales Account Code",
            10,
            description="Xero account code for sales lines that have none (line, then product, then this).",
        ),
        text(
            ConnectorSettingsTable.DEFAULT_PURCHASE_ACCOUNT_CODE,
            "Default Purchase Account Code",
            10,
            description="Xero account code for purchase lines that have none.",
        ),
        text(
            ConnectorSettingsTable.DEFAULT_TAX_TYPE,
            "Default Tax Type",
            50,
            description="Xero tax type for lines that have none, e.g. OUTPUT2.",
        ),
        yes_no(
            ConnectorSettingsTable.DESCRIPTION_TO_REFERENCE,
            "Description to Reference",
            default=True,
            description="Send the first 255 characters of the invoice description as Xero's Reference.",
        ),
        yes_no(ConnectorSettingsTable.CREDIT_NOTES_AUTOMATICALLY, "Create Credit Notes Automatically"),
        whole_number(
            ConnectorSettingsTable.SYNC_INTERVAL_MINUTES,
            "Sync Interval (minutes)",
            1,
            1440,
            description="How often, in minutes, the connector looks for changes the webhooks may have missed; at least "
            "5 minutes (the connector's sweep period). Any sync, such as one a webhook starts, counts as a look.",
        ),
        text(
            ConnectorSettingsTable.TIME_ZONE,
            "Time Zone",
            64,
            description="Time zone of Dynamics and Xero, e.g. Pacific/Auckland.",
        ),
        yes_no(
            ConnectorSettingsTable.TWO_WAY_CONTACT_SYNC,
            "Two-way Contact Sync",
            description="Contact edits made in Xero flow back to the linked account or contact.",
        ),
    ),
    sections=(
        Section(
            "Connection",
            (
                ConnectorSettingsTable.NAME,
                ConnectorSettingsTable.CONNECTOR_ID,
                ConnectorSettingsTable.IS_DEFAULT_CONNECTION,
                ConnectorSettingsTable.TIME_ZONE,
                ConnectorSettingsTable.SYNC_INTERVAL_MINUTES,
                "ownerid",
            ),
        ),
        Section(
            "Invoices",
            (
                ConnectorSettingsTable.USE_XERO_INVOICE_NUMBER,
                ConnectorSettingsTable.USE_INVOICE_NAME,
                ConnectorSettingsTable.DEFAULT_SALES_INVOICE_STATUS,
                ConnectorSettingsTable.DEFAULT_PURCHASE_INVOICE_STATUS,
                ConnectorSettingsTable.SEND_EMAIL_FROM_XERO,
                ConnectorSettingsTable.DESCRIPTION_TO_REFERENCE,
                ConnectorSettingsTable.CREDIT_NOTES_AUTOMATICALLY,
            ),
        ),
        Section(
            "Contacts and Products",
            (
                ConnectorSettingsTable.CREATE_NEW_CONTACTS,
                ConnectorSettingsTable.CREATE_NEW_PRODUCTS,
                ConnectorSettingsTable.TWO_WAY_CONTACT_SYNC,
            ),
        ),
        Section(
            "Accounts and Tax",
            (
                ConnectorSettingsTable.DEFAULT_SALES_ACCOUNT_CODE,
                ConnectorSettingsTable.DEFAULT_PURCHASE_ACCOUNT_CODE,
                ConnectorSettingsTable.DEFAULT_TAX_TYPE,
            ),
        ),
    ),
    view_columns=(
        ConnectorSettingsTable.CONNECTOR_ID,
        ConnectorSettingsTable.IS_DEFAULT_CONNECTION,
        ConnectorSettingsTable.TIME_ZONE,
    ),
)

BRANDING_THEME = Table(
    name=BrandingThemeTable.TABLE,
    label="Branding Theme",
    plural_label="Branding Themes",
    description="Xero's branding themes, kept current by the connector; pick one on an invoice.",
    columns=(
        text(BrandingThemeTable.XERO_BRANDING_THEME_ID, "Xero Branding Theme ID", 50, read_only=True),
        whole_number(BrandingThemeTable.SORT_ORDER, "Sort Order", 0, 2147483647, read_only=True),
        connector_lookup(),
        choice(
            BrandingThemeTable.STATUS,
            "Status",
            ACTIVE_ARCHIVED,
            default="ACTIVE",
            read_only=True,
            description="Archived: the theme is no longer in Xero (invoices that chose it keep their lookup).",
        ),
    ),
    view_columns=(BrandingThemeTable.SORT_ORDER, BrandingThemeTable.STATUS, BrandingThemeTable.CONNECTOR_ID),
)

CHART_OF_ACCOUNTS = Table(
    name=ChartOfAccountsTable.TABLE,
    label="Chart of Accounts",
    plural_label="Chart of Accounts",
    description="Xero's accounts, kept current by the connector; pick one on invoice lines and products. "
    "The name reads 'code - name' so lookups show both.",
    primary_name_length=200,
    columns=(
        text(ChartOfAccountsTable.CODE, "Code", 10, read_only=True),
        text(ChartOfAccountsTable.ACCOUNT_NAME, "Account Name", 150, read_only=True),
        text(ChartOfAccountsTable.TYPE, "Type", 50, read_only=True, description="Xero's account type, e.g. REVENUE, EXPENSE."),
        text(ChartOfAccountsTable.TAX_TYPE, "Tax Type", 50, read_only=True, description="The account's default Xero tax type."),
        choice(ChartOfAccountsTable.STATUS, "Status", ACTIVE_ARCHIVED, default="ACTIVE", read_only=True),
        text(ChartOfAccountsTable.XERO_ACCOUNT_ID, "Xero Account ID", 50, read_only=True),
        connector_lookup(),
    ),
    view_columns=(
        ChartOfAccountsTable.CODE,
        ChartOfAccountsTable.TYPE,
        ChartOfAccountsTable.TAX_TYPE,
        ChartOfAccountsTable.STATUS,
    ),
)

TAX_RATE = Table(
    name=TaxRateTable.TABLE,
    label="Tax Rate",
    plural_label="Tax Rates",
    description="Xero's tax rates, kept current by the connector; pick one on invoice lines and products.",
    columns=(
        text(TaxRateTable.TAX_TYPE, "Tax Type", 50, read_only=True, description="Xero's tax type code, e.g. OUTPUT2."),
        Column(
            TaxRateTable.EFFECTIVE_RATE,
            "Effective Rate (%)",
            Kind.DECIMAL,
            precision=4,
            min_value=0,
            max_value=100,
            read_only=True,
        ),
        choice(
            TaxRateTable.STATUS,
            "Status",
            [("ACTIVE", "Active"), ("ARCHIVED", "Archived"), ("DELETED", "Deleted"), ("PENDING", "Pending")],
            default="ACTIVE",
            read_only=True,
        ),
        yes_no(TaxRateTable.CAN_APPLY_TO_REVENUE, "Can Apply to Revenue", read_only=True),
        yes_no(TaxRateTable.CAN_APPLY_TO_EXPENSES, "Can Apply to Expenses", read_only=True),
        connector_lookup(),
    ),
    view_columns=(TaxRateTable.TAX_TYPE, TaxRateTable.EFFECTIVE_RATE, TaxRateTable.STATUS),
)

TRACKING_CATEGORY = Table(
    name=TrackingCategoryTable.TABLE,
    label="Tracking Category",
    plural_label="Tracking Categories",
    description="Xero's tracking categories, kept current by the connector.",
    columns=(
        text(TrackingCategoryTable.XERO_TRACKING_CATEGORY_ID, "Xero Tracking Category ID", 50, read_only=True),
        choice(TrackingCategoryTable.STATUS, "Status", ACTIVE_ARCHIVED, default="ACTIVE", read_only=True),
        connector_lookup(),
    ),
    view_columns=(TrackingCategoryTable.STATUS, TrackingCategoryTable.CONNECTOR_ID),
)

TRACKING_OPTION = Table(
    name=TrackingOptionTable.TABLE,
    label="Tracking Option",
    plural_label="Tracking Options",
    description="The options of Xero's tracking categories; pick up to two on an invoice line.",
    columns=(
        lookup(
            TrackingOptionTable.TRACKING_CATEGORY_ID,
            "Tracking Category",
            TRACKING_CATEGORY.name,
            required=True,
            cascade_delete=Cascade.CASCADE,
        ),
        text(TrackingOptionTable.XERO_TRACKING_OPTION_ID, "Xero Tracking Option ID", 50, read_only=True),
        choice(TrackingOptionTable.STATUS, "Status", ACTIVE_ARCHIVED, default="ACTIVE", read_only=True),
    ),
    view_columns=(TrackingOptionTable.TRACKING_CATEGORY_ID, TrackingOptionTable.STATUS),
)

CURRENCY = Table(
    name=CurrencyTable.TABLE,
    label="Xero Currency",
    plural_label="Xero Currencies",
    description="The currencies enabled in the Xero organisation, kept current by the connector.",
    columns=(
        text(CurrencyTable.CODE, "Currency Code", 3, read_only=True, description="ISO 4217 code, e.g. NZD."),
        connector_lookup(),
        choice(
            CurrencyTable.STATUS,
            "Status",
            ACTIVE_ARCHIVED,
            default="ACTIVE",
            read_only=True,
            description="Archived: the currency is no longer enabled in Xero.",
        ),
    ),
    view_columns=(CurrencyTable.CODE, CurrencyTable.STATUS, CurrencyTable.CONNECTOR_ID),
)

XERO_INVOICE = Table(
    name=XeroInvoiceTable.TABLE,
    label="Xero Invoice Details",
    plural_label="Xero Invoice Details",
    description="What Xero says about one Dynamics invoice: its id, number, status, links, amounts and export state.",
    columns=(
        lookup(XeroInvoiceTable.INVOICE_ID, "Invoice", "invoice", cascade_delete=Cascade.CASCADE),
        connector_lookup(),
        text(XeroInvoiceTable.XERO_ID, "Xero Invoice ID", 50, read_only=True),
        text(XeroInvoiceTable.XERO_NUMBER, "Xero Invoice Number", 255, read_only=True),
        choice(XeroInvoiceTable.XERO_STATUS, "Xero Status", XERO_INVOICE_STATUSES, read_only=True),
        url(XeroInvoiceTable.INVOICE_URL, "Xero Invoice URL", read_only=True),
        url(
            XeroInvoiceTable.ONLINE_INVOICE_URL,
            "Online Invoice URL",
            read_only=True,
            description="The customer's view of the invoice.",
        ),
        money(XeroInvoiceTable.AMOUNT_DUE, "Amount Due", read_only=True),
        money(XeroInvoiceTable.AMOUNT_PAID, "Amount Paid", read_only=True),
        money(XeroInvoiceTable.AMOUNT_CREDITED, "Amount Credited", read_only=True),
        when(XeroInvoiceTable.FULLY_PAID_ON, "Fully Paid On", date_only=True, read_only=True),
        choice(
            XeroInvoiceTable.EXPORT_STATUS,
            "Export Status",
            [("NO", "Not Exported"), ("EXPORTED", "Exported"), ("READY_TO_UPDATE", "Ready to Update"), ("FAILED", "Failed")],
            default="NO",
        ),
        when(XeroInvoiceTable.EXPORTED_ON, "Exported On", read_only=True),
    ),
    sections=(
        Section(
            "Invoice",
            (
                XeroInvoiceTable.NAME,
                XeroInvoiceTable.INVOICE_ID,
                XeroInvoiceTable.CONNECTOR_ID,
                XeroInvoiceTable.EXPORT_STATUS,
                XeroInvoiceTable.EXPORTED_ON,
                "ownerid",
            ),
        ),
        Section(
            "Xero",
            (
                XeroInvoiceTable.XERO_NUMBER,
                XeroInvoiceTable.XERO_STATUS,
                XeroInvoiceTable.XERO_ID,
                XeroInvoiceTable.INVOICE_URL,
                XeroInvoiceTable.ONLINE_INVOICE_URL,
            ),
        ),
        Section(
            "Payments",
            (
                "transactioncurrencyid",
                XeroInvoiceTable.AMOUNT_DUE,
                XeroInvoiceTable.AMOUNT_PAID,
                XeroInvoiceTable.AMOUNT_CREDITED,
                XeroInvoiceTable.FULLY_PAID_ON,
            ),
        ),
    ),
    view_columns=(
        XeroInvoiceTable.INVOICE_ID,
        XeroInvoiceTable.XERO_NUMBER,
        XeroInvoiceTable.XERO_STATUS,
        XeroInvoiceTable.AMOUNT_DUE,
        XeroInvoiceTable.EXPORT_STATUS,
    ),
)

# The grids of a customer's or a product's Xero link on its form (see the extensions below).
XERO_CONTACT_GRID = "Xero Contact Links"
XERO_ITEM_GRID = "Xero Item Links"
SYNC_ATTEMPTS_GRID = "Sync Attempts"

XERO_CONTACT = Table(
    name=XeroContactTable.TABLE,
    label="Xero Contact",
    plural_label="Xero Contacts",
    description="One row per connection and linked account or contact: its Xero contact, the contact's status in "
    "Xero and whether the last sync succeeded.",
    columns=(
        lookup(XeroContactTable.ACCOUNT_ID, "Account", "account", cascade_delete=Cascade.CASCADE, read_only=True),
        lookup(XeroContactTable.CONTACT_ID, "Contact", "contact", cascade_delete=Cascade.CASCADE, read_only=True),
        connector_lookup(read_only=True),
        text(XeroContactTable.XERO_CONTACT_ID, "Xero Contact ID", 50, read_only=True),
        choice(
            XeroContactTable.XERO_STATUS,
            "Xero Status",
            ACTIVE_ARCHIVED,
            read_only=True,
            description="The contact's status in Xero (its ContactStatus).",
        ),
        choice(XeroContactTable.SYNC_STATUS, "Sync Status", SYNC_STATUSES, read_only=True),
        url(XeroContactTable.XERO_URL, "Xero Contact URL", read_only=True, description="The contact in Xero."),
        when(XeroContactTable.LAST_SYNCED_ON, "Last Synced On", read_only=True),
        money(
            XeroContactTable.OUTSTANDING,
            "Outstanding",
            read_only=True,
            description="What the customer owes in Xero (its accounts receivable outstanding), in the balance currency.",
        ),
        money(
            XeroContactTable.OVERDUE,
            "Overdue",
            read_only=True,
            description="The part of the outstanding amount past its due date in Xero.",
        ),
        text(
            XeroContactTable.BALANCE_CURRENCY,
            "Balance Currency",
            3,
            read_only=True,
            description="The currency of the balances (the Xero organisation's base currency), e.g. NZD.",
        ),
        when(XeroContactTable.BALANCES_ON, "Balances On", read_only=True, description="When the balances were read from Xero."),
    ),
    sections=(
        Section(
            "Record",
            (
                XeroContactTable.NAME,
                XeroContactTable.ACCOUNT_ID,
                XeroContactTable.CONTACT_ID,
                XeroContactTable.CONNECTOR_ID,
                "ownerid",
            ),
        ),
        Section(
            "Xero",
            (
                XeroContactTable.XERO_CONTACT_ID,
                XeroContactTable.XERO_STATUS,
                XeroContactTable.XERO_URL,
                XeroContactTable.SYNC_STATUS,
                XeroContactTable.LAST_SYNCED_ON,
            ),
        ),
        Section(
            "Balances in Xero",
            (
                XeroContactTable.OUTSTANDING,
                XeroContactTable.OVERDUE,
                XeroContactTable.BALANCE_CURRENCY,
                XeroContactTable.BALANCES_ON,
            ),
        ),
    ),
    view_columns=(
        XeroContactTable.CONNECTOR_ID,
        XeroContactTable.XERO_STATUS,
        XeroContactTable.SYNC_STATUS,
        XeroContactTable.LAST_SYNCED_ON,
    ),
    views=(
        View(
            XERO_CONTACT_GRID,
            (
                XeroContactTable.CONNECTOR_ID,
                XeroContactTable.XERO_CONTACT_ID,
                XeroContactTable.XERO_STATUS,
                XeroContactTable.SYNC_STATUS,
                XeroContactTable.XERO_URL,
                XeroContactTable.LAST_SYNCED_ON,
                XeroContactTable.OUTSTANDING,
                XeroContactTable.OVERDUE,
                XeroContactTable.BALANCE_CURRENCY,
                XeroContactTable.BALANCES_ON,
            ),
            description="A customer's Xero contact in each connection with its balances in Xero, as the account and "
            "contact forms show it.",
        ),
    ),
)

XERO_ITEM = Table(
    name=XeroItemTable.TABLE,
    label="Xero Item",
    plural_label="Xero Items",
    description="One row per connection and linked product: its Xero item, the item's code and whether the last sync succeeded.",
    columns=(
        lookup(XeroItemTable.PRODUCT_ID, "Product", "product", cascade_delete=Cascade.CASCADE, read_only=True),
        connector_lookup(read_only=True),
        text(XeroItemTable.XERO_ITEM_ID, "Xero Item ID", 50, read_only=True),
        text(XeroItemTable.XERO_CODE, "Xero Item Code", 30, read_only=True, description="The item's Code in Xero."),
        choice(XeroItemTable.SYNC_STATUS, "Sync Status", SYNC_STATUSES, read_only=True),
        url(XeroItemTable.XERO_URL, "Xero Item URL", read_only=True, description="The item in Xero."),
        when(XeroItemTable.LAST_SYNCED_ON, "Last Synced On", read_only=True),
    ),
    sections=(
        Section("Record", (XeroItemTable.NAME, XeroItemTable.PRODUCT_ID, XeroItemTable.CONNECTOR_ID, "ownerid")),
        Section(
            "Xero",
            (
                XeroItemTable.XERO_CODE,
                XeroItemTable.XERO_ITEM_ID,
                XeroItemTable.XERO_URL,
                XeroItemTable.SYNC_STATUS,
                XeroItemTable.LAST_SYNCED_ON,
            ),
        ),
    ),
    view_columns=(
        XeroItemTable.XERO_CODE,
        XeroItemTable.CONNECTOR_ID,
        XeroItemTable.SYNC_STATUS,
        XeroItemTable.LAST_SYNCED_ON,
    ),
    views=(
        View(
            XERO_ITEM_GRID,
            (
                XeroItemTable.CONNECTOR_ID,
                XeroItemTable.XERO_CODE,
                XeroItemTable.XERO_ITEM_ID,
                XeroItemTable.SYNC_STATUS,
                XeroItemTable.XERO_URL,
                XeroItemTable.LAST_SYNCED_ON,
            ),
            description="A product's Xero item in each connection, as the product form shows it.",
        ),
    ),
)

XERO_PAYMENTS_GRID = "Xero Payments"
CUSTOMER_PAYMENTS_GRID = "Xero Payments by Invoice"
PAYMENT_KINDS = [
    ("PAYMENT", "Payment"),
    ("CREDIT_NOTE", "Credit note"),
    ("PREPAYMENT", "Prepayment"),
    ("OVERPAYMENT", "Overpayment"),
]
PAYMENT_STATUSES = [("AUTHORISED", "Paid"), ("DELETED", "Deleted or reversed in Xero")]

XERO_PAYMENT = Table(
    name=XeroPaymentTable.TABLE,
    label="Xero Payment",
    plural_label="Xero Payments",
    description="One row per Xero payment, credit note, prepayment or overpayment allocated to a linked invoice, per "
    "connection. Written by the connector; deleted with its invoice.",
    columns=(
        lookup(XeroPaymentTable.INVOICE_ID, "Invoice", "invoice", cascade_delete=Cascade.CASCADE, read_only=True),
        lookup(
            XeroPaymentTable.ACCOUNT_ID,
            "Account",
            "account",
            read_only=True,
            description="The invoice's customer, when an account.",
        ),
        lookup(
            XeroPaymentTable.CONTACT_ID,
            "Contact",
            "contact",
            read_only=True,
            description="The invoice's customer, when a contact.",
        ),
        connector_lookup(read_only=True),
        text(
            XeroPaymentTable.XERO_ID,
            "Xero Payment ID",
            50,
            read_only=True,
            description="Xero's PaymentID, or the allocation's id for a credit note, prepayment or overpayment.",
        ),
        choice(XeroPaymentTable.KIND, "Kind", PAYMENT_KINDS, read_only=True),
        when(XeroPaymentTable.PAYMENT_DATE, "Payment Date", date_only=True, read_only=True),
        money(XeroPaymentTable.AMOUNT, "Amount", read_only=True, description="The amount applied to the invoice."),
        text(XeroPaymentTable.CURRENCY_CODE, "Currency", 3, read_only=True, description="ISO 4217 code, e.g. NZD."),
        Column(
            XeroPaymentTable.CURRENCY_RATE,
            "Currency Rate",
            Kind.DECIMAL,
            precision=10,
            min_value=0,
            max_value=100000000000,
            read_only=True,
            description="Xero's rate from the organisation's base currency to the payment's.",
        ),
        text(XeroPaymentTable.REFERENCE, "Reference", 255, read_only=True),
        text(
            XeroPaymentTable.PAYMENT_TYPE,
            "Payment Type",
            50,
            read_only=True,
            description="Xero's PaymentType, e.g. ACCRECPAYMENT.",
        ),
        choice(XeroPaymentTable.STATUS, "Status", PAYMENT_STATUSES, read_only=True),
        text(XeroPaymentTable.BANK_ACCOUNT, "Bank Account", 150, read_only=True, description="The Xero bank account's name."),
        text(
            XeroPaymentTable.CREDIT_NOTE_NUMBER,
            "Credit Note Number",
            255,
            read_only=True,
            description="The credit note allocated, for a credit.",
        ),
        url(XeroPaymentTable.XERO_URL, "Xero URL", read_only=True, description="The payment or credit note in Xero."),
    ),
    sections=(
        Section(
            "Payment",
            (
                XeroPaymentTable.NAME,
                XeroPaymentTable.INVOICE_ID,
                XeroPaymentTable.ACCOUNT_ID,
                XeroPaymentTable.CONTACT_ID,
                XeroPaymentTable.CONNECTOR_ID,
                "ownerid",
            ),
        ),
        Section(
            "Xero",
            (
                XeroPaymentTable.KIND,
                XeroPaymentTable.STATUS,
                XeroPaymentTable.PAYMENT_DATE,
                XeroPaymentTable.AMOUNT,
                XeroPaymentTable.CURRENCY_CODE,
                XeroPaymentTable.CURRENCY_RATE,
                XeroPaymentTable.REFERENCE,
                XeroPaymentTable.PAYMENT_TYPE,
                XeroPaymentTable.BANK_ACCOUNT,
                XeroPaymentTable.CREDIT_NOTE_NUMBER,
                XeroPaymentTable.XERO_ID,
                XeroPaymentTable.XERO_URL,
            ),
        ),
    ),
    view_columns=(
        XeroPaymentTable.INVOICE_ID,
        XeroPaymentTable.PAYMENT_DATE,
        XeroPaymentTable.AMOUNT,
        XeroPaymentTable.KIND,
        XeroPaymentTable.STATUS,
    ),
    views=(
        View(
            XERO_PAYMENTS_GRID,
            (
                XeroPaymentTable.PAYMENT_DATE,
                XeroPaymentTable.KIND,
                XeroPaymentTable.AMOUNT,
                XeroPaymentTable.CURRENCY_CODE,
                XeroPaymentTable.REFERENCE,
                XeroPaymentTable.STATUS,
                XeroPaymentTable.BANK_ACCOUNT,
                XeroPaymentTable.CREDIT_NOTE_NUMBER,
            ),
            order_by=XeroPaymentTable.PAYMENT_DATE,
            descending=True,
            description="An invoice's payments and credits from Xero, the latest first, as the invoice form shows them.",
        ),
        View(
            CUSTOMER_PAYMENTS_GRID,
            (
                XeroPaymentTable.PAYMENT_DATE,
                XeroPaymentTable.INVOICE_ID,
                XeroPaymentTable.KIND,
                XeroPaymentTable.AMOUNT,
                XeroPaymentTable.CURRENCY_CODE,
                XeroPaymentTable.REFERENCE,
                XeroPaymentTable.STATUS,
            ),
            order_by=XeroPaymentTable.PAYMENT_DATE,
            descending=True,
            description="A customer's payments and credits from Xero with their invoice, the latest first, as the "
            "account and contact forms show them.",
        ),
    ),
)

SYNC_HISTORY = Table(
    name=SyncHistoryTable.TABLE,
    label="Sync History",
    plural_label="Sync History",
    description="One row per sync attempt, linked to the record it was about, with the outcome and its reason.",
    primary_name_length=200,
    columns=(
        choice(
            SyncHistoryTable.DIRECTION,
            "Direction",
            [("D365_TO_XERO", "Dynamics to Xero"), ("XERO_TO_D365", "Xero to Dynamics")],
            read_only=True,
        ),
        choice(
            SyncHistoryTable.RECORD_TYPE,
            "Record Type",
            [
                ("INVOICE", "Invoice"),
                ("CREDIT_NOTE", "Credit Note"),
                ("ACCOUNT", "Account"),
                ("CONTACT", "Contact"),
                ("PRODUCT", "Product"),
                ("PAYMENT", "Payment"),
                ("REFERENCE_DATA", "Reference Data"),
            ],
            read_only=True,
        ),
        text(SyncHistoryTable.RECORD_ID, "Record ID", 100, read_only=True, description="The Dynamics id of the record."),
        text(SyncHistoryTable.XERO_ID, "Xero ID", 50, read_only=True, description="The Xero id of the record, when it has one."),
        choice(
            SyncHistoryTable.OUTCOME,
            "Outcome",
            [("SUCCEEDED", "Succeeded"), ("FAILED", "Failed"), ("SKIPPED", "Skipped"), ("HELD_BACK", "Held Back")],
            read_only=True,
        ),
        memo(
            SyncHistoryTable.MESSAGE,
            "Message",
            read_only=True,
            description="What happened, and for a failure why and what to fix.",
        ),
        when(SyncHistoryTable.ATTEMPTED_ON, "Attempted On", read_only=True),
        lookup(SyncHistoryTable.INVOICE_ID, "Invoice", "invoice", read_only=True),
        lookup(SyncHistoryTable.ACCOUNT_ID, "Account", "account", read_only=True),
        lookup(SyncHistoryTable.CONTACT_ID, "Contact", "contact", read_only=True),
        lookup(SyncHistoryTable.PRODUCT_ID, "Product", "product", read_only=True),
        connector_lookup(),
    ),
    sections=(
        Section(
            "Attempt",
            (
                SyncHistoryTable.NAME,
                SyncHistoryTable.ATTEMPTED_ON,
                SyncHistoryTable.DIRECTION,
                SyncHistoryTable.RECORD_TYPE,
                SyncHistoryTable.OUTCOME,
                SyncHistoryTable.MESSAGE,
            ),
        ),
        Section(
            "Record",
            (
                SyncHistoryTable.INVOICE_ID,
                SyncHistoryTable.ACCOUNT_ID,
                SyncHistoryTable.CONTACT_ID,
                SyncHistoryTable.PRODUCT_ID,
                SyncHistoryTable.RECORD_ID,
                SyncHistoryTable.XERO_ID,
                SyncHistoryTable.CONNECTOR_ID,
            ),
        ),
    ),
    view_columns=(
        SyncHistoryTable.ATTEMPTED_ON,
        SyncHistoryTable.RECORD_TYPE,
        SyncHistoryTable.OUTCOME,
        SyncHistoryTable.INVOICE_ID,
    ),
    views=(
        View(
            SYNC_ATTEMPTS_GRID,
            (
                SyncHistoryTable.ATTEMPTED_ON,
                SyncHistoryTable.DIRECTION,
                SyncHistoryTable.OUTCOME,
                SyncHistoryTable.MESSAGE,
                SyncHistoryTable.XERO_ID,
            ),
            order_by=SyncHistoryTable.ATTEMPTED_ON,
            descending=True,
            description="A record's sync attempts, the latest first, as the account, contact and product forms show them.",
        ),
    ),
)

# --- what we add to Microsoft's tables -------------------------------------------------------------------

LINES_VIEW = "Invoice Products (Xero)"

INVOICE = TableExtension(
    name=InvoiceColumns.TABLE,
    schema_name="Invoice",
    label="Invoice",
    plural_label="Invoices",
    entity_set_name="invoices",
    columns=(
        lookup(
            InvoiceColumns.CONNECTOR_ID,
            "Xero Connection",
            ConnectorTable.TABLE,
            description="The Xero organisation this invoice goes to.",
        ),
        choice(
            InvoiceColumns.XERO_INVOICE_TYPE,
            "Xero Invoice Type",
            [
                ("ACCREC", "Sales Invoice"),
                ("ACCPAY", "Purchase Invoice (Bill)"),
                ("ACCRECCREDIT", "Sales Credit Note"),
                ("ACCPAYCREDIT", "Bill Credit Note"),
            ],
            default="ACCREC",
        ),
        choice(
            InvoiceColumns.LINE_AMOUNT_TYPES,
            "Line Amount Types",
            [("Exclusive", "Tax Exclusive"), ("Inclusive", "Tax Inclusive"), ("NoTax", "No Tax")],
            default="Exclusive",
        ),
        lookup(InvoiceColumns.BRANDING_THEME_ID, "Branding Theme", BRANDING_THEME.name),
        yes_no(InvoiceColumns.SEND_EMAIL_FROM_XERO, "Send Email from Xero"),
        yes_no(
            InvoiceColumns.BUNDLE_HEADER_ONLY,
            "Bundled Product Header Only",
            description="Send bundles as their header line only, without the component lines.",
        ),
        text(InvoiceColumns.XERO_NUMBER, "Xero Invoice Number", 255, read_only=True),
        choice(InvoiceColumns.XERO_STATUS, "Xero Status", XERO_INVOICE_STATUSES, read_only=True),
    ),
    standard_fields=(
        StandardField("name", Kind.TEXT),
        StandardField("invoicenumber", Kind.TEXT, read_only=True),
        StandardField("customerid", Kind.LOOKUP),
        StandardField("pricelevelid", Kind.LOOKUP),
        StandardField("transactioncurrencyid", Kind.LOOKUP),
        StandardField("datedelivered", Kind.DATE_ONLY),
        StandardField("duedate", Kind.DATE_ONLY),
        StandardField("description", Kind.MEMO),
        StandardField("totalamount", Kind.MONEY, read_only=True),
        StandardField("ownerid", Kind.LOOKUP),
    ),
    forms=(
        Form(
            "Invoice (Xero)",
            description="The invoice with the fields the Xero sync uses and its payments from Xero.",
            sections=(
                Section(
                    "Invoice",
                    (
                        "name",
                        "invoicenumber",
                        "customerid",
                        "pricelevelid",
                        "transactioncurrencyid",
                        "datedelivered",
                        "duedate",
                        "description",
                        "ownerid",
                    ),
                ),
                Section(
                    "Xero",
                    (
                        InvoiceColumns.CONNECTOR_ID,
                        InvoiceColumns.XERO_INVOICE_TYPE,
                        InvoiceColumns.LINE_AMOUNT_TYPES,
                        InvoiceColumns.BRANDING_THEME_ID,
                        InvoiceColumns.SEND_EMAIL_FROM_XERO,
                        InvoiceColumns.BUNDLE_HEADER_ONLY,
                        InvoiceColumns.XERO_NUMBER,
                        InvoiceColumns.XERO_STATUS,
                        "totalamount",
                    ),
                ),
                Section("Products", (), Subgrid("invoicelines", "Products", "invoice_details", "invoicedetail", LINES_VIEW)),
                Section(
                    "Xero Payments",
                    (),
                    Subgrid(
                        "xeropayments",
                        "Xero Payments",
                        XeroPaymentTable.INVOICE_RELATIONSHIP,
                        XERO_PAYMENT.name,
                        XERO_PAYMENTS_GRID,
                    ),
                ),
            ),
        ),
    ),
)

INVOICE_LINE = TableExtension(
    name=InvoiceLineColumns.TABLE,
    schema_name="InvoiceDetail",
    label="Invoice Product",
    plural_label="Invoice Products",
    entity_set_name="invoicedetails",
    columns=(
        lookup(
            InvoiceLineColumns.ACCOUNT_CODE_ID,
            "Account Code",
            CHART_OF_ACCOUNTS.name,
            description="Xero account for this line; when empty the product's, then the connection's default.",
        ),
        lookup(InvoiceLineColumns.TAX_RATE_ID, "Tax Rate", TAX_RATE.name),
        lookup(InvoiceLineColumns.TRACKING_OPTION_1_ID, "Tracking Option 1", TRACKING_OPTION.name),
        lookup(InvoiceLineColumns.TRACKING_OPTION_2_ID, "Tracking Option 2", TRACKING_OPTION.name),
    ),
    standard_fields=(
        StandardField("invoiceid", Kind.LOOKUP),
        StandardField("productid", Kind.LOOKUP),
        StandardField("productdescription", Kind.TEXT),
        StandardField("uomid", Kind.LOOKUP),
        StandardField("quantity", Kind.DECIMAL),
        StandardField("priceperunit", Kind.MONEY),
        StandardField("manualdiscountamount", Kind.MONEY),
        StandardField("tax", Kind.MONEY),
        StandardField("extendedamount", Kind.MONEY, read_only=True),
    ),
    forms=(
        Form(
            "Invoice Product (Xero)",
            description="An invoice line with its Xero account, tax rate and tracking.",
            sections=(
                Section(
                    "Product",
                    (
                        "invoiceid",
                        "productid",
                        "productdescription",
                        "uomid",
                        "quantity",
                        "priceperunit",
                        "manualdiscountamount",
                        "tax",
                        "extendedamount",
                    ),
                ),
                Section(
                    "Xero",
                    (
                        InvoiceLineColumns.ACCOUNT_CODE_ID,
                        InvoiceLineColumns.TAX_RATE_ID,
                        InvoiceLineColumns.TRACKING_OPTION_1_ID,
                        InvoiceLineColumns.TRACKING_OPTION_2_ID,
                    ),
                ),
            ),
        ),
    ),
    views=(
        View(
            LINES_VIEW,
            (
                "productid",
                "productdescription",
                "quantity",
                "priceperunit",
                "extendedamount",
                InvoiceLineColumns.ACCOUNT_CODE_ID,
                InvoiceLineColumns.TAX_RATE_ID,
                InvoiceLineColumns.TRACKING_OPTION_1_ID,
                InvoiceLineColumns.TRACKING_OPTION_2_ID,
            ),
            description="Invoice lines with their Xero account code, tax rate and tracking.",
        ),
    ),
)


def xero_contact_grid(relationship: str) -> Section:
    return Section("Xero", (), Subgrid("xerocontacts", "Xero Contact", relationship, XERO_CONTACT.name, XERO_CONTACT_GRID))


def payments_grid(relationship: str) -> Section:
    return Section(
        "Xero Payments",
        (),
        Subgrid("xeropayments", "Xero Payments", relationship, XERO_PAYMENT.name, CUSTOMER_PAYMENTS_GRID),
    )


def sync_attempts_grid(relationship: str) -> Section:
    return Section(
        "Sync History", (), Subgrid("syncattempts", "Sync History", relationship, SYNC_HISTORY.name, SYNC_ATTEMPTS_GRID)
    )


CUSTOMER_ADDRESS = (
    StandardField("address1_line1", Kind.TEXT),
    StandardField("address1_city", Kind.TEXT),
    StandardField("address1_postalcode", Kind.TEXT),
    StandardField("address1_country", Kind.TEXT),
)

ACCOUNT = TableExtension(
    name=AccountColumns.TABLE,
    schema_name="Account",
    label="Account",
    plural_label="Accounts",
    entity_set_name="accounts",
    columns=(),
    standard_fields=(
        StandardField("name", Kind.TEXT),
        StandardField("accountnumber", Kind.TEXT),
        StandardField("emailaddress1", Kind.TEXT),
        StandardField("telephone1", Kind.TEXT),
        *CUSTOMER_ADDRESS,
        StandardField("ownerid", Kind.LOOKUP),
    ),
    forms=(
        Form(
            "Account (Xero)",
            description="The account with its Xero contact in each connection (and its balances there), its payments "
            "from Xero and its sync history.",
            sections=(
                Section(
                    "Account",
                    (
                        "name",
                        "accountnumber",
                        "emailaddress1",
                        "telephone1",
                        *(field.name for field in CUSTOMER_ADDRESS),
                        "ownerid",
                    ),
                ),
                xero_contact_grid(XeroContactTable.ACCOUNT_RELATIONSHIP),
                payments_grid(XeroPaymentTable.ACCOUNT_RELATIONSHIP),
                sync_attempts_grid(SyncHistoryTable.ACCOUNT_RELATIONSHIP),
            ),
        ),
    ),
)

CONTACT = TableExtension(
    name=ContactColumns.TABLE,
    schema_name="Contact",
    label="Contact",
    plural_label="Contacts",
    entity_set_name="contacts",
    columns=(),
    standard_fields=(
        StandardField("firstname", Kind.TEXT),
        StandardField("lastname", Kind.TEXT),
        StandardField("parentcustomerid", Kind.LOOKUP),
        StandardField("emailaddress1", Kind.TEXT),
        StandardField("telephone1", Kind.TEXT),
        *CUSTOMER_ADDRESS,
        StandardField("ownerid", Kind.LOOKUP),
    ),
    forms=(
        Form(
            "Contact (Xero)",
            description="The contact with its Xero contact in each connection (and its balances there), its payments "
            "from Xero and its sync history.",
            sections=(
                Section(
                    "Contact",
                    (
                        "firstname",
                        "lastname",
                        "parentcustomerid",
                        "emailaddress1",
                        "telephone1",
                        *(field.name for field in CUSTOMER_ADDRESS),
                        "ownerid",
                    ),
                ),
                xero_contact_grid(XeroContactTable.CONTACT_RELATIONSHIP),
                payments_grid(XeroPaymentTable.CONTACT_RELATIONSHIP),
                sync_attempts_grid(SyncHistoryTable.CONTACT_RELATIONSHIP),
            ),
        ),
    ),
)

PRODUCT = TableExtension(
    name=ProductColumns.TABLE,
    schema_name="Product",
    label="Product",
    plural_label="Products",
    entity_set_name="products",
    columns=(
        lookup(
            ProductColumns.ACCOUNT_CODE_ID,
            "Account Code",
            CHART_OF_ACCOUNTS.name,
            description="Xero account for lines of this product that have none of their own.",
        ),
        lookup(ProductColumns.TAX_RATE_ID, "Tax Rate", TAX_RATE.name),
    ),
    standard_fields=(
        StandardField("name", Kind.TEXT),
        StandardField("productnumber", Kind.TEXT),
        StandardField("price", Kind.MONEY),
        StandardField("description", Kind.MEMO),
    ),
    forms=(
        Form(
            "Product (Xero)",
            description="The product with its Xero account code and tax rate, its Xero item in each connection and "
            "its sync history.",
            sections=(
                Section("Product", ("name", "productnumber", "price", "description")),
                Section(
                    "Xero",
                    (ProductColumns.ACCOUNT_CODE_ID, ProductColumns.TAX_RATE_ID),
                    Subgrid("xeroitems", "Xero Item", XeroItemTable.PRODUCT_RELATIONSHIP, XERO_ITEM.name, XERO_ITEM_GRID),
                ),
                sync_attempts_grid(SyncHistoryTable.PRODUCT_RELATIONSHIP),
            ),
        ),
    ),
)

DYNAMICS_XERO_CONNECTOR = Solution(
    unique_name="DynamicsXeroConnector",
    display_name="Dynamics Xero Connector",
    description="Keeps Dynamics 365 invoices, customers and products in step with Xero.",
    version="1.2.0.0",
    managed=True,
    publisher=PUBLISHER,
    tables=(
        CONNECTION,
        SETTINGS,
        BRANDING_THEME,
        CHART_OF_ACCOUNTS,
        TAX_RATE,
        TRACKING_CATEGORY,
        TRACKING_OPTION,
        CURRENCY,
        XERO_INVOICE,
        XERO_CONTACT,
        XERO_ITEM,
        XERO_PAYMENT,
        SYNC_HISTORY,
    ),
    extensions=(INVOICE, INVOICE_LINE, ACCOUNT, CONTACT, PRODUCT),
)
