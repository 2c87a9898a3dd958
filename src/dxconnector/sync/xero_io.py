"""The Xero calls the sync makes, each batched: writes of up to 50 elements, and lookups of many records
in one `where` query. Everything goes through `XeroClient` (governor, retries)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from dxconnector.domain.documents import XeroDocument
from dxconnector.domain.records import InvoiceType
from dxconnector.xero.client import ElementResult, XeroClient
from dxconnector.xero.resources import (
    BATCH_SIZE,
    CONTACTS,
    CREDIT_NOTES,
    INVOICES,
    ITEMS,
    Resource,
)

UNITDP = 4  # unit amounts to four places, as the domain maps them
WHERE_TERMS = 40  # OR-ed terms per lookup: keeps the URL short
WITH_AMOUNTS = (INVOICES, CREDIT_NOTES, ITEMS)  # written with unitdp=4
SCAN_PAGE_SIZE = 1000  # the largest page Xero serves
SCAN_MAX_PAGES = 10  # read a whole contact list of up to 10,000 rather than look customers up one query at a time


def resource_of(invoice_type: InvoiceType) -> Resource:
    return CREDIT_NOTES if invoice_type.is_credit_note else INVOICES


def write(
    client: XeroClient, resource: Resource, elements: Sequence[dict[str, Any]], *, create_only: bool
) -> list[ElementResult]:
    """Create (PUT) or create-or-update (POST) in batches of up to 50 with `summarizeErrors=false`: each
    element's outcome comes back on its own. Unit amounts keep four places (`unitdp=4`). The idempotency key
    is the batch's content, so a retried or re-run batch is answered from Xero's cache, not applied twice."""
    return client.write(resource, list(elements), create_only=create_only, unitdp=UNITDP if resource in WITH_AMOUNTS else None)


def quoted(text: str) -> str:
    """A string literal for Xero's `where`."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _chunks(terms: Sequence[str], size: int = WHERE_TERMS) -> Iterable[Sequence[str]]:
    for start in range(0, len(terms), size):
        yield terms[start : start + size]


def find_contacts(client: XeroClient, numbers: Iterable[str], names: Iterable[str]) -> list[dict[str, Any]]:
    """Contacts (archived ones too) whose account number, contact number or name is one of these."""
    terms = [
        f"{field}=={quoted(number)}"
        for number in dict.fromkeys(n for n in numbers if n)
        for field in ("AccountNumber", "ContactNumber")
    ]
    terms += [f"Name=={quoted(name)}" for name in dict.fromkeys(n for n in names if n)]
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(terms):
        for contact in client.records(CONTACTS, where=" OR ".join(chunk), include_archived=True, summary_only=True):
            found[contact["ContactID"]] = contact
    return list(found.values())


def lookup_calls(numbers: Sequence[str], names: Sequence[str]) -> int:
    """How many calls `find_contacts` takes for these customers."""
    terms = 2 * len(set(filter(None, numbers))) + len(set(filter(None, names)))
    return -(-terms // WHERE_TERMS)


def every_contact(client: XeroClient, max_pages: int = SCAN_MAX_PAGES) -> list[dict[str, Any]] | None:
    """Every contact of the organisation (archived too, summaries), 1,000 a page; None when it has more than
    `max_pages` pages, so that looking up a few customers in a very large organisation stays cheap."""
    found: list[dict[str, Any]] = []
    for number, page in enumerate(client.pages(CONTACTS, include_archived=True, summary_only=True, page_size=SCAN_PAGE_SIZE), 1):
        found += page
        if number == max_pages and len(page) == SCAN_PAGE_SIZE:
            return None
    return found


IDS_PER_CALL = 100  # ids in one `IDs=` filter: keeps the URL near 4 KB


def contacts_by_id(client: XeroClient, contact_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Xero's contacts (archived too, in full) with these ids, by id: one call per 100."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(contact_ids), IDS_PER_CALL):
        chunk = list(contact_ids[start : start + IDS_PER_CALL])
        for contact in client.records(CONTACTS, i_ds=chunk, include_archived=True):
            found[str(contact["ContactID"])] = contact
    return found


def every_item(client: XeroClient) -> list[dict[str, Any]]:
    """Every item of the organisation: Xero answers them all in one call."""
    return list(client.records(ITEMS))


def find_items(client: XeroClient, codes: Iterable[str]) -> list[dict[str, Any]]:
    terms = [f"Code=={quoted(code)}" for code in dict.fromkeys(c for c in codes if c)]
    return [item for chunk in _chunks(terms) for item in client.records(ITEMS, where=" OR ".join(chunk))]


def current_copies(client: XeroClient, resource: Resource, xero_ids: Sequence[str]) -> dict[str, XeroDocument]:
    """Xero's current invoices or credit notes with these ids, lines included (one call per 50)."""
    found: dict[str, XeroDocument] = {}
    for start in range(0, len(xero_ids), BATCH_SIZE):
        chunk = xero_ids[start : start + BATCH_SIZE]
        if resource is INVOICES:
            query: dict[str, Any] = {"i_ds": list(chunk)}
        else:
            query = {"where": " OR ".join(f'{resource.id_field}==Guid("{xero_id}")' for xero_id in chunk)}
        body, _ = client.request(resource.list_method, page=1, page_size=BATCH_SIZE, unitdp=UNITDP, **query)
        found.update({document.id: document for document in map(XeroDocument.read, body.get(resource.name, []))})
    return found


def created_by_us_since(client: XeroClient, since: datetime) -> list[XeroDocument]:
    """Invoices this app created or changed since then, and credit notes changed since then."""
    found = list(client.records(INVOICES, modified_since=since, created_by_my_app=True))
    found += list(client.records(CREDIT_NOTES, modified_since=since))
    return [XeroDocument.read(record) for record in found]


def online_invoice_url(client: XeroClient, invoice_id: str) -> str:
    body, _ = client.request("get_online_invoice", invoice_id)
    return next((str(found.get("OnlineInvoiceUrl") or "") for found in body.get("OnlineInvoices", [])), "")
