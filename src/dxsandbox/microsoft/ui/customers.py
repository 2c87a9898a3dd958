"""Accounts and contacts: the customers invoices are billed to, each with its Xero contact and sync attempts."""

from __future__ import annotations

from typing import Any

from dxsandbox.microsoft.ui.forms import Input, reference
from dxsandbox.microsoft.ui.gateway import ActingUser, formatted
from dxsandbox.microsoft.ui.layout import select
from dxsandbox.microsoft.ui.records import Extra, Field, RecordPages
from dxsandbox.microsoft.ui.visits import Visit
from dxsandbox.microsoft.ui.xero_links import ACCOUNT_PANELS, CONTACT_PANELS, panels

CUSTOMER_TABLES = {"account": "accounts", "contact": "contacts"}
CHOICES_SIZE = 500
LOGICAL_NAME = "@Microsoft.Dynamics.CRM.lookuplogicalname"

ADDRESS = (
    Field("address1_line1", "Street 1"),
    Field("address1_city", "City"),
    Field("address1_stateorprovince", "State/Province"),
    Field("address1_postalcode", "ZIP/Postal Code"),
    Field("address1_country", "Country/Region"),
)


def customer_choices(api: ActingUser, table: str) -> list[tuple[str, str]]:
    """(`account:<id>`, name) for the first rows of a customer table, by name."""
    name = "name" if table == "account" else "fullname"
    rows = api.rows(CUSTOMER_TABLES[table], select=[name], orderby=f"{name} asc", top=CHOICES_SIZE)
    return [(f"{table}:{row[f'{table}id']}", formatted(row, name)) for row in rows]


def lookup_value(row: dict[str, Any], column: str) -> str:
    """A customer lookup as the form's choice value, `account:<id>`; '' when empty."""
    key = row.get(f"_{column}_value")
    return f"{row.get(f'_{column}_value{LOGICAL_NAME}')}:{key}" if key else ""


def customer_bind(column: str, value: str, label: str, *, creating: bool) -> dict[str, Any]:
    """The `<column>_<table>@odata.bind` a customer choice writes (null clears it on update)."""
    chosen = reference(value, label, CUSTOMER_TABLES)
    if chosen is None:
        return {} if creating else {f"{column}_account@odata.bind": None}
    table, key = chosen
    return {f"{column}_{table}@odata.bind": f"/{CUSTOMER_TABLES[table]}({key})"}


def _render_company(visit: Visit, values: dict[str, str]) -> str:
    chosen = values.get("parentcustomerid", "")
    options = customer_choices(visit.api, "account")
    if chosen and chosen not in {value for value, _ in options}:  # a contact as parent, or beyond the first rows
        options.append((chosen, values.get("parentcustomerid_name") or chosen))
    return select("parentcustomerid", "Company Name", options, chosen)


def _current_company(row: dict[str, Any]) -> dict[str, str]:
    return {
        "parentcustomerid": lookup_value(row, "parentcustomerid"),
        "parentcustomerid_name": formatted(row, "_parentcustomerid_value"),
    }


def _company_values(visit: Visit, data: Input, creating: bool) -> dict[str, Any]:
    return customer_bind("parentcustomerid", data.field("parentcustomerid"), "Company Name", creating=creating)


ACCOUNTS = RecordPages(
    area="accounts",
    singular="Account",
    primary_id="accountid",
    primary_name="name",
    name_field="name",
    name_header="Account Name",
    columns=(
        ("accountnumber", "Account Number"),
        ("address1_city", "Address 1: City"),
        ("telephone1", "Main Phone"),
        ("emailaddress1", "Email"),
        ("modifiedon", "Modified On"),
    ),
    fields=(
        Field("name", "Account Name"),
        Field("accountnumber", "Account Number"),
        Field("emailaddress1", "Email", "email"),
        Field("telephone1", "Main Phone", "tel"),
        *ADDRESS,
    ),
    panels=panels(ACCOUNT_PANELS),
)

CONTACTS = RecordPages(
    area="contacts",
    singular="Contact",
    primary_id="contactid",
    primary_name="fullname",
    name_field="lastname",
    name_header="Full Name",
    columns=(
        ("_parentcustomerid_value", "Company Name"),
        ("emailaddress1", "Email"),
        ("telephone1", "Business Phone"),
        ("modifiedon", "Modified On"),
    ),
    fields=(
        Field("firstname", "First Name"),
        Field("lastname", "Last Name"),
        Field("emailaddress1", "Email", "email"),
        Field("telephone1", "Business Phone", "tel"),
        Field("mobilephone", "Mobile Phone", "tel"),
        *ADDRESS,
    ),
    extras=(Extra(_render_company, _current_company, _company_values),),
    panels=panels(CONTACT_PANELS),
)
