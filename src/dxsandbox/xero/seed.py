"""What a new Xero sandbox holds: apps, users and organisations (reference data comes with the API)."""

from __future__ import annotations

SCOPES_BROAD = "openid profile email offline_access accounting.transactions accounting.contacts accounting.settings"

APPS = [
    {
        "name": "Dynamics Xero Connector (sandbox)",
        "kind": "web",
        "client_id": "DXC0SANDBOX0CLIENT0ID00000000001",
        "client_secret": "sandbox-client-secret-connector-web-app-0001",
        # Loopback redirect URIs match on scheme, host and path: any port is accepted (see docs/sandbox.md).
        "redirect_uris": ["http://127.0.0.1:8000/xero/callback/", "http://localhost:8000/xero/callback/"],
        "webhook_key": "sandbox-webhook-signing-key-0001-dxconnector-xero-demo==",
    },
    {
        "name": "PKCE desktop app (sandbox)",
        "kind": "pkce",
        "client_id": "DXC0SANDBOX0PKCE0CLIENT000000002",
        "client_secret": None,
        "redirect_uris": ["http://127.0.0.1:8000/xero/callback/"],
        "webhook_key": None,
    },
    {
        "name": "Custom connection (sandbox)",
        "kind": "custom",
        "client_id": "DXC0SANDBOX0CUSTOM0CONNECTION003",
        "client_secret": "sandbox-client-secret-custom-connection-0003",
        "redirect_uris": [],
        "webhook_key": None,
        "tenant_id": "7f1c2a4e-0b5d-4c1e-9a7e-1d2c3b4a5f60",
    },
]

ORGANISATIONS = [
    {
        "tenant_id": "7f1c2a4e-0b5d-4c1e-9a7e-1d2c3b4a5f60",
        "name": "Oakwood Trading Ltd",
        "short_code": "!Oak01",
        "country_code": "NZ",
        "base_currency": "NZD",
        "timezone": "NEWZEALANDSTANDARDTIME",
        "version": "NZ",
    },
    {
        "tenant_id": "2b9d6e1f-3c4a-4f7b-8e2d-5a6b7c8d9e01",
        "name": "Bayside Wholesale Pty Ltd",
        "short_code": "!Bay02",
        "country_code": "AU",
        "base_currency": "AUD",
        "timezone": "AUSEASTERNSTANDARDTIME",
        "version": "AU",
    },
    {
        "tenant_id": "c4e5f6a7-8b9c-4d0e-a1b2-c3d4e5f6a7b8",
        "name": "Thistle & Rose Ltd",
        "short_code": "!Thi03",
        "country_code": "GB",
        "base_currency": "GBP",
        "timezone": "GMTSTANDARDTIME",
        "version": "UK",
    },
]

# What an organisation made later (`POST /_sandbox/organisations`) gets from its country: the countries whose books
# COUNTRY_PROFILES describes.
NEW_ORGANISATION_DEFAULTS = {
    "NZ": {"base_currency": "NZD", "timezone": "NEWZEALANDSTANDARDTIME", "version": "NZ"},
    "AU": {"base_currency": "AUD", "timezone": "AUSEASTERNSTANDARDTIME", "version": "AU"},
    "GB": {"base_currency": "GBP", "timezone": "GMTSTANDARDTIME", "version": "UK"},
}

USERS = [
    {
        "user_id": "0d1e2f3a-4b5c-4d6e-8f70-819203a4b5c6",
        "email": "accountant@xero.sandbox",
        "password": "sandbox-password",
        "first_name": "Ava",
        "last_name": "Accountant",
        "tenant_ids": ["7f1c2a4e-0b5d-4c1e-9a7e-1d2c3b4a5f60", "2b9d6e1f-3c4a-4f7b-8e2d-5a6b7c8d9e01"],
    },
    {
        "user_id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "email": "bookkeeper@xero.sandbox",
        "password": "sandbox-password",
        "first_name": "Ben",
        "last_name": "Bookkeeper",
        "tenant_ids": ["c4e5f6a7-8b9c-4d0e-a1b2-c3d4e5f6a7b8"],
    },
]


# --- Accounting reference data: what every new organisation's books start with --------------------------
# Xero's default chart of accounts, trimmed. A tax kind ("sales", "purchases", "none") stands in for the
# tax type, which depends on the country (COUNTRY_PROFILES). Extras carry the fields only some accounts have.
CHART_OF_ACCOUNTS = [
    ("090", "Business Bank Account", "BANK", "none", {"BankAccountNumber": "0102030405060700", "BankAccountType": "BANK"}),
    ("091", "Business Savings Account", "BANK", "none", {"BankAccountNumber": "0102030405060701", "BankAccountType": "BANK"}),
    ("200", "Sales", "REVENUE", "sales", {"Description": "Income from any normal business activity"}),
    ("260", "Other Revenue", "REVENUE", "sales", {}),
    ("270", "Interest Income", "REVENUE", "none", {}),
    ("300", "Purchases", "DIRECTCOSTS", "purchases", {}),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "purchases", {}),
    ("400", "Advertising", "OVERHEADS", "purchases", {"ShowInExpenseClaims": True}),
    ("404", "Bank Fees", "OVERHEADS", "none", {}),
    ("408", "Cleaning", "OVERHEADS", "purchases", {"ShowInExpenseClaims": True}),
    ("412", "Consulting & Accounting", "OVERHEADS", "purchases", {}),
    ("416", "Depreciation", "DEPRECIATN", "none", {}),
    ("420", "Entertainment", "OVERHEADS", "purchases", {"ShowInExpenseClaims": True}),
    ("425", "Freight & Courier", "OVERHEADS", "purchases", {}),
    ("429", "General Expenses", "OVERHEADS", "purchases", {"ShowInExpenseClaims": True}),
    ("433", "Insurance", "OVERHEADS", "purchases", {}),
    ("437", "Interest Expense", "OVERHEADS", "none", {}),
    ("441", "Legal expenses", "OVERHEADS", "purchases", {}),
    ("445", "Light, Power, Heating", "OVERHEADS", "purchases", {}),
    ("449", "Motor Vehicle Expenses", "OVERHEADS", "purchases", {"ShowInExpenseClaims": True}),
    ("453", "Office Expenses", "OVERHEADS", "purchases", {"ShowInExpenseClaims": True}),
    ("461", "Printing & Stationery", "OVERHEADS", "purchases", {}),
    ("469", "Rent", "OVERHEADS", "purchases", {}),
    ("473", "Repairs and Maintenance", "OVERHEADS", "purchases", {}),
    ("477", "Wages and Salaries", "OVERHEADS", "none", {}),
    ("485", "Subscriptions", "OVERHEADS", "purchases", {}),
    ("489", "Telephone & Internet", "OVERHEADS", "purchases", {}),
    ("493", "Travel - National", "OVERHEADS", "purchases", {"ShowInExpenseClaims": True}),
    ("494", "Travel - International", "OVERHEADS", "none", {}),
    ("610", "Accounts Receivable", "CURRENT", "none", {"SystemAccount": "DEBTORS"}),
    ("620", "Prepayments", "CURRENT", "none", {}),
    ("630", "Inventory", "INVENTORY", "none", {}),
    ("710", "Office Equipment", "FIXED", "purchases", {}),
    ("720", "Computer Equipment", "FIXED", "purchases", {}),
    ("800", "Accounts Payable", "CURRLIAB", "none", {"SystemAccount": "CREDITORS"}),
    ("820", "Sales Tax", "CURRLIAB", "none", {"SystemAccount": "GST"}),  # renamed per country ("GST", "VAT")
    ("840", "Historical Adjustment", "CURRLIAB", "none", {"SystemAccount": "HISTORICAL"}),
    ("860", "Rounding", "CURRLIAB", "none", {"SystemAccount": "ROUNDING"}),
    ("877", "Tracking Transfers", "CURRLIAB", "none", {"SystemAccount": "TRACKINGTRANSFERS"}),
    ("900", "Loan", "TERMLIAB", "none", {}),
    ("960", "Retained Earnings", "EQUITY", "none", {"SystemAccount": "RETAINEDEARNINGS"}),
    ("970", "Owner A Funds Introduced", "EQUITY", "none", {}),
]

# Tax rates as (Name, TaxType, rate %, ReportTaxType); the tax kinds above pick the defaults.
COUNTRY_PROFILES = {
    "NZ": {
        "tax_label": "GST",
        "tax_rates": [
            ("15% GST on Expenses", "INPUT2", "15", "INPUT"),
            ("15% GST on Income", "OUTPUT2", "15", "OUTPUT"),
            ("GST on Imports", "GSTONIMPORTS", "0", "GSTONIMPORTS"),
            ("No GST", "NONE", "0", "NONE"),
            ("Zero Rated", "ZERORATED", "0", "OUTPUT"),
        ],
        "tax_kinds": {"sales": "OUTPUT2", "purchases": "INPUT2", "none": "NONE"},
        "currencies": [
            ("NZD", "New Zealand Dollar", "1"),
            ("AUD", "Australian Dollar", "0.92"),
            ("USD", "United States Dollar", "0.59"),
        ],
        "financial_year_end": (31, 3),
        "sales_tax_basis": "INVOICE",
        "sales_tax_period": "TWOMONTHS",
        "tax_number": "123-456-789",
    },
    "AU": {
        "tax_label": "GST",
        "tax_rates": [
            ("GST on Income", "OUTPUT", "10", "OUTPUT"),
            ("GST on Expenses", "INPUT", "10", "INPUT"),
            ("GST Free Income", "EXEMPTOUTPUT", "0", "EXEMPTOUTPUT"),
            ("GST Free Expenses", "EXEMPTEXPENSES", "0", "EXEMPTEXPENSES"),
            ("BAS Excluded", "BASEXCLUDED", "0", "BASEXCLUDED"),
            ("GST on Imports", "GSTONIMPORTS", "0", "GSTONIMPORTS"),
            ("Input Taxed", "INPUTTAXED", "0", "INPUTTAXED"),
        ],
        "tax_kinds": {"sales": "OUTPUT", "purchases": "INPUT", "none": "BASEXCLUDED"},
        "currencies": [
            ("AUD", "Australian Dollar", "1"),
            ("NZD", "New Zealand Dollar", "1.09"),
            ("USD", "United States Dollar", "0.65"),
        ],
        "financial_year_end": (30, 6),
        "sales_tax_basis": "ACCRUALS",
        "sales_tax_period": "QUARTERLY",
        "tax_number": "53 004 085 616",
    },
    "GB": {
        "tax_label": "VAT",
        "tax_rates": [
            ("20% (VAT on Income)", "OUTPUT2", "20", "OUTPUT"),
            ("20% (VAT on Expenses)", "INPUT2", "20", "INPUT"),
            ("5% (VAT on Income)", "RROUTPUT", "5", "OUTPUT"),
            ("5% (VAT on Expenses)", "RRINPUT", "5", "INPUT"),
            ("Zero Rated Income", "ZERORATEDOUTPUT", "0", "ZERORATEDOUTPUT"),
            ("Zero Rated Expenses", "ZERORATEDINPUT", "0", "ZERORATEDINPUT"),
            ("Exempt Income", "EXEMPTOUTPUT", "0", "EXEMPTOUTPUT"),
            ("Exempt Expenses", "EXEMPTINPUT", "0", "EXEMPTINPUT"),
            ("No VAT", "NONE", "0", "NONE"),
        ],
        "tax_kinds": {"sales": "OUTPUT2", "purchases": "INPUT2", "none": "NONE"},
        "currencies": [("GBP", "British Pound", "1"), ("EUR", "Euro", "1.17"), ("USD", "United States Dollar", "1.27")],
        "financial_year_end": (31, 3),
        "sales_tax_basis": "ACCRUAL",
        "sales_tax_period": "QUARTERLY1",
        "tax_number": "GB123456789",
    },
}

BRANDING_THEMES = [("Standard", 0), ("Special Projects", 1)]

TRACKING_CATEGORIES = [("Region", ["North", "South", "East", "West"])]

# Document numbering per organisation; organisations not listed use DEFAULT_NUMBERING.
DEFAULT_NUMBERING = {"invoice_prefix": "INV-", "credit_note_prefix": "CN-", "digits": 4}
NUMBERING = {
    "2b9d6e1f-3c4a-4f7b-8e2d-5a6b7c8d9e01": {"invoice_prefix": "BW-", "credit_note_prefix": "BWC-", "digits": 4},
}

# The IANA zone behind each Windows-style Xero timezone we seed ("today" for a default invoice date).
TIMEZONES = {
    "NEWZEALANDSTANDARDTIME": "Pacific/Auckland",
    "AUSEASTERNSTANDARDTIME": "Australia/Sydney",
    "GMTSTANDARDTIME": "Europe/London",
}
