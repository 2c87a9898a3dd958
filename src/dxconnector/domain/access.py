"""The Dynamics access a connection needs (PRODUCT §1.3), as data: every table the connector reads or writes, what
it does there, and where a security role grants it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dxconnector.domain.names import (
    PREFIX,
    BrandingThemeTable,
    ChartOfAccountsTable,
    ConnectorSettingsTable,
    ConnectorTable,
    CurrencyTable,
    SyncHistoryTable,
    TaxRateTable,
    TrackingCategoryTable,
    TrackingOptionTable,
    XeroContactTable,
    XeroInvoiceTable,
    XeroItemTable,
    XeroPaymentTable,
)

# The tabs of the classic security role editor (Settings › Security › Security Roles) that list each kind of table;
# the newer editor lists every table on one page, found by its name.
CORE_RECORDS = "Core Records"
SALES = "Sales"
BUSINESS_MANAGEMENT = "Business Management"
CUSTOM_ENTITIES = "Custom Entities"


@dataclass(frozen=True)
class RequiredAccess:
    table: str  # logical name in Dataverse
    label: str  # what the admin sees
    write: bool  # read-write when True, read otherwise
    why: str = ""  # what the connector does with the table
    tab: str = CUSTOM_ENTITIES  # where the classic security role editor lists it

    @property
    def access(self) -> str:
        return "read-write" if self.write else "read"

    @property
    def tip(self) -> str:
        """How to grant it: the role, the tab, the table and the access, at Organization level."""
        verbs = "Read, Write and Create" if self.write else "Read"
        return (
            f"In Settings › Security › Security Roles open the user's role; on its {self.tab} tab (or by name in the new "
            f"role editor) set {verbs} on {self.label} to Organization, then save."
        )


def _ours(table: str, label: str, why: str) -> RequiredAccess:
    """One of the solution's tables: the connector writes its rows."""
    return RequiredAccess(table, label, True, why, CUSTOM_ENTITIES)


REQUIRED_ACCESS: tuple[RequiredAccess, ...] = (
    RequiredAccess("invoice", "Invoice", True, "reads invoices; writes Xero's number and status and moves their state", SALES),
    RequiredAccess("invoicedetail", "Invoice detail", True, "reads invoice lines", SALES),
    RequiredAccess("product", "Product", False, "reads products for lines and Xero items", SALES),
    RequiredAccess("systemuser", "System user", False, "finds the signed-in user and its access", BUSINESS_MANAGEMENT),
    RequiredAccess("account", "Account", True, "reads customers; writes Xero's contact edits (two-way sync)", CORE_RECORDS),
    RequiredAccess("contact", "Contact", True, "reads customers; writes Xero's contact edits (two-way sync)", CORE_RECORDS),
    _ours(ConnectorTable.TABLE, "Dynamics Xero connector", "the connection's row and its Xero organisation's details"),
    _ours(ConnectorSettingsTable.TABLE, "Connector settings", "the connection's settings row"),
    _ours(BrandingThemeTable.TABLE, "Branding theme", "Xero's branding themes"),
    _ours(ChartOfAccountsTable.TABLE, "Chart of accounts", "Xero's chart of accounts"),
    _ours(TaxRateTable.TABLE, "Tax rate", "Xero's tax rates"),
    _ours(TrackingCategoryTable.TABLE, "Tracking category", "Xero's tracking categories"),
    _ours(TrackingOptionTable.TABLE, "Tracking option", "the options of Xero's tracking categories"),
    _ours(CurrencyTable.TABLE, "Xero currency", "the currencies enabled in Xero"),
    _ours(XeroInvoiceTable.TABLE, "Xero invoice details", "what Xero says about each invoice"),
    _ours(XeroPaymentTable.TABLE, "Xero payment", "the payments and credits Xero allocated to each invoice"),
    _ours(XeroContactTable.TABLE, "Xero contact", "a linked account's or contact's Xero contact and balances"),
    _ours(XeroItemTable.TABLE, "Xero item", "a linked product's Xero item"),
    _ours(SyncHistoryTable.TABLE, "Sync history", "a row per sync attempt"),
)


# Dataverse privilege names use the table's SchemaName: prvReadInvoice, prvWriteInvoiceDetail…
SCHEMA_NAMES = {
    "invoice": "Invoice",
    "invoicedetail": "InvoiceDetail",
    "product": "Product",
    "systemuser": "SystemUser",
    "account": "Account",
    "contact": "Contact",
}


def privileges_for(item: RequiredAccess) -> tuple[str, ...]:
    """Read needs prvRead; read-write also needs prvWrite and prvCreate (the sync creates and updates rows)."""
    schema = SCHEMA_NAMES.get(item.table, item.table)
    verbs = ("Read", "Write", "Create") if item.write else ("Read",)
    return tuple(f"prv{verb}{schema}" for verb in verbs)


def all_required_privileges(required: tuple[RequiredAccess, ...] = REQUIRED_ACCESS) -> list[str]:
    return [name for item in required for name in privileges_for(item)]


@dataclass(frozen=True)
class AccessCheck:
    item: RequiredAccess
    missing: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.missing

    @property
    def tip(self) -> str:
        if self.ok:
            return ""
        verbs = ", ".join(name[3:].removesuffix(SCHEMA_NAMES.get(self.item.table, self.item.table)) for name in self.missing)
        return (
            f"Give the user's security role {verbs} access on the {self.item.label} table ({self.item.table}), then check again."
        )


def check_access(held: set[str], required: tuple[RequiredAccess, ...] = REQUIRED_ACCESS) -> list[AccessCheck]:
    """Which required privileges the user lacks, table by table (names compared without regard to case)."""
    held_lower = {name.lower() for name in held}
    return [AccessCheck(item, tuple(p for p in privileges_for(item) if p.lower() not in held_lower)) for item in required]


# --- a privilege Dataverse says is missing, in words ------------------------------------------------------------

# Dataverse refuses with "Principal user (Id=…, type=8, roleCount=1), is missing prvReadSolution privilege (Id=…)": the
# ids mean nothing to an admin, the privilege's name little more. The verbs of its names, longest first (AppendTo
# before Append), and the tables the portal asks about by what a security role's editor calls them.
_VERBS = ("AppendTo", "Append", "Assign", "Create", "Delete", "Read", "Share", "Write")
_MISSING = re.compile(r"missing (prv\w+) privilege")
TABLE_WORDS = {
    "Solution": "Solutions",
    "Publisher": "Publishers",
    "ImportJob": "Import Jobs",
    "Entity": "Entities",
    "Attribute": "Fields",
    "ServiceEndpoint": "Service Endpoints",
    "SdkMessageProcessingStep": "SDK Message Processing Steps",
    "PluginAssembly": "Plug-in Assemblies",
    "WebResource": "Web Resources",
    "Invoice": "Invoices",
    "InvoiceDetail": "Invoice Products (an invoice's lines)",
    "Product": "Products",
    "SystemUser": "Users",
    "Account": "Accounts",
    "Contact": "Contacts",
    **{item.table: f"the {item.label} table" for item in REQUIRED_ACCESS if item.table.startswith(f"{PREFIX}_")},
}
# The tables a security role lists on its Customization tab (the rest are on Core Records, Sales or Custom Entities).
CUSTOMIZATION_TAB = frozenset(
    {
        "Solution",
        "Publisher",
        "ImportJob",
        "Entity",
        "Attribute",
        "ServiceEndpoint",
        "SdkMessageProcessingStep",
        "PluginAssembly",
        "WebResource",
    }
)


def privilege_in_words(privilege: str) -> str:
    """What to give for a privilege, e.g. prvReadSolution: "Give the user's security role Read access to Solutions (on
    the role's Customization tab)"."""
    rest = privilege[3:] if privilege.startswith("prv") else privilege
    verb = next((verb for verb in _VERBS if rest.startswith(verb) and len(rest) > len(verb)), "")
    table = rest[len(verb) :]
    words = TABLE_WORDS.get(table) or TABLE_WORDS.get(table.lower()) or " ".join(re.findall(r"[A-Z][a-z]*|[a-z_0-9]+", table))
    where = " (on the role's Customization tab)" if table in CUSTOMIZATION_TAB else ""
    verb_words = {"AppendTo": "Append To"}.get(verb, verb) or "the"
    return f"Give the user's security role {verb_words} access to {words}{where}"


def missing_privileges(message: str) -> list[str]:
    """The privileges a Dataverse refusal names as missing, each once, in its order."""
    return list(dict.fromkeys(_MISSING.findall(message)))
