"""The Dynamics access a connection needs (PRODUCT §1.3), as data."""

from __future__ import annotations

from dataclasses import dataclass

from dxconnector.domain.names import BrandingThemeTable, ChartOfAccountsTable, ConnectorSettingsTable, ConnectorTable


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
