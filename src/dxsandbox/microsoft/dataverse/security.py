"""Security roles and privileges: who may do what to which table.

Privilege names follow Dataverse: `prv{Create|Read|Write|Delete|Append|AppendTo}{SchemaName}` (and
Assign/Share for user-owned tables). Roles are defined here by name; a user's roles come from the
identity side's seed (see `users.py`). Depth is reported as Global: the sandbox has one business unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dxsandbox.microsoft.dataverse.errors import MISSING_PRIVILEGE, DataverseError
from dxsandbox.microsoft.dataverse.standard_tables import REFERENCE_TABLES, SALES_TABLES
from dxsandbox.microsoft.dataverse.tables import USER_OWNED, Table, metadata_id

OPERATIONS = ("Create", "Read", "Write", "Delete", "Append", "AppendTo")
USER_OWNED_OPERATIONS = ("Assign", "Share")

SYSTEM_ADMINISTRATOR = "System Administrator"
SALESPERSON = "Salesperson"
SALESPERSON_NO_ACCOUNT_WRITE = "Salesperson (no account write)"
READ_ONLY_AUDITOR = "Read Only Auditor"
XERO_INTEGRATION = "Xero Integration"
ROLE_NAMES = (SYSTEM_ADMINISTRATOR, SALESPERSON, SALESPERSON_NO_ACCOUNT_WRITE, READ_ONLY_AUDITOR, XERO_INTEGRATION)

# Privileges that are not about a table's rows.
IMPORT_CUSTOMIZATION = "prvImportCustomization"  # ImportSolution
CREATE_ENTITY = "prvCreateEntity"  # table definitions, alternate keys
MISC_PRIVILEGES = (IMPORT_CUSTOMIZATION, CREATE_ENTITY)
# Where webhooks are registered and solutions recorded: an integration reads them and registers steps.
CUSTOMISATION_TABLES = ("solution", "publisher", "importjob", "asyncoperation", "sdkmessage", "sdkmessagefilter")
WEBHOOK_REGISTRATION_TABLES = ("serviceendpoint", "sdkmessageprocessingstep")


def privilege_name(operation: str, table: Table) -> str:
    return f"prv{operation}{table.schema_name}"


def privilege_id(name: str) -> str:
    return metadata_id("privilege", name.lower())


def table_privileges(table: Table) -> list[str]:
    operations = OPERATIONS + (USER_OWNED_OPERATIONS if table.ownership == USER_OWNED else ())
    return [privilege_name(operation, table) for operation in operations]


def role_privileges(role: str, tables: Iterable[Table]) -> set[str]:
    """The privileges a named role grants over the organisation's current tables.

    System Administrator: everything. Salesperson: full rights on the sales tables and custom tables, read on reference
    tables; "(no account write)" lacks prvWriteAccount. Read Only Auditor: read on every table. Xero
    Integration (the connector's application user): Salesperson's rights, read on the customisation
    tables, webhook registration, and importing its solution.
    """
    tables = list(tables)
    if role == SYSTEM_ADMINISTRATOR:
        return {name for table in tables for name in table_privileges(table)} | set(MISC_PRIVILEGES)
    if role == READ_ONLY_AUDITOR:
        return {privilege_name("Read", table) for table in tables}
    if role in (SALESPERSON, SALESPERSON_NO_ACCOUNT_WRITE, XERO_INTEGRATION):
        # Custom tables (a solution's) count as sales tables: an administrator adds them to these roles.
        granted = {
            name for table in tables if table.logical_name in SALES_TABLES or table.custom for name in table_privileges(table)
        }
        granted |= {
            privilege_name(op, table) for table in tables if table.logical_name in REFERENCE_TABLES for op in ("Read", "AppendTo")
        }
        if role == SALESPERSON_NO_ACCOUNT_WRITE:
            granted.discard("prvWriteAccount")
        if role == XERO_INTEGRATION:
            granted |= {privilege_name("Read", t) for t in tables if t.logical_name in CUSTOMISATION_TABLES}
            granted |= {
                privilege_name(op, t)
                for t in tables
                if t.logical_name in WEBHOOK_REGISTRATION_TABLES
                for op in ("Create", "Read", "Write", "Delete", "Append")
            }
            granted |= {
                privilege_name("AppendTo", t)
                for t in tables
                if t.logical_name in ("serviceendpoint", "sdkmessage", "sdkmessagefilter")
            }
            granted |= {IMPORT_CUSTOMIZATION, CREATE_ENTITY}
        return granted
    return set()


@dataclass
class Caller:
    """Who a request runs as: a systemuser row, with the privileges of their roles."""

    user_id: str
    business_unit_id: str
    object_id: str | None = None
    roles: tuple[str, ...] = ()
    privileges: frozenset[str] = field(default_factory=frozenset)
    system: bool = False  # the sandbox itself (seeding, the in-process API): no checks

    def has(self, privilege: str) -> bool:
        return self.system or privilege in self.privileges

    def require_privilege(self, name: str, what: str) -> None:
        if not self.has(name):
            raise DataverseError(
                403,
                MISSING_PRIVILEGE,
                f"Principal user (Id={self.user_id}, type=8, roleCount={len(self.roles)}), is missing {name} "
                f"privilege (Id={privilege_id(name)}) to {what}.",
            )

    def require(self, operation: str, table: Table) -> None:
        name = privilege_name(operation, table)
        if not self.has(name):
            raise DataverseError(
                403,
                MISSING_PRIVILEGE,
                f"Principal user (Id={self.user_id}, type=8, roleCount={len(self.roles)}, privilegeCount={len(self.privileges)}, "
                f"accessMode=0), is missing {name} privilege (Id={privilege_id(name)}) on OTC={table.object_type_code} "
                f"for entity '{table.logical_name}'. Context: Method={operation}.",
            )

    def role_privileges_json(self) -> list[dict[str, str]]:
        return [
            {"Depth": "Global", "PrivilegeId": privilege_id(name), "BusinessUnitId": self.business_unit_id, "PrivilegeName": name}
            for name in sorted(self.privileges)
        ]


def access_rights(caller: Caller, table: Table) -> str:
    """RetrievePrincipalAccess's AccessRights for one row of `table`."""
    names = {
        "Read": "ReadAccess",
        "Write": "WriteAccess",
        "Append": "AppendAccess",
        "AppendTo": "AppendToAccess",
        "Create": "CreateAccess",
        "Delete": "DeleteAccess",
        "Share": "ShareAccess",
        "Assign": "AssignAccess",
    }
    granted = [right for operation, right in names.items() if caller.has(privilege_name(operation, table))]
    return ", ".join(granted) if granted else "None"
