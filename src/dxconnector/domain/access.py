"""The Dynamics access a connection needs (PRODUCT §1.3), as data."""

from __future__ import annotations

from dataclasses import dataclass


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
    RequiredAccess("stl3_dynamicsxeroconnector", "Dynamics Xero connector", True),
    RequiredAccess("stl3_brandingtheme", "Branding theme", True),
    RequiredAccess("stl3_chartofaccounts", "Chart of accounts", True),
    RequiredAccess("stl3_stellariseconnectorsettings", "Connector settings", True),
)
