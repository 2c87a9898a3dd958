"""Our managed solution, `DynamicsXeroConnector`, described as data.

Everything Dynamics needs for the sync lives here: the connection and its settings, Xero's reference lists,
the Xero details of each invoice, the sync history, and the columns users fill in on invoices, invoice
lines and products. The builder turns this into the zip; `docs/solution.md` explains it table by table.
"""

from __future__ import annotations

from typing import Any

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
    prefix="stl3",
    option_value_prefix=10000,
)

# --- helpers: one line per column below ------------------------------------------------------------------


def text(name: str, label: str, length: int = 100, **kwargs: Any) -> Column:
    return Column(f"stl3_{name}", label, Kind.TEXT, max_length=length, **kwargs)


def url(name: str, label: str, **kwargs: Any) -> Column:
    return Column(f"stl3_{name}", label, Kind.URL, max_length=1000, **kwargs)


def memo(name: str, label: str, length: int = 4000, **kwargs: Any) -> Column:
    return Column(f"stl3_{name}", label, Kind.MEMO, max_length=length, **kwargs)


def yes_no(name: str, label: str, default: bool = False, **kwargs: Any) -> Column:
    return Column(f"stl3_{name}", label, Kind.YES_NO, default=int(default), **kwargs)


def whole_number(name: str, label: str, minimum: int, maximum: int, **kwargs: Any) -> Column:
    return Column(f"stl3_{name}", label, Kind.WHOLE_NUMBER, min_value=minimum, max_value=maximum, **kwargs)


def money(name: str, label: str, **kwargs: Any) -> Column:
    return Column(f"stl3_{name}", label, Kind.MONEY, precision=2, min_value=-922337203685477, max_value=922337203685477, **kwargs)


def when(name: str, label: str, date_only: bool = False, **kwargs: Any) -> Column:
    return Column(f"stl3_{name}", label, Kind.DATE_ONLY if date_only else Kind.DATE_TIME, **kwargs)


def lookup(name: str, label: str, target: str, **kwargs: Any) -> Column:
    return Column(f"stl3_{name}", label, Kind.LOOKUP, target=target, **kwargs)


def choice(name: str, label: str, options: list[tuple[str, str]], default: str = "", **kwargs: Any) -> Column:
    """A choice column from (code, label) pairs; values follow the publisher's option value prefix."""
    choices = tuple(
        Choice(PUBLISHER.option_value(index), option_label, code) for index, (code, option_label) in enumerate(options)
    )
    default_value = next((c.value for c in choices if c.code == default), None) if default else None
    return Column(f"stl3_{name}", label, Kind.CHOICE, choices=choices, default=default_value, **kwargs)


def connector_lookup(label: str = "Xero Connection") -> Column:
    return lookup("connectorid", label, CONNECTOR, description="The connection (Xero organisation) this row belongs to.")


CONNECTOR = "stl3_dynamicsxeroconnector"
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

# --- the tables ----------------------------------------------------------------------------------------

CONNECTION = Table(
    name=CONNECTOR,
    label="Dynamics Xero Connector",
    plural_label="Dynamics Xero Connectors",
    description="One row per connection: a Xero organisation this Dynamics organisation syncs with. Invoices look it up.",
    columns=(
        text("xerotenantid", "Xero Tenant ID", 50, read_only=True, description="Xero's id of the connected organisation."),
        text("organisationname", "Xero Organisation", 255, read_only=True),
        text(
            "portalconnectionid",
            "Portal Connection ID",
            100,
            read_only=True,
            description="The connection's id in the connector portal.",
        ),
        choice(
            "status",
            "Connection Status",
            [("ACTIVE", "Active"), ("PAUSED", "Paused"), ("TRIAL_ENDED", "Trial Ended"), ("DISCONNECTED", "Disconnected")],
            default="ACTIVE",
            read_only=True,
        ),
        when("lastsyncon", "Last Sync", read_only=True),
    ),
    view_columns=("stl3_organisationname", "stl3_status", "stl3_lastsyncon"),
)

SETTINGS = Table(
    name="stl3_stellariseconnectorsettings",
    label="Connector Settings",
    plural_label="Connector Settings",
    description="The settings of one connection. Dynamics is their home; the connector portal edits the same row.",
    columns=(
        connector_lookup(),
        yes_no(
            "isdefaultconnection",
            "Is this the Default Connection",
            description="Pre-fills the connection on new invoices. Only one connection should be the default.",
        ),
        yes_no(
            "usexeroinvoicenumber",
            "Use Xero Invoice Number",
            default=True,
            description="Yes: Xero numbers the invoice and the number comes back. No: Dynamics supplies it.",
        ),
        yes_no(
            "useinvoicename",
            "Use Invoice Name",
            description="When Xero does not number invoices: Yes sends the invoice name, No the Dynamics invoice ID.",
        ),
        yes_no(
            "createnewcontacts",
            "Create New Contacts in Xero",
            default=True,
            description="No: an invoice whose customer is not in Xero fails with a clear reason.",
        ),
        yes_no(
            "createnewproducts",
            "Create New Products in Xero",
            description="Yes: products are created as Xero items the first time they are invoiced.",
        ),
        choice("defaultsalesinvoicestatus", "Default Sales Invoice Status", INVOICE_STATUSES, default="DRAFT"),
        choice("defaultpurchaseinvoicestatus", "Default Purchase Invoice Status", INVOICE_STATUSES, default="DRAFT"),
        yes_no(
            "sendemailfromxero",
            "Send Email from Xero",
            description="Email the invoice from Xero after it syncs; copied onto each new invoice.",
        ),
        text(
            "defaultsalesaccountcode",
            "Default Sales Account Code",
            10,
            description="Xero account code for sales lines that have none (line, then product, then this).",
        ),
        text(
            "defaultpurchaseaccountcode",
            "Default Purchase Account Code",
            10,
            description="Xero account code for purchase lines that have none.",
        ),
        text("defaulttaxtype", "Default Tax Type", 50, description="Xero tax type for lines that have none, e.g. OUTPUT2."),
        yes_no(
            "descriptiontoreference",
            "Description to Reference",
            default=True,
            description="Send the first 255 characters of the invoice description as Xero's Reference.",
        ),
        yes_no("creditnotesautomatically", "Create Credit Notes Automatically"),
        whole_number(
            "syncintervalminutes",
            "Sync Interval (minutes)",
            1,
            1440,
            description="Minutes between incremental sweeps; webhooks start a sync sooner.",
        ),
        text("timezone", "Time Zone", 64, description="Time zone of Dynamics and Xero, e.g. Pacific/Auckland."),
        yes_no(
            "twowaycontactsync",
            "Two-way Contact Sync",
            description="Contact edits made in Xero flow back to the linked account or contact.",
        ),
    ),
    sections=(
        Section(
            "Connection",
            ("stl3_name", "stl3_connectorid", "stl3_isdefaultconnection", "stl3_timezone", "stl3_syncintervalminutes", "ownerid"),
        ),
        Section(
            "Invoices",
            (
                "stl3_usexeroinvoicenumber",
                "stl3_useinvoicename",
                "stl3_defaultsalesinvoicestatus",
                "stl3_defaultpurchaseinvoicestatus",
                "stl3_sendemailfromxero",
                "stl3_descriptiontoreference",
                "stl3_creditnotesautomatically",
            ),
        ),
        Section("Contacts and Products", ("stl3_createnewcontacts", "stl3_createnewproducts", "stl3_twowaycontactsync")),
        Section("Accounts and Tax", ("stl3_defaultsalesaccountcode", "stl3_defaultpurchaseaccountcode", "stl3_defaulttaxtype")),
    ),
    view_columns=("stl3_connectorid", "stl3_isdefaultconnection", "stl3_timezone"),
)

BRANDING_THEME = Table(
    name="stl3_brandingtheme",
    label="Branding Theme",
    plural_label="Branding Themes",
    description="Xero's branding themes, kept current by the connector; pick one on an invoice.",
    columns=(
        text("xerobrandingthemeid", "Xero Branding Theme ID", 50, read_only=True),
        whole_number("sortorder", "Sort Order", 0, 2147483647, read_only=True),
        connector_lookup(),
    ),
    view_columns=("stl3_sortorder", "stl3_connectorid"),
)

CHART_OF_ACCOUNTS = Table(
    name="stl3_chartofaccounts",
    label="Chart of Accounts",
    plural_label="Chart of Accounts",
    description="Xero's accounts, kept current by the connector; pick one on invoice lines and products. "
    "The name reads 'code - name' so lookups show both.",
    primary_name_length=200,
    columns=(
        text("code", "Code", 10, read_only=True),
        text("accountname", "Account Name", 150, read_only=True),
        text("type", "Type", 50, read_only=True, description="Xero's account type, e.g. REVENUE, EXPENSE."),
        text("taxtype", "Tax Type", 50, read_only=True, description="The account's default Xero tax type."),
        choice("status", "Status", ACTIVE_ARCHIVED, default="ACTIVE", read_only=True),
        text("xeroaccountid", "Xero Account ID", 50, read_only=True),
        connector_lookup(),
    ),
    view_columns=("stl3_code", "stl3_type", "stl3_taxtype", "stl3_status"),
)

TAX_RATE = Table(
    name="stl3_taxrate",
    label="Tax Rate",
    plural_label="Tax Rates",
    description="Xero's tax rates, kept current by the connector; pick one on invoice lines and products.",
    columns=(
        text("taxtype", "Tax Type", 50, read_only=True, description="Xero's tax type code, e.g. OUTPUT2."),
        Column("stl3_effectiverate", "Effective Rate (%)", Kind.DECIMAL, precision=4, min_value=0, max_value=100, read_only=True),
        choice(
            "status",
            "Status",
            [("ACTIVE", "Active"), ("ARCHIVED", "Archived"), ("DELETED", "Deleted"), ("PENDING", "Pending")],
            default="ACTIVE",
            read_only=True,
        ),
        yes_no("canapplytorevenue", "Can Apply to Revenue", read_only=True),
        yes_no("canapplytoexpenses", "Can Apply to Expenses", read_only=True),
        connector_lookup(),
    ),
    view_columns=("stl3_taxtype", "stl3_effectiverate", "stl3_status"),
)

TRACKING_CATEGORY = Table(
    name="stl3_trackingcategory",
    label="Tracking Category",
    plural_label="Tracking Categories",
    description="Xero's tracking categories, kept current by the connector.",
    columns=(
        text("xerotrackingcategoryid", "Xero Tracking Category ID", 50, read_only=True),
        choice("status", "Status", ACTIVE_ARCHIVED, default="ACTIVE", read_only=True),
        connector_lookup(),
    ),
    view_columns=("stl3_status", "stl3_connectorid"),
)

TRACKING_OPTION = Table(
    name="stl3_trackingoption",
    label="Tracking Option",
    plural_label="Tracking Options",
    description="The options of Xero's tracking categories; pick up to two on an invoice line.",
    columns=(
        lookup("trackingcategoryid", "Tracking Category", "stl3_trackingcategory", required=True, cascade_delete=Cascade.CASCADE),
        text("xerotrackingoptionid", "Xero Tracking Option ID", 50, read_only=True),
        choice("status", "Status", ACTIVE_ARCHIVED, default="ACTIVE", read_only=True),
    ),
    view_columns=("stl3_trackingcategoryid", "stl3_status"),
)

CURRENCY = Table(
    name="stl3_currency",
    label="Xero Currency",
    plural_label="Xero Currencies",
    description="The currencies enabled in the Xero organisation, kept current by the connector.",
    columns=(
        text("code", "Currency Code", 3, read_only=True, description="ISO 4217 code, e.g. NZD."),
        connector_lookup(),
    ),
    view_columns=("stl3_code", "stl3_connectorid"),
)

XERO_INVOICE = Table(
    name="stl3_xeroinvoice",
    label="Xero Invoice Details",
    plural_label="Xero Invoice Details",
    description="What Xero says about one Dynamics invoice: its id, number, status, links, amounts and export state.",
    columns=(
        lookup("invoiceid", "Invoice", "invoice", cascade_delete=Cascade.CASCADE),
        connector_lookup(),
        text("xeroid", "Xero Invoice ID", 50, read_only=True),
        text("xeronumber", "Xero Invoice Number", 255, read_only=True),
        choice("xerostatus", "Xero Status", XERO_INVOICE_STATUSES, read_only=True),
        url("invoiceurl", "Xero Invoice URL", read_only=True),
        url("onlineinvoiceurl", "Online Invoice URL", read_only=True, description="The customer's view of the invoice."),
        money("amountdue", "Amount Due", read_only=True),
        money("amountpaid", "Amount Paid", read_only=True),
        money("amountcredited", "Amount Credited", read_only=True),
        when("fullypaidon", "Fully Paid On", date_only=True, read_only=True),
        choice(
            "exportstatus",
            "Export Status",
            [("NO", "Not Exported"), ("EXPORTED", "Exported"), ("READY_TO_UPDATE", "Ready to Update"), ("FAILED", "Failed")],
            default="NO",
        ),
        when("exportedon", "Exported On", read_only=True),
    ),
    sections=(
        Section(
            "Invoice", ("stl3_name", "stl3_invoiceid", "stl3_connectorid", "stl3_exportstatus", "stl3_exportedon", "ownerid")
        ),
        Section("Xero", ("stl3_xeronumber", "stl3_xerostatus", "stl3_xeroid", "stl3_invoiceurl", "stl3_onlineinvoiceurl")),
        Section(
            "Payments", ("transactioncurrencyid", "stl3_amountdue", "stl3_amountpaid", "stl3_amountcredited", "stl3_fullypaidon")
        ),
    ),
    view_columns=("stl3_invoiceid", "stl3_xeronumber", "stl3_xerostatus", "stl3_amountdue", "stl3_exportstatus"),
)

SYNC_HISTORY = Table(
    name="stl3_synchistory",
    label="Sync History",
    plural_label="Sync History",
    description="One row per sync attempt, linked to the record it was about, with the outcome and its reason.",
    primary_name_length=200,
    columns=(
        choice(
            "direction", "Direction", [("D365_TO_XERO", "Dynamics to Xero"), ("XERO_TO_D365", "Xero to Dynamics")], read_only=True
        ),
        choice(
            "recordtype",
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
        text("recordid", "Record ID", 100, read_only=True, description="The Dynamics id of the record."),
        text("xeroid", "Xero ID", 50, read_only=True, description="The Xero id of the record, when it has one."),
        choice(
            "outcome",
            "Outcome",
            [("SUCCEEDED", "Succeeded"), ("FAILED", "Failed"), ("SKIPPED", "Skipped"), ("HELD_BACK", "Held Back")],
            read_only=True,
        ),
        memo("message", "Message", read_only=True, description="What happened, and for a failure why and what to fix."),
        when("attemptedon", "Attempted On", read_only=True),
        lookup("invoiceid", "Invoice", "invoice", read_only=True),
        lookup("accountid", "Account", "account", read_only=True),
        lookup("contactid", "Contact", "contact", read_only=True),
        connector_lookup(),
    ),
    sections=(
        Section(
            "Attempt", ("stl3_name", "stl3_attemptedon", "stl3_direction", "stl3_recordtype", "stl3_outcome", "stl3_message")
        ),
        Section(
            "Record", ("stl3_invoiceid", "stl3_accountid", "stl3_contactid", "stl3_recordid", "stl3_xeroid", "stl3_connectorid")
        ),
    ),
    view_columns=("stl3_attemptedon", "stl3_recordtype", "stl3_outcome", "stl3_invoiceid"),
)

# --- what we add to Microsoft's tables -------------------------------------------------------------------

LINES_VIEW = "Invoice Products (Xero)"

INVOICE = TableExtension(
    name="invoice",
    schema_name="Invoice",
    label="Invoice",
    plural_label="Invoices",
    entity_set_name="invoices",
    columns=(
        lookup("connectorid", "Xero Connection", CONNECTOR, description="The Xero organisation this invoice goes to."),
        choice(
            "xeroinvoicetype",
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
            "lineamounttypes",
            "Line Amount Types",
            [("Exclusive", "Tax Exclusive"), ("Inclusive", "Tax Inclusive"), ("NoTax", "No Tax")],
            default="Exclusive",
        ),
        lookup("brandingthemeid", "Branding Theme", BRANDING_THEME.name),
        yes_no("sendemailfromxero", "Send Email from Xero"),
        yes_no(
            "bundleheaderonly",
            "Bundled Product Header Only",
            description="Send bundles as their header line only, without the component lines.",
        ),
        text("xeronumber", "Xero Invoice Number", 255, read_only=True),
        choice("xerostatus", "Xero Status", XERO_INVOICE_STATUSES, read_only=True),
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
            description="The invoice with the fields the Xero sync uses.",
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
                        "stl3_connectorid",
                        "stl3_xeroinvoicetype",
                        "stl3_lineamounttypes",
                        "stl3_brandingthemeid",
                        "stl3_sendemailfromxero",
                        "stl3_bundleheaderonly",
                        "stl3_xeronumber",
                        "stl3_xerostatus",
                        "totalamount",
                    ),
                ),
                Section("Products", (), Subgrid("invoicelines", "Products", "invoice_details", "invoicedetail", LINES_VIEW)),
            ),
        ),
    ),
)

INVOICE_LINE = TableExtension(
    name="invoicedetail",
    schema_name="InvoiceDetail",
    label="Invoice Product",
    plural_label="Invoice Products",
    entity_set_name="invoicedetails",
    columns=(
        lookup(
            "accountcodeid",
            "Account Code",
            CHART_OF_ACCOUNTS.name,
            description="Xero account for this line; when empty the product's, then the connection's default.",
        ),
        lookup("taxrateid", "Tax Rate", TAX_RATE.name),
        lookup("trackingoption1id", "Tracking Option 1", TRACKING_OPTION.name),
        lookup("trackingoption2id", "Tracking Option 2", TRACKING_OPTION.name),
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
                Section("Xero", ("stl3_accountcodeid", "stl3_taxrateid", "stl3_trackingoption1id", "stl3_trackingoption2id")),
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
                "stl3_accountcodeid",
                "stl3_taxrateid",
                "stl3_trackingoption1id",
                "stl3_trackingoption2id",
            ),
            description="Invoice lines with their Xero account code, tax rate and tracking.",
        ),
    ),
)

PRODUCT = TableExtension(
    name="product",
    schema_name="Product",
    label="Product",
    plural_label="Products",
    entity_set_name="products",
    columns=(
        lookup(
            "accountcodeid",
            "Account Code",
            CHART_OF_ACCOUNTS.name,
            description="Xero account for lines of this product that have none of their own.",
        ),
        lookup("taxrateid", "Tax Rate", TAX_RATE.name),
    ),
)

DYNAMICS_XERO_CONNECTOR = Solution(
    unique_name="DynamicsXeroConnector",
    display_name="Dynamics Xero Connector",
    description="Keeps Dynamics 365 invoices, customers and products in step with Xero.",
    version="1.0.0.0",
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
        SYNC_HISTORY,
    ),
    extensions=(INVOICE, INVOICE_LINE, PRODUCT),
)
