"""Contacts: customers and suppliers. Name is unique among active contacts, ContactNumber among all."""

from __future__ import annotations

import uuid
from typing import Any

from dxsandbox.xero.api.accounting import reference
from dxsandbox.xero.api.accounting.books import Books, Record, leading, public
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.validation import Problems, ValidationFailure, boolean, choice, email, guid, text

KIND, COLLECTION, NAME_INDEX = "contact", "Contacts", "contact-name"
STATUSES = ("ACTIVE", "ARCHIVED")
ADDRESS_TYPES = ("POBOX", "STREET")
PHONE_TYPES = ("DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE")
ALWAYS_SHOWN_PHONES = ("DEFAULT", "DDI", "FAX", "MOBILE")
LINE_AMOUNT_DEFAULTS = ("INCLUSIVE", "EXCLUSIVE", "NONE")
PAYMENT_TERM_TYPES = ("DAYSAFTERBILLDATE", "DAYSAFTERBILLMONTH", "OFCURRENTMONTH", "OFFOLLOWINGMONTH")
MAX_CONTACT_PERSONS = 5
ADDRESS_FIELDS = {
    "AddressLine1": 500,
    "AddressLine2": 500,
    "AddressLine3": 500,
    "AddressLine4": 500,
    "City": 255,
    "Region": 255,
    "PostalCode": 50,
    "Country": 50,
    "AttentionTo": 255,
}
PHONE_FIELDS = {"PhoneNumber": 50, "PhoneAreaCode": 10, "PhoneCountryCode": 20}
TEXT_FIELDS = {
    "AccountNumber": 50,
    "FirstName": 255,
    "LastName": 255,
    "CompanyNumber": 50,
    "TaxNumber": 50,
    "BankAccountDetails": None,
    "XeroNetworkKey": None,
    "TrackingCategoryName": None,
    "TrackingCategoryOption": None,
}
SUMMARY_ONLY_DROPS = ("Addresses", "Phones", "ContactPersons", "ContactGroups", "PaymentTerms", "Balances", "BatchPayments")


# --- reading ---------------------------------------------------------------------------------------
def find(books: Books, key: str) -> Record | None:
    """By ContactID, or by ContactNumber (GET /Contacts/{ContactNumber} is the same route)."""
    contact_id = guid(key)
    if contact_id:
        found = books.get(KIND, contact_id)
        if found:
            return found
    matches = books.by_number(KIND, key)
    return matches[0] if matches else None


def find_by_name(books: Books, name: str | None) -> Record | None:
    owner = books.key_owner(NAME_INDEX, name)
    return books.get(KIND, owner) if owner else None


def render(record: Record, *, summary_only: bool = False, balances: Record | None = None) -> Record:
    """The contact as Xero answers it, with its Balances when they are given (`balances.balances_by_contact`)."""
    shown = public(record)
    if balances is not None:
        shown["Balances"] = balances
    shown["Addresses"] = _all_addresses(record.get("Addresses", []))
    shown["Phones"] = _all_phones(record.get("Phones", []))
    if summary_only:
        for field in SUMMARY_ONLY_DROPS:
            shown.pop(field, None)
    return leading(
        shown, ("ContactID", "ContactNumber", "AccountNumber", "ContactStatus", "Name", "FirstName", "LastName", "EmailAddress")
    )


def summary(record: Record) -> Record:
    """A contact as it appears inside an invoice, credit note or payment."""
    shown = {
        key: record[key]
        for key in (
            "ContactID",
            "ContactNumber",
            "AccountNumber",
            "ContactStatus",
            "Name",
            "FirstName",
            "LastName",
            "EmailAddress",
        )
        if record.get(key) is not None
    }
    return {
        **shown,
        "Addresses": _all_addresses(record.get("Addresses", [])),
        "Phones": _all_phones(record.get("Phones", [])),
        "ContactGroups": [],
        "ContactPersons": record.get("ContactPersons", []),
        "HasValidationErrors": False,
    }


def _all_addresses(addresses: list[Record]) -> list[Record]:
    """Xero always lists both address types, empty or not."""
    by_type = {address["AddressType"]: address for address in addresses}
    return [by_type.get(kind, {"AddressType": kind}) for kind in ADDRESS_TYPES]


def _all_phones(phones: list[Record]) -> list[Record]:
    by_type = {phone["PhoneType"]: phone for phone in phones}
    shown = [by_type.get(kind, {"PhoneType": kind}) for kind in ALWAYS_SHOWN_PHONES]
    return shown + [phone for phone in phones if phone["PhoneType"] not in ALWAYS_SHOWN_PHONES]


# --- writing ---------------------------------------------------------------------------------------
def save(work: Work, element: dict[str, Any], *, existing: Record | None = None) -> Record:
    """Create a contact, or update `existing` with the fields the element carries."""
    books, problems = work.books, Problems()
    record: Record = (
        dict(existing)
        if existing
        else {
            "ContactID": str(uuid.uuid4()),
            "ContactStatus": "ACTIVE",
            "Addresses": [],
            "Phones": [],
            "ContactPersons": [],
            "ContactGroups": [],
            "IsSupplier": False,
            "IsCustomer": False,
            "HasAttachments": False,
            "HasValidationErrors": False,
        }
    )
    _apply_identity(books, problems, element, record, existing)
    _apply_details(books, problems, element, record)
    problems.raise_if_any()
    _update_name_index(books, record, existing)
    books.touch(record)
    books.put(KIND, record["ContactID"], record, number=record.get("ContactNumber"))
    work.changed("CONTACT", "UPDATE" if existing else "CREATE", COLLECTION, record["ContactID"])
    return record


def _apply_identity(books: Books, problems: Problems, element: dict[str, Any], record: Record, existing: Record | None) -> None:
    name = text(problems, element, "Name", 255)
    if name is not None:
        name = name.strip()
        if not name:
            problems.add("The contact name must not be empty.")
        record["Name"] = name
    elif not existing:
        problems.add("The contact name must be specified.")
    if str(element.get("ContactStatus", "")).upper() == "GDPRREQUEST":
        problems.add("ContactStatus can only be set to ACTIVE or ARCHIVED through the API.")
        status = None
    else:
        status = choice(problems, element, "ContactStatus", STATUSES)
    if status:
        record["ContactStatus"] = status
    if record.get("Name") and record["ContactStatus"] == "ACTIVE":
        owner = books.key_owner(NAME_INDEX, record["Name"])
        if owner and owner != record["ContactID"]:
            problems.add(
                f"The contact name {record['Name']} is already assigned to another contact. "
                "The contact name must be unique across all active contacts."
            )
    number = text(problems, element, "ContactNumber", 50)
    if number is not None:
        number = number.strip() or None
        if number and any(other["ContactID"] != record["ContactID"] for other in books.by_number(KIND, number)):
            problems.add(
                f"The contact number {number} is already assigned to another contact. "
                "The contact number must be unique across all contacts."
            )
        record["ContactNumber"] = number


def _apply_details(books: Books, problems: Problems, element: dict[str, Any], record: Record) -> None:
    for field, limit in TEXT_FIELDS.items():
        value = text(problems, element, field, limit)
        if value is not None:
            record[field] = value or None
    if "EmailAddress" in element:
        record["EmailAddress"] = email(problems, element) or None
    for field in ("AccountsReceivableTaxType", "AccountsPayableTaxType"):
        value = element.get(field)
        if value:
            if reference.tax_rate(books, value) is None:
                problems.add(f"The TaxType code '{value}' does not exist.")
            record[field] = value
    for field in ("SalesDefaultAccountCode", "PurchasesDefaultAccountCode"):
        value = element.get(field)
        if value:
            if reference.account_by_code(books, value) is None:
                problems.add(f"Account code '{value}' is not a valid code.")
            record[field] = value
    for field in ("SalesDefaultLineAmountType", "PurchasesDefaultLineAmountType"):
        value = choice(problems, element, field, LINE_AMOUNT_DEFAULTS)
        if value:
            record[field] = value
    currency = element.get("DefaultCurrency")
    if currency:
        if reference.currency(books, currency) is None:
            problems.add(f"The currency {currency} is not set up for this organisation.", unechoable="DefaultCurrency")
        else:
            record["DefaultCurrency"] = currency
    if "Addresses" in element:
        record["Addresses"] = _merged(
            problems, element["Addresses"], record.get("Addresses", []), "AddressType", ADDRESS_TYPES, ADDRESS_FIELDS
        )
    if "Phones" in element:
        record["Phones"] = _merged(problems, element["Phones"], record.get("Phones", []), "PhoneType", PHONE_TYPES, PHONE_FIELDS)
    if "ContactPersons" in element:
        record["ContactPersons"] = _contact_persons(problems, element["ContactPersons"])
    if "PaymentTerms" in element:
        record["PaymentTerms"] = _payment_terms(problems, element["PaymentTerms"])
    if isinstance(element.get("BrandingTheme"), dict) and element["BrandingTheme"].get("BrandingThemeID"):
        theme = reference.branding_theme(books, guid(element["BrandingTheme"]["BrandingThemeID"]))
        if theme is None:
            problems.add("The branding theme could not be found.")
        else:
            record["BrandingTheme"] = {"BrandingThemeID": theme["BrandingThemeID"], "Name": theme["Name"]}


def _merged(
    problems: Problems, given: Any, current: list[Record], type_field: str, types: tuple[str, ...], fields: dict[str, int]
) -> list[Record]:
    """Addresses and phones are keyed by their type: a new one replaces the old one of the same type."""
    by_type = {entry[type_field]: entry for entry in current}
    for entry in given if isinstance(given, list) else []:
        if not isinstance(entry, dict):
            continue
        kind = choice(problems, entry, type_field, types)
        if kind is None:
            if not entry.get(type_field):
                problems.add(f"{type_field} must be specified.")
            continue
        cleaned: Record = {type_field: kind}
        for field, limit in fields.items():
            value = text(problems, entry, field, limit)
            if value:
                cleaned[field] = value
        by_type[kind] = cleaned
    return [by_type[kind] for kind in types if kind in by_type]


def _contact_persons(problems: Problems, given: Any) -> list[Record]:
    persons = [person for person in (given if isinstance(given, list) else []) if isinstance(person, dict)]
    if len(persons) > MAX_CONTACT_PERSONS:
        problems.add(f"A contact can have at most {MAX_CONTACT_PERSONS} contact persons.")
    cleaned = []
    for person in persons:
        entry = {field: str(person[field]) for field in ("FirstName", "LastName") if person.get(field)}
        if person.get("EmailAddress"):
            entry["EmailAddress"] = email(problems, person)
        entry["IncludeInEmails"] = bool(boolean(problems, person, "IncludeInEmails"))
        cleaned.append(entry)
    return cleaned


def _payment_terms(problems: Problems, given: Any) -> Record:
    terms: Record = {}
    for side in ("Bills", "Sales"):
        term = given.get(side) if isinstance(given, dict) else None
        if not isinstance(term, dict):
            continue
        kind = choice(problems, term, "Type", PAYMENT_TERM_TYPES)
        try:
            day = int(term.get("Day", 0))
        except (TypeError, ValueError):
            day = -1
        if not 0 <= day <= 31:
            problems.add("The payment terms Day must be between 0 and 31.")
        if kind:
            terms[side] = {"Day": day, "Type": kind}
    return terms


def _update_name_index(books: Books, record: Record, existing: Record | None) -> None:
    if existing:
        books.release_key(NAME_INDEX, existing.get("Name"), record["ContactID"])
    if record["ContactStatus"] == "ACTIVE" and record.get("Name"):
        books.claim_key(NAME_INDEX, record["Name"], record["ContactID"])


def mark_used(books: Books, contact_id: str, *, as_customer: bool) -> None:
    """Using a contact on a transaction makes it a customer or a supplier (a derived, read-only flag)."""
    record = books.get(KIND, contact_id)
    flag = "IsCustomer" if as_customer else "IsSupplier"
    if record is not None and not record.get(flag):
        record[flag] = True
        books.put(KIND, contact_id, record, number=record.get("ContactNumber"))


# --- contacts named on transactions ---------------------------------------------------------------------
def resolve(work: Work, problems: Problems, given: dict[str, Any]) -> Record | None:
    """The contact an invoice names: by ContactID, else ContactNumber, else Name (created when new)."""
    books = work.books
    if given.get("ContactID"):
        contact_id = guid(given["ContactID"])
        found = books.get(KIND, contact_id) if contact_id else None
        if found is None:
            problems.add(f"The contact with ID {given['ContactID']} could not be found.")
        return _usable(problems, found)
    if given.get("ContactNumber"):
        matches = books.by_number(KIND, given["ContactNumber"])
        if matches:
            return _usable(problems, matches[0])
    if given.get("Name"):
        found = find_by_name(books, given["Name"])
        if found:
            return found
        return _create_inline(work, problems, given)
    if given.get("ContactNumber"):
        problems.add(f"The contact number {given['ContactNumber']} could not be found; give a Name to create the contact.")
        return None
    problems.add("A Contact must be specified for this type of transaction")
    return None


def _usable(problems: Problems, contact: Record | None) -> Record | None:
    if contact is not None and contact.get("ContactStatus") == "ARCHIVED":
        problems.add(f"The contact {contact.get('Name')} is archived. Transactions cannot be created for archived contacts.")
    return contact


def _create_inline(work: Work, problems: Problems, given: dict[str, Any]) -> Record | None:
    fields = {key: value for key, value in given.items() if key not in ("ContactID", "HasValidationErrors", "ValidationErrors")}
    try:
        return save(work, fields)
    except ValidationFailure as failure:
        for message in failure.messages:
            problems.add(message)
        return None
