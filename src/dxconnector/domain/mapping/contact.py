"""Dynamics accounts and contacts ↔ Xero contacts.

Xero's limits apply. The name is the contact's identity in Xero (one contact per name), so a name Xero can't
keep as it is holds the customer back; identifiers too long for Xero (an account number) are left out rather
than cut, so two customers never share one; other text is cut to Xero's lengths (Dynamics' own are shorter).
Xero takes ASCII email addresses only: an international domain goes as its ASCII (punycode) form, an address
with a non-ASCII name part, or one mail servers would refuse, is left out. What was left out is said in
`XeroContact.notes`, which the sync puts into the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email

from dxconnector.domain import rules
from dxconnector.domain.records import (
    DynamicsAccount,
    DynamicsAddress,
    DynamicsContact,
    XeroAddress,
    XeroContact,
    XeroPhone,
)
from dxconnector.domain.rules import Reason, RuleViolation, Why

NAME_LIMIT = 255
NUMBER_LIMIT = 50
EMAIL_LIMIT = 255
PHONE_LIMIT = 50
ADDRESS_LINE_LIMIT = 500
CITY_LIMIT = 255
REGION_LIMIT = 255
POSTAL_CODE_LIMIT = 50
COUNTRY_LIMIT = 50


def _text(value: str | None, limit: int) -> str:
    return rules.cut_text(rules.one_line(value), limit)


def xero_email(email: str) -> tuple[str, str | None]:
    """(the address Xero can take, or "", and a note when it was changed or left out). An address is checked as
    mail servers read it (`email-validator`, no network); an international domain goes in its ASCII (punycode)
    form. The note never repeats the address: it goes into history."""
    email = email.strip()
    if not email:
        return "", None
    try:
        checked = validate_email(email, check_deliverability=False, allow_smtputf8=False, test_environment=True)
    except EmailNotValidError:
        local = email.rpartition("@")[0]
        if local and not local.isascii():
            return "", "The email address was left out: Xero takes addresses in plain ASCII letters only."
        return "", "The email address was left out: it is not an address Xero accepts."
    address = email if email.isascii() else checked.ascii_email or ""
    if rules.utf16_length(address) > EMAIL_LIMIT:
        return "", f"The email address was left out: it is longer than Xero's {EMAIL_LIMIT} characters."
    return address, None


def _number(number: str) -> tuple[str, str | None]:
    number = number.strip()
    if rules.utf16_length(number) > NUMBER_LIMIT:
        return "", f"The account number was left out: it is longer than Xero's {NUMBER_LIMIT} characters."
    if rules.unstorable(number):
        return "", "The account number was left out: it contains a control character Xero can't store."
    return number, None


def _phones(*pairs: tuple[str, str]) -> tuple[XeroPhone, ...]:
    return tuple(XeroPhone(kind, _text(number, PHONE_LIMIT)) for kind, number in pairs if number and number.strip())


def xero_address(address: DynamicsAddress) -> tuple[XeroAddress, ...]:
    """Dynamics' first address → Xero's postal address (POBOX), the one Xero prints on invoices."""
    mapped = XeroAddress(
        "POBOX",
        line1=_text(address.line1, ADDRESS_LINE_LIMIT),
        line2=_text(address.line2, ADDRESS_LINE_LIMIT),
        line3=_text(address.line3, ADDRESS_LINE_LIMIT),
        city=_text(address.city, CITY_LIMIT),
        region=_text(address.state_or_province, REGION_LIMIT),
        postal_code=_text(address.postal_code, POSTAL_CODE_LIMIT),
        country=_text(address.country, COUNTRY_LIMIT),
    )
    return (mapped,) if len(mapped.to_xero()) > 1 else ()


def contact_name(name: str) -> str:
    """The customer's name as its Xero contact has it, or why it can't have one: Xero needs a name, at most 255
    characters, and every contact's is its own. It is held back rather than cut (two long names alike up to the cut
    would be one contact)."""
    name = rules.one_line(name)
    if not name:
        raise RuleViolation(Reason(Why.NO_CUSTOMER_NAME, "The customer has no name, and Xero needs one: fill it in."))
    if rules.utf16_length(name) > NAME_LIMIT:
        raise RuleViolation(
            Reason(Why.CUSTOMER_NAME_TOO_LONG, f"The customer's name is longer than Xero's {NAME_LIMIT} characters: shorten it.")
        )
    problem = rules.text_problem(name, "The customer's name")
    if problem is not None:
        raise RuleViolation(problem)
    return name


def xero_contact_from_account(account: DynamicsAccount, contact_id: str | None = None) -> XeroContact:
    email, email_note = xero_email(account.email)
    number, number_note = _number(account.number)
    return XeroContact(
        name=contact_name(account.name),
        contact_id=contact_id,
        account_number=number,
        email=email,
        phones=_phones(("DEFAULT", account.phone), ("FAX", account.fax)),
        addresses=xero_address(account.address),
        notes=tuple(note for note in (number_note, email_note) if note),
    )


def xero_contact_from_contact(contact: DynamicsContact, contact_id: str | None = None) -> XeroContact:
    email, email_note = xero_email(contact.email)
    number, number_note = _number(contact.number)
    full_name = contact.full_name or f"{contact.first_name} {contact.last_name}"
    return XeroContact(
        name=contact_name(full_name),
        contact_id=contact_id,
        account_number=number,
        first_name=_text(contact.first_name, NAME_LIMIT),
        last_name=_text(contact.last_name, NAME_LIMIT),
        email=email,
        phones=_phones(("DEFAULT", contact.phone), ("MOBILE", contact.mobile), ("FAX", contact.fax)),
        addresses=xero_address(contact.address),
        notes=tuple(note for note in (number_note, email_note) if note),
    )


def xero_contact(customer: DynamicsAccount | DynamicsContact, contact_id: str | None = None) -> XeroContact:
    if isinstance(customer, DynamicsAccount):
        return xero_contact_from_account(customer, contact_id)
    return xero_contact_from_contact(customer, contact_id)


# --- comparing both sides --------------------------------------------------------------------------------


def _phone_text(phone: Mapping[str, Any]) -> str:
    parts = (phone.get("PhoneCountryCode"), phone.get("PhoneAreaCode"), phone.get("PhoneNumber"))
    return " ".join(str(part).strip() for part in parts if part and str(part).strip())


_ADDRESS_KEYS = ("AddressLine1", "AddressLine2", "AddressLine3", "City", "Region", "PostalCode", "Country")


def contact_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the sync keeps in step, from any Xero contact body (ours or Xero's, which lists empty phones
    and addresses too), in one shape: equal fields give equal hashes whichever side they came from."""
    phones = sorted((p.get("PhoneType", ""), _phone_text(p)) for p in body.get("Phones") or () if _phone_text(p))
    addresses = sorted(
        (a.get("AddressType", ""), *(str(a.get(key) or "").strip() for key in _ADDRESS_KEYS))
        for a in body.get("Addresses") or ()
        if any(str(a.get(key) or "").strip() for key in _ADDRESS_KEYS)
    )
    return {
        "Name": str(body.get("Name") or "").strip(),
        "AccountNumber": str(body.get("AccountNumber") or "").strip(),
        "FirstName": str(body.get("FirstName") or "").strip(),
        "LastName": str(body.get("LastName") or "").strip(),
        "EmailAddress": str(body.get("EmailAddress") or "").strip(),
        "Phones": [list(phone) for phone in phones],
        "Addresses": [list(address) for address in addresses],
    }


def contact_hash(body: Mapping[str, Any], key: bytes) -> str:
    """The keyed hash the links ledger keeps for a contact's synced fields, to tell which side changed."""
    return rules.content_hash(contact_fields(body), key)


# --- Xero → Dynamics (two-way contact sync) --------------------------------------------------------------


def _or_none(value: Any) -> str | None:
    text = str(value or "").strip()
    return text or None


def _phone(body: Mapping[str, Any], kind: str) -> str | None:
    return next((_or_none(_phone_text(p)) for p in body.get("Phones") or () if p.get("PhoneType") == kind), None)


def _address_columns(body: Mapping[str, Any]) -> dict[str, Any]:
    addresses = {a.get("AddressType"): a for a in body.get("Addresses") or ()}
    address = addresses.get("POBOX") or addresses.get("STREET") or {}
    return {
        "address1_line1": _or_none(address.get("AddressLine1")),
        "address1_line2": _or_none(address.get("AddressLine2")),
        "address1_line3": _or_none(address.get("AddressLine3")),
        "address1_city": _or_none(address.get("City")),
        "address1_stateorprovince": _or_none(address.get("Region")),
        "address1_postalcode": _or_none(address.get("PostalCode")),
        "address1_country": _or_none(address.get("Country")),
    }


def account_columns_from_xero(body: Mapping[str, Any]) -> dict[str, Any]:
    """Dynamics account columns from a Xero contact edited in Xero (empty in Xero → cleared in Dynamics)."""
    return {
        "name": _or_none(body.get("Name")),
        "accountnumber": _or_none(body.get("AccountNumber")),
        "emailaddress1": _or_none(body.get("EmailAddress")),
        "telephone1": _phone(body, "DEFAULT"),
        "fax": _phone(body, "FAX"),
        **_address_columns(body),
    }


def contact_columns_from_xero(body: Mapping[str, Any]) -> dict[str, Any]:
    """Dynamics contact columns from a Xero contact; a contact with no first or last name in Xero keeps its
    whole name as the last name, which Dynamics requires."""
    first, last = _or_none(body.get("FirstName")), _or_none(body.get("LastName"))
    if not first and not last:
        last = _or_none(body.get("Name"))
    return {
        "firstname": first,
        "lastname": last,
        "emailaddress1": _or_none(body.get("EmailAddress")),
        "telephone1": _phone(body, "DEFAULT"),
        "mobilephone": _phone(body, "MOBILE"),
        "fax": _phone(body, "FAX"),
        **_address_columns(body),
    }


# --- field by field: the customer's edits both ways (`rules.conflicts`) ---------------------------------------

NAME, ACCOUNT_NUMBER, FIRST_NAME, LAST_NAME, EMAIL = "Name", "AccountNumber", "FirstName", "LastName", "EmailAddress"
PHONE_DEFAULT, PHONE_MOBILE, PHONE_FAX = "Phone DEFAULT", "Phone MOBILE", "Phone FAX"
ADDRESS, STATUS = "Postal address", "Status"
ACCOUNT_FIELDS = (NAME, ACCOUNT_NUMBER, EMAIL, PHONE_DEFAULT, PHONE_FAX, ADDRESS, STATUS)
CONTACT_FIELDS = (NAME, FIRST_NAME, LAST_NAME, EMAIL, PHONE_DEFAULT, PHONE_MOBILE, PHONE_FAX, ADDRESS, STATUS)
_TEXT_FIELDS = (NAME, ACCOUNT_NUMBER, FIRST_NAME, LAST_NAME, EMAIL)
_PHONES = {PHONE_DEFAULT: "DEFAULT", PHONE_MOBILE: "MOBILE", PHONE_FAX: "FAX"}
_ADDRESS_COLUMNS = (
    "address1_line1",
    "address1_line2",
    "address1_line3",
    "address1_city",
    "address1_stateorprovince",
    "address1_postalcode",
    "address1_country",
)
_ACCOUNT_COLUMNS = {
    NAME: ("name",),
    ACCOUNT_NUMBER: ("accountnumber",),
    EMAIL: ("emailaddress1",),
    PHONE_DEFAULT: ("telephone1",),
    PHONE_FAX: ("fax",),
    ADDRESS: _ADDRESS_COLUMNS,
}
_CONTACT_COLUMNS = {
    FIRST_NAME: ("firstname",),
    LAST_NAME: ("lastname",),
    EMAIL: ("emailaddress1",),
    PHONE_DEFAULT: ("telephone1",),
    PHONE_MOBILE: ("mobilephone",),
    PHONE_FAX: ("fax",),
    ADDRESS: _ADDRESS_COLUMNS,
}


def _postal(body: Mapping[str, Any]) -> Mapping[str, Any]:
    return next((a for a in body.get("Addresses") or () if a.get("AddressType") == "POBOX"), {})


def contact_values(body: Mapping[str, Any]) -> dict[str, str]:
    """Every synced field of a Xero contact body (ours or Xero's) as one text each, in one shape."""
    values = {name: str(body.get(name) or "").strip() for name in _TEXT_FIELDS}
    for name, kind in _PHONES.items():
        values[name] = next((_phone_text(p) for p in body.get("Phones") or () if p.get("PhoneType") == kind), "")
    postal = _postal(body)
    values[ADDRESS] = "\n".join(str(postal.get(key) or "").strip() for key in _ADDRESS_KEYS).strip()
    values[STATUS] = str(body.get("ContactStatus") or "ACTIVE")
    return values


def customer_values(customer: DynamicsAccount | DynamicsContact) -> dict[str, str]:
    """The fields a Dynamics customer maps to, as its Xero contact would have them (only those its table has).
    Raises `RuleViolation` when its name can't be a Xero contact's."""
    body = xero_contact(customer).to_xero()
    body["ContactStatus"] = "ACTIVE" if customer.active else "ARCHIVED"
    values = contact_values(body)
    wanted = ACCOUNT_FIELDS if isinstance(customer, DynamicsAccount) else CONTACT_FIELDS
    return {name: values[name] for name in wanted}


def contact_patch(customer: DynamicsAccount | DynamicsContact, contact_id: str, fields: frozenset[str]) -> dict[str, Any]:
    """The update of a Xero contact with these fields of the customer: only them (Xero keeps what is not sent;
    phones and addresses by type), an emptied field as an empty value, which clears it."""
    body = xero_contact(customer).to_xero()
    patch: dict[str, Any] = {"ContactID": contact_id}
    for name in fields & set(_TEXT_FIELDS):
        patch[name] = body.get(name, "")
    phones = [
        {"PhoneType": kind, "PhoneNumber": next((p["PhoneNumber"] for p in body.get("Phones", ()) if p["PhoneType"] == kind), "")}
        for name, kind in _PHONES.items()
        if name in fields
    ]
    if phones:
        patch["Phones"] = phones
    if ADDRESS in fields:
        postal = _postal(body)
        patch["Addresses"] = [{"AddressType": "POBOX", **{key: postal.get(key, "") for key in _ADDRESS_KEYS}}]
    if STATUS in fields:
        patch["ContactStatus"] = "ACTIVE" if customer.active else "ARCHIVED"
    return patch


def customer_patch(table: str, body: Mapping[str, Any], fields: frozenset[str]) -> dict[str, Any]:
    """The Dynamics columns of an account (`table` "account") or contact that take these fields of a Xero contact.
    Fields the table has no column for (a contact's whole name: Dynamics makes it of first and last name; the
    status: shown on the Xero contact row, never deactivating the customer) take nothing. A contact keeps a last
    name, which Dynamics requires: Xero's whole name when Xero has none."""
    columns_of = _ACCOUNT_COLUMNS if table == "account" else _CONTACT_COLUMNS
    postal_only = {**body, "Addresses": [_postal(body)] if _postal(body) else []}
    every = account_columns_from_xero(postal_only) if table == "account" else contact_columns_from_xero(postal_only)
    patch = {column: every.get(column) for name in fields for column in columns_of.get(name, ())}
    if "lastname" in patch and not patch["lastname"]:
        patch["lastname"] = _or_none(body.get("Name")) or _or_none(body.get("FirstName"))
    return patch


def dynamics_fields(table: str) -> frozenset[str]:
    """The fields a Xero contact's edit can change in this Dynamics table ("account" or "contact"); the others are
    shown (the status, on the Xero contact row) or made by Dynamics (a contact's whole name), never taken."""
    return frozenset(_ACCOUNT_COLUMNS if table == "account" else _CONTACT_COLUMNS)


def untaken_notes(table: str, fields: frozenset[str]) -> tuple[str, ...]:
    """What the history says of Xero's edits of fields Dynamics does not take (`dynamics_fields`)."""
    notes = []
    if STATUS in fields:
        notes.append(f"The contact's status changed in Xero: its Xero contact row shows it; the {table} stays as it is.")
    if NAME in fields and table != "account":
        notes.append("The contact's name changed in Xero: Dynamics makes a contact's full name of its first and last name.")
    return tuple(notes)


def xero_contact_url(contact_id: str, base_url: str = "https://go.xero.com") -> str:
    """The contact's page in Xero's web app."""
    return f"{base_url.rstrip('/')}/Contacts/View/{contact_id}"
