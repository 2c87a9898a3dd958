"""The logical names of our solution's tables and columns, spelled here and nowhere else.

Dataverse knows what our managed solution adds by logical names (`stl3_xeroinvoice`, `stl3_exportstatus`, …).
The sync reads and writes rows by them, the portal sets a connection up with them, and the solution's definition
(`dxconnector.dynamics.solution.definition`) builds its tables and columns from these very constants: a name is
changed here, once, or not at all. A test holds the two together (every constant is a table, a column of that
table or one of its relationships in the definition) and finds no `stl3_` string anywhere else in the code.

One class per table: its logical name (`TABLE`) and its columns, a constant named after the column. The columns
the solution adds to Microsoft's tables are grouped the same way (`InvoiceColumns`, `InvoiceLineColumns`,
`AccountColumns`, `ContactColumns`, `ProductColumns`). Plain data, so the domain uses it as well as the Dataverse adapter.
"""

from __future__ import annotations

PREFIX = "stl3"  # the publisher's customization prefix: every name below starts with it

# Columns several of our tables share.
NAME = "stl3_name"  # every table's primary name column
CONNECTOR_ID = "stl3_connectorid"  # the lookup to the connection a row belongs to
STATUS = "stl3_status"  # a choice column: Active, Archived, …


def lookup_value(lookup: str) -> str:
    """The Web API's read-only property holding a lookup's id: `_stl3_connectorid_value`."""
    return f"_{lookup}_value"


def odata_bind(lookup: str) -> str:
    """The property that sets a lookup when a row is written: `stl3_connectorid@odata.bind`."""
    return f"{lookup}@odata.bind"


def relationship(table: str, lookup: str) -> str:
    """The relationship the solution makes for a lookup column on `table`: the prefix, the table and the lookup
    without their prefix. It is also the collection-valued navigation property on the row looked up."""
    return f"{PREFIX}_{table.removeprefix(PREFIX + '_')}_{lookup.removeprefix(PREFIX + '_')}"


# --- our tables --------------------------------------------------------------------------------------------


class ConnectorTable:
    """One row per connection: the Xero organisation this Dynamics organisation syncs with."""

    TABLE = "stl3_dynamicsxeroconnector"
    NAME = NAME
    XERO_TENANT_ID = "stl3_xerotenantid"
    ORGANISATION_NAME = "stl3_organisationname"
    PORTAL_CONNECTION_ID = "stl3_portalconnectionid"
    STATUS = STATUS
    LAST_SYNC_ON = "stl3_lastsyncon"
    # The Xero organisation's details, as Xero's Organisation endpoint gives them.
    LEGAL_NAME = "stl3_legalname"
    COUNTRY_CODE = "stl3_countrycode"
    BASE_CURRENCY = "stl3_basecurrency"
    XERO_TIME_ZONE = "stl3_xerotimezone"  # Xero's Windows-style zone name
    FINANCIAL_YEAR_END = "stl3_financialyearend"  # text, e.g. "31 March"
    SHORT_CODE = "stl3_shortcode"
    XERO_URL = "stl3_xerourl"  # the organisation in Xero


class ConnectorSettingsTable:
    """The settings of one connection; Dynamics is their home, the portal edits the same row."""

    TABLE = "stl3_stellariseconnectorsettings"
    NAME = NAME
    CONNECTOR_ID = CONNECTOR_ID
    IS_DEFAULT_CONNECTION = "stl3_isdefaultconnection"
    USE_XERO_INVOICE_NUMBER = "stl3_usexeroinvoicenumber"
    USE_INVOICE_NAME = "stl3_useinvoicename"
    CREATE_NEW_CONTACTS = "stl3_createnewcontacts"
    CREATE_NEW_PRODUCTS = "stl3_createnewproducts"
    DEFAULT_SALES_INVOICE_STATUS = "stl3_defaultsalesinvoicestatus"
    DEFAULT_PURCHASE_INVOICE_STATUS = "stl3_defaultpurchaseinvoicestatus"
    SEND_EMAIL_FROM_XERO = "stl3_sendemailfromxero"
    DEFAULT_SALES_ACCOUNT_CODE = "stl3_defaultsalesaccountcode"
    DEFAULT_PURCHASE_ACCOUNT_CODE = "stl3_defaultpurchaseaccountcode"
    DEFAULT_TAX_TYPE = "stl3_defaulttaxtype"
    DESCRIPTION_TO_REFERENCE = "stl3_descriptiontoreference"
    CREDIT_NOTES_AUTOMATICALLY = "stl3_creditnotesautomatically"
    SYNC_INTERVAL_MINUTES = "stl3_syncintervalminutes"
    TIME_ZONE = "stl3_timezone"
    TWO_WAY_CONTACT_SYNC = "stl3_twowaycontactsync"
    CONNECTOR_RELATIONSHIP = relationship(TABLE, CONNECTOR_ID)  # connector row → its settings rows


class BrandingThemeTable:
    TABLE = "stl3_brandingtheme"
    NAME = NAME
    XERO_BRANDING_THEME_ID = "stl3_xerobrandingthemeid"
    SORT_ORDER = "stl3_sortorder"
    CONNECTOR_ID = CONNECTOR_ID
    STATUS = STATUS  # Active, Archived (a theme gone from Xero is archived, not deleted)


class ChartOfAccountsTable:
    TABLE = "stl3_chartofaccounts"
    NAME = NAME  # "code - name"
    CODE = "stl3_code"
    ACCOUNT_NAME = "stl3_accountname"
    TYPE = "stl3_type"
    TAX_TYPE = "stl3_taxtype"
    STATUS = STATUS
    XERO_ACCOUNT_ID = "stl3_xeroaccountid"
    CONNECTOR_ID = CONNECTOR_ID


class TaxRateTable:
    TABLE = "stl3_taxrate"
    NAME = NAME
    TAX_TYPE = "stl3_taxtype"
    EFFECTIVE_RATE = "stl3_effectiverate"
    STATUS = STATUS
    CAN_APPLY_TO_REVENUE = "stl3_canapplytorevenue"
    CAN_APPLY_TO_EXPENSES = "stl3_canapplytoexpenses"
    CONNECTOR_ID = CONNECTOR_ID


class TrackingCategoryTable:
    TABLE = "stl3_trackingcategory"
    NAME = NAME
    XERO_TRACKING_CATEGORY_ID = "stl3_xerotrackingcategoryid"
    STATUS = STATUS
    CONNECTOR_ID = CONNECTOR_ID


class TrackingOptionTable:
    TABLE = "stl3_trackingoption"
    NAME = NAME
    TRACKING_CATEGORY_ID = "stl3_trackingcategoryid"
    XERO_TRACKING_OPTION_ID = "stl3_xerotrackingoptionid"
    STATUS = STATUS


class CurrencyTable:
    TABLE = "stl3_currency"
    NAME = NAME
    CODE = "stl3_code"
    CONNECTOR_ID = CONNECTOR_ID
    STATUS = STATUS  # Active, Archived (a currency gone from Xero is archived, not deleted)


class XeroInvoiceTable:
    """What Xero says about one Dynamics invoice (its Xero details row)."""

    TABLE = "stl3_xeroinvoice"
    NAME = NAME
    INVOICE_ID = "stl3_invoiceid"
    CONNECTOR_ID = CONNECTOR_ID
    XERO_ID = "stl3_xeroid"
    XERO_NUMBER = "stl3_xeronumber"
    XERO_STATUS = "stl3_xerostatus"
    INVOICE_URL = "stl3_invoiceurl"
    ONLINE_INVOICE_URL = "stl3_onlineinvoiceurl"
    AMOUNT_DUE = "stl3_amountdue"
    AMOUNT_PAID = "stl3_amountpaid"
    AMOUNT_CREDITED = "stl3_amountcredited"
    FULLY_PAID_ON = "stl3_fullypaidon"
    EXPORT_STATUS = "stl3_exportstatus"
    EXPORTED_ON = "stl3_exportedon"
    INVOICE_RELATIONSHIP = relationship(TABLE, INVOICE_ID)  # invoice → its Xero details rows


class XeroContactTable:
    """One row per connection and linked Dynamics account or contact: its Xero contact."""

    TABLE = "stl3_xerocontact"
    NAME = NAME
    CONNECTOR_ID = CONNECTOR_ID
    ACCOUNT_ID = "stl3_accountid"  # lookup → account (set for an account)
    CONTACT_ID = "stl3_contactid"  # lookup → contact (set for a contact)
    # Not stl3_xerocontactid: that is the table's primary key (Dataverse names it <table>id).
    XERO_CONTACT_ID = "stl3_xeroid"  # the contact's ContactID in Xero
    XERO_STATUS = "stl3_xerostatus"  # Xero's ContactStatus: Active, Archived
    SYNC_STATUS = "stl3_syncstatus"  # In step, Failed (see Sync History)
    XERO_URL = "stl3_xerourl"  # the contact in Xero
    LAST_SYNCED_ON = "stl3_lastsyncedon"
    OUTSTANDING = "stl3_outstanding"  # money: Xero's Balances.AccountsReceivable.Outstanding
    OVERDUE = "stl3_overdue"  # money: Xero's Balances.AccountsReceivable.Overdue
    BALANCE_CURRENCY = "stl3_balancecurrency"  # the balances' currency code (the organisation's base currency)
    BALANCES_ON = "stl3_balanceson"  # when the balances were read from Xero
    ACCOUNT_RELATIONSHIP = relationship(TABLE, ACCOUNT_ID)  # account → its Xero contact rows
    CONTACT_RELATIONSHIP = relationship(TABLE, CONTACT_ID)  # contact → its Xero contact rows


class XeroItemTable:
    """One row per connection and linked Dynamics product: its Xero item."""

    TABLE = "stl3_xeroitem"
    NAME = NAME
    CONNECTOR_ID = CONNECTOR_ID
    PRODUCT_ID = "stl3_productid"  # lookup → product
    XERO_ITEM_ID = "stl3_xeroid"  # the item's ItemID in Xero (stl3_xeroitemid is the table's primary key)
    XERO_CODE = "stl3_xerocode"  # the item's Code in Xero
    SYNC_STATUS = "stl3_syncstatus"  # In step, Failed (see Sync History)
    XERO_URL = "stl3_xerourl"  # the item in Xero
    LAST_SYNCED_ON = "stl3_lastsyncedon"
    PRODUCT_RELATIONSHIP = relationship(TABLE, PRODUCT_ID)  # product → its Xero item rows


class XeroPaymentTable:
    """One row per Xero payment or credit allocated to a linked invoice (per connection): written by the connector."""

    TABLE = "stl3_xeropayment"
    NAME = NAME
    CONNECTOR_ID = CONNECTOR_ID
    INVOICE_ID = "stl3_invoiceid"  # lookup → invoice
    ACCOUNT_ID = "stl3_accountid"  # lookup → account (the invoice's customer, when an account)
    CONTACT_ID = "stl3_contactid"  # lookup → contact (the invoice's customer, when a contact)
    # Not stl3_xeropaymentid: that is the table's primary key (Dataverse names it <table>id).
    XERO_ID = "stl3_xeroid"  # Xero's PaymentID, or the allocation's id
    KIND = "stl3_kind"  # Payment, Credit note, Prepayment, Overpayment
    PAYMENT_DATE = "stl3_paymentdate"  # date only
    AMOUNT = "stl3_amount"  # in the invoice's currency
    CURRENCY_CODE = "stl3_currencycode"
    CURRENCY_RATE = "stl3_currencyrate"
    REFERENCE = "stl3_reference"
    PAYMENT_TYPE = "stl3_paymenttype"  # Xero's PaymentType (ACCRECPAYMENT, …), as text
    STATUS = STATUS  # Paid (Xero's AUTHORISED), Deleted or reversed in Xero
    BANK_ACCOUNT = "stl3_bankaccount"  # the bank account's name
    CREDIT_NOTE_NUMBER = "stl3_creditnotenumber"  # the credit note allocated
    XERO_URL = "stl3_xerourl"  # the payment (or credit note) in Xero
    INVOICE_RELATIONSHIP = relationship(TABLE, INVOICE_ID)  # invoice → its Xero payment rows
    ACCOUNT_RELATIONSHIP = relationship(TABLE, ACCOUNT_ID)  # account → its Xero payment rows
    CONTACT_RELATIONSHIP = relationship(TABLE, CONTACT_ID)  # contact → its Xero payment rows


class SyncHistoryTable:
    """One row per sync attempt."""

    TABLE = "stl3_synchistory"
    NAME = NAME
    DIRECTION = "stl3_direction"
    RECORD_TYPE = "stl3_recordtype"
    RECORD_ID = "stl3_recordid"
    XERO_ID = "stl3_xeroid"
    OUTCOME = "stl3_outcome"
    MESSAGE = "stl3_message"
    ATTEMPTED_ON = "stl3_attemptedon"
    INVOICE_ID = "stl3_invoiceid"
    ACCOUNT_ID = "stl3_accountid"
    CONTACT_ID = "stl3_contactid"
    PRODUCT_ID = "stl3_productid"
    CONNECTOR_ID = CONNECTOR_ID
    ACCOUNT_RELATIONSHIP = relationship(TABLE, ACCOUNT_ID)  # account → its sync attempts
    CONTACT_RELATIONSHIP = relationship(TABLE, CONTACT_ID)  # contact → its sync attempts
    PRODUCT_RELATIONSHIP = relationship(TABLE, PRODUCT_ID)  # product → its sync attempts


# --- the columns we add to Microsoft's tables ----------------------------------------------------------------


class InvoiceColumns:
    TABLE = "invoice"
    CONNECTOR_ID = CONNECTOR_ID
    XERO_INVOICE_TYPE = "stl3_xeroinvoicetype"
    LINE_AMOUNT_TYPES = "stl3_lineamounttypes"
    BRANDING_THEME_ID = "stl3_brandingthemeid"
    SEND_EMAIL_FROM_XERO = "stl3_sendemailfromxero"
    BUNDLE_HEADER_ONLY = "stl3_bundleheaderonly"
    XERO_NUMBER = "stl3_xeronumber"
    XERO_STATUS = "stl3_xerostatus"


class InvoiceLineColumns:
    TABLE = "invoicedetail"
    ACCOUNT_CODE_ID = "stl3_accountcodeid"
    TAX_RATE_ID = "stl3_taxrateid"
    TRACKING_OPTION_1_ID = "stl3_trackingoption1id"
    TRACKING_OPTION_2_ID = "stl3_trackingoption2id"
    TRACKING_OPTION_IDS = (TRACKING_OPTION_1_ID, TRACKING_OPTION_2_ID)  # a line picks up to two


class AccountColumns:
    """No columns: the solution adds a form to accounts showing their Xero contact and sync history."""

    TABLE = "account"


class ContactColumns:
    """No columns: the solution adds a form to contacts showing their Xero contact and sync history."""

    TABLE = "contact"


class ProductColumns:
    TABLE = "product"
    ACCOUNT_CODE_ID = "stl3_accountcodeid"
    TAX_RATE_ID = "stl3_taxrateid"
