"""The Dynamics access a connection needs (PRODUCT §1.3), as data."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dxconnector.domain.names import (
    PREFIX,
    BrandingThemeTable,
    ChartOfAccountsTable,
    ConnectorSettingsTable,
    ConnectorTable,
    XeroContactTable,
    XeroItemTable,
)


@dataclass(frozen=True)
class RequiredAccess:
    table: str  # logical name in Dataverse
    label: str  # what the admin sees
    write: bool  # read-write when True, read otherwise

    @property
    def access(self) -> str:
        return "read-write" if self.write else "read"


REQUIRED_ACCESS: tuple[RequiredAccess, ...] = (
    RequiredAccess("invoice", "Invoice", True),
    RequiredAccess("invoicedetail", "Invoice detail", True),
    RequiredAccess("product", "Product", False),
    RequiredAccess("systemuser", "System user", False),
    RequiredAccess("account", "Account", True),
    RequiredAccess("contact", "Contact", True),
    RequiredAccess(ConnectorTable.TABLE, "Dynamics Xero connector", True),
    RequiredAccess(BrandingThemeTable.TABLE, "Branding theme", True),
    RequiredAccess(ChartOfAccountsTable.TABLE, "Chart of accounts", True),
    RequiredAccess(ConnectorSettingsTable.TABLE, "Connector settings", True),
    RequiredAccess(XeroContactTable.TABLE, "Xero contact", True),  # a linked account's or contact's Xero contact
    RequiredAccess(XeroItemTable.TABLE, "Xero item", True),  # a linked product's Xero item
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
