"""Contacts: the list (search, by name, paged) and a contact's page, where a person edits its name, email,
account number, phone and postal address. Saving runs contacts.save as POST /Contacts/{id} does, so a
name already taken is refused with the API's message, and a saved edit moves UpdatedDateUTC and is announced.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from starlette.responses import Response

from dxsandbox.xero.api.accounting import contacts
from dxsandbox.xero.api.accounting.books import Record
from dxsandbox.xero.api.accounting.dates import from_epoch_ms
from dxsandbox.xero.ui.layout import matches, page_number, page_of, pager, search_box, table, text_field
from dxsandbox.xero.ui.web import NotFound, Visit

# The form's inputs carry the API's field names: (field, label).
DETAIL_FIELDS = (("Name", "Contact name"), ("EmailAddress", "Email"), ("AccountNumber", "Account number"))
PHONE_FIELDS = (("PhoneCountryCode", "Country code"), ("PhoneAreaCode", "Area code"), ("PhoneNumber", "Phone number"))
ADDRESS_FIELDS = (
    ("AttentionTo", "Attention"),
    ("AddressLine1", "Address line 1"),
    ("AddressLine2", "Address line 2"),
    ("AddressLine3", "Address line 3"),
    ("AddressLine4", "Address line 4"),
    ("City", "Town / City"),
    ("Region", "State / Region"),
    ("PostalCode", "Postal / Zip code"),
    ("Country", "Country"),
)
FORM_FIELDS = tuple(name for name, _ in (*DETAIL_FIELDS, *PHONE_FIELDS, *ADDRESS_FIELDS))
PHONE_TYPE, ADDRESS_TYPE = "DEFAULT", "POBOX"  # Xero's "Phone" and "Postal address"


# --- the list ---------------------------------------------------------------------------------------------
async def contact_list(visit: Visit) -> Response:
    search = visit.param("q").strip()
    records = sorted(
        (contact for contact in visit.books.all(contacts.KIND) if matches(search, searched_values(contact))),
        key=lambda contact: contact.get("Name", "").casefold(),
    )
    shown, number, pages = page_of(records, page_number(visit.param("page")))
    path, query = visit.link("contacts"), {"q": search} if search else {}
    body = (
        "<h1>Contacts</h1>"
        + search_box(path, {}, search, "Name, email or account number")
        + table(
            (("Name", ""), ("Account number", ""), ("Email", ""), ("Phone", "")),
            [contact_row(visit, contact) for contact in shown],
            empty="No contacts found.",
        )
        + pager(path, query, number, pages, len(records))
    )
    return visit.render("Contacts", body, section="contacts")


def searched_values(contact: Record) -> tuple[Any, ...]:
    return contact.get("Name"), contact.get("EmailAddress"), contact.get("AccountNumber"), contact.get("ContactNumber")


def contact_row(visit: Visit, contact: Record) -> str:
    archived = " <span class='badge'>Archived</span>" if contact.get("ContactStatus") == "ARCHIVED" else ""
    return (
        f"<tr data-contact-id='{escape(contact['ContactID'])}'>"
        f"<td><a href='{escape(visit.link('contacts', contact['ContactID']))}'>{escape(contact.get('Name', ''))}</a>{archived}</td>"
        f"<td>{escape(contact.get('AccountNumber') or '')}</td><td>{escape(contact.get('EmailAddress') or '')}</td>"
        f"<td>{escape(phone_text(contact))}</td></tr>"
    )


def phone_text(contact: Record) -> str:
    phone = typed(contact.get("Phones", []), "PhoneType", PHONE_TYPE)
    return " ".join(phone.get(name, "") for name, _ in PHONE_FIELDS if phone.get(name))


def typed(entries: list[Record], type_field: str, wanted: str) -> Record:
    return next((entry for entry in entries if entry.get(type_field) == wanted), {})


# --- one contact ----------------------------------------------------------------------------------------------
async def contact_page(visit: Visit) -> Response:
    contact = find_contact(visit)
    return show_contact(visit, contact, form_values(contact))


def find_contact(visit: Visit) -> Record:
    contact = contacts.find(visit.books, visit.path("contact_id"))
    if contact is None:
        raise NotFound("Contact not found")
    return contact


def form_values(contact: Record) -> dict[str, str]:
    """What the form shows for a stored contact: its details, its phone and its postal address."""
    phone = typed(contact.get("Phones", []), "PhoneType", PHONE_TYPE)
    address = typed(contact.get("Addresses", []), "AddressType", ADDRESS_TYPE)
    values = {name: contact.get(name) for name, _ in DETAIL_FIELDS}
    values.update({name: phone.get(name) for name, _ in PHONE_FIELDS})
    values.update({name: address.get(name) for name, _ in ADDRESS_FIELDS})
    return {name: str(value or "") for name, value in values.items()}


def show_contact(visit: Visit, contact: Record, values: Mapping[str, str], errors: list[str] | None = None) -> Response:
    body = (
        f"<h1>{escape(contact.get('Name', ''))}</h1>"
        + contact_facts(contact)
        + f"<form method='post' action='{escape(visit.link('contacts', contact['ContactID']))}' id='contact-form'>"
        + "<h2>Details</h2><div class='grid3'>"
        + fields(DETAIL_FIELDS, values)
        + "</div>"
        + "<h2>Phone</h2><div class='grid3'>"
        + fields(PHONE_FIELDS, values)
        + "</div>"
        + "<h2>Postal address</h2><div class='grid2'>"
        + fields(ADDRESS_FIELDS, values)
        + "</div>"
        + "<button type='submit'>Save</button></form>"
    )
    return visit.render(
        contact.get("Name", "Contact"), body, section="contacts", errors=errors, status_code=400 if errors else 200
    )


def contact_facts(contact: Record) -> str:
    roles = [role for flag, role in (("IsCustomer", "Customer"), ("IsSupplier", "Supplier")) if contact.get(flag)]
    updated = from_epoch_ms(contact.get("_updated_ms", 0)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    facts = (
        ("Status", contact.get("ContactStatus", "")),
        ("Contact number", contact.get("ContactNumber") or ""),
        ("Type", " and ".join(roles)),
        ("Last updated", updated),
    )
    items = "".join(f"<div><dt>{label}</dt><dd>{escape(value) or '&mdash;'}</dd></div>" for label, value in facts)
    return f"<dl class='facts'>{items}</dl><p class='muted'>Contact ID {escape(contact['ContactID'])}</p>"


def fields(definitions: tuple[tuple[str, str], ...], values: Mapping[str, str]) -> str:
    return "".join(
        text_field(label, name, values.get(name, ""), kind="email" if name == "EmailAddress" else "text")
        for name, label in definitions
    )


async def save_contact(visit: Visit) -> Response:
    contact = find_contact(visit)
    form = await visit.form()
    entered = {name: str(form.get(name) or "").strip() for name in FORM_FIELDS}
    contact_id = contact["ContactID"]
    return visit.attempt(
        lambda work: contacts.save(work, contact_element(entered), existing=work.books.get(contacts.KIND, contact_id)),
        done="Contact saved.",
        then=visit.link("contacts", contact_id),
        refused=lambda errors: show_contact(visit, contact, entered, errors),
    )


def contact_element(entered: Mapping[str, str]) -> dict[str, Any]:
    """The form as a POST /Contacts/{id} element: an empty field clears that value."""
    return {
        **{name: entered[name] for name, _ in DETAIL_FIELDS},
        "Phones": [{"PhoneType": PHONE_TYPE, **{name: entered[name] for name, _ in PHONE_FIELDS}}],
        "Addresses": [{"AddressType": ADDRESS_TYPE, **{name: entered[name] for name, _ in ADDRESS_FIELDS}}],
    }
