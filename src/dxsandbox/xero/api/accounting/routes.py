"""The routes under /api.xro/2.0: each handler reads the request, calls a business module, answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from dxsandbox.xero.api.accounting import (
    allocations,
    balances,
    bank_transactions,
    contacts,
    items,
    payments,
    reference,
    sending,
    transactions,
)
from dxsandbox.xero.api.accounting.allocations import CREDIT_NOTE_CREDIT, CreditSource
from dxsandbox.xero.api.accounting.batch import respond
from dxsandbox.xero.api.accounting.books import Books, Record, public
from dxsandbox.xero.api.accounting.envelope import no_content, not_found, ok, validation_exception, validation_message
from dxsandbox.xero.api.accounting.http import API_PREFIX, Call, CanonicalPaths, Refusal, endpoint
from dxsandbox.xero.api.accounting.listing import Listing, respond_with_list
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.prepayments import OVERPAYMENT_CREDIT, OVERPAYMENTS, PREPAYMENT_CREDIT, PREPAYMENTS, CreditKind
from dxsandbox.xero.api.accounting.query import parse_bool
from dxsandbox.xero.api.accounting.transactions import CREDIT_NOTES, INVOICES, DocumentKind
from dxsandbox.xero.api.accounting.validation import ValidationFailure, guid

if TYPE_CHECKING:
    from dxsandbox.xero.api.accounting.service import AccountingApi

CONTACTS = Listing(
    contacts.KIND,
    contacts.COLLECTION,
    paged=True,
    id_field="ContactID",
    archived=("ContactStatus", "ARCHIVED"),
    search_fields=("Name", "FirstName", "LastName", "ContactNumber", "CompanyNumber", "EmailAddress"),
)
ITEMS = Listing(items.KIND, items.COLLECTION, id_field="ItemID")
INVOICE_LIST = Listing(
    INVOICES.store_kind,
    INVOICES.collection,
    paged=True,
    id_field="InvoiceID",
    number_filter=("InvoiceNumbers", "InvoiceNumber"),
    contact_filter=True,
    status_field="Status",
    search_fields=("InvoiceNumber", "Reference"),
    lines_only_when_paged=True,
)
CREDIT_NOTE_LIST = Listing(
    CREDIT_NOTES.store_kind,
    CREDIT_NOTES.collection,
    paged=True,
    id_field="CreditNoteID",
    contact_filter=True,
    status_field="Status",
    lines_only_when_paged=True,
)
PAYMENTS = Listing(payments.KIND, payments.COLLECTION, paged=True, id_field="PaymentID", status_field="Status")
# Only the filters Xero's spec has on these two (no IDs, no Statuses: Xero would not apply them).
PREPAYMENT_LIST = Listing(PREPAYMENTS.store_kind, PREPAYMENTS.collection, paged=True)
OVERPAYMENT_LIST = Listing(
    OVERPAYMENTS.store_kind, OVERPAYMENTS.collection, paged=True, number_filter=("References", "Reference")
)
# Xero's spec has no filters on bank transactions beyond where, order and paging.
BANK_TRANSACTION_LIST = Listing(bank_transactions.KIND, bank_transactions.COLLECTION, paged=True)
ACCOUNTS = Listing("account", "Accounts", id_field="AccountID")
TAX_RATES = Listing("tax_rate", "TaxRates")
BRANDING_THEMES = Listing("branding_theme", "BrandingThemes", id_field="BrandingThemeID")
TRACKING_CATEGORIES = Listing(
    "tracking_category", "TrackingCategories", id_field="TrackingCategoryID", archived=("Status", "ARCHIVED")
)
CURRENCIES = Listing("currency", "Currencies")

SaveOne = Callable[[Work, dict[str, Any]], Record]


# --- shared ------------------------------------------------------------------------------------------
def found_or_404(record: Record | None) -> Record:
    if record is None:
        raise Refusal(not_found())
    return record


def save_batch(call: Call, collection: str, error_flag: str | None, save_one: SaveOne) -> Response:
    elements = call.elements(collection)
    results = call.commit_each(elements, save_one)
    return respond(
        results,
        collection=collection,
        provider_name=call.provider_name,
        summarize_errors=call.summarize_errors,
        error_flag=error_flag,
    )


def locate(
    books: Books,
    store_kind: str,
    id_field: str,
    label: str,
    element: dict[str, Any],
    *,
    create_only: bool,
    by_number: Callable[[], Record | None] | None = None,
) -> Record | None:
    """The stored record a POST element updates (by id, else by its number), or None to create one.
    A PUT only creates: naming an existing record there is an error."""
    given_id = element.get(id_field)
    found = books.get(store_kind, guid(given_id)) if given_id else None
    if create_only:
        if found is not None:
            raise ValidationFailure([f"{label} {given_id} already exists; use POST to update it."])
        return None
    if given_id:
        if found is None:
            raise ValidationFailure([f"{label} {given_id} could not be found."])
        return found
    return by_number() if by_number else None


def single(call: Call, collection: str, record: Record) -> Response:
    return ok(call.provider_name, collection, [record])


# --- organisation and settings -------------------------------------------------------------------------
def get_organisation(call: Call) -> Response:
    return single(call, "Organisations", public(reference.organisation(call.books)))


def reference_listing(listing: Listing) -> Callable[[Call], Response]:
    def handler(call: Call) -> Response:
        return respond_with_list(call, listing, public)

    return handler


def reference_record(listing: Listing, find: Callable[[Books, str], Record | None]) -> Callable[[Call], Response]:
    def handler(call: Call) -> Response:
        return single(call, listing.collection, public(found_or_404(find(call.books, call.path("key")))))

    return handler


# --- contacts ----------------------------------------------------------------------------------------------
def list_contacts(call: Call) -> Response:
    summary_only = parse_bool(call.param("summaryOnly"))
    owed = {} if summary_only else balances.balances_by_contact(call.books)

    def shown(record: Record) -> Record:
        owes = None if summary_only else owed.get(record["ContactID"].lower(), balances.nothing_owed())
        return contacts.render(record, summary_only=summary_only, balances=owes)

    return respond_with_list(call, CONTACTS, shown)


def get_contact(call: Call) -> Response:
    contact = found_or_404(contacts.find(call.books, call.path("key")))
    owed = balances.balances_by_contact(call.books).get(contact["ContactID"].lower(), balances.nothing_owed())
    return single(call, contacts.COLLECTION, contacts.render(contact, balances=owed))


def save_contacts(create_only: bool) -> Callable[[Call], Response]:
    def handler(call: Call) -> Response:
        def save_one(work: Work, element: dict[str, Any]) -> Record:
            by_number = lambda: next(iter(work.books.by_number(contacts.KIND, element.get("ContactNumber"))), None)  # noqa: E731
            existing = locate(
                work.books, contacts.KIND, "ContactID", "Contact", element, create_only=create_only, by_number=by_number
            )
            return contacts.render(contacts.save(work, element, existing=existing))

        return save_batch(call, contacts.COLLECTION, "HasValidationErrors", save_one)

    return handler


def update_contact(call: Call) -> Response:
    contact_id = found_or_404(contacts.find(call.books, call.path("key")))["ContactID"]
    return save_batch(
        call,
        contacts.COLLECTION,
        "HasValidationErrors",
        lambda work, element: contacts.render(contacts.save(work, element, existing=work.books.get(contacts.KIND, contact_id))),
    )


# --- items -------------------------------------------------------------------------------------------------
def list_items(call: Call) -> Response:
    return respond_with_list(call, ITEMS, lambda record: items.render(record, unitdp=call.unitdp))


def get_item(call: Call) -> Response:
    return single(
        call, items.COLLECTION, items.render(found_or_404(items.find(call.books, call.path("key"))), unitdp=call.unitdp)
    )


def save_items(create_only: bool) -> Callable[[Call], Response]:
    def handler(call: Call) -> Response:
        def save_one(work: Work, element: dict[str, Any]) -> Record:
            existing = locate(
                work.books,
                items.KIND,
                "ItemID",
                "Item",
                element,
                create_only=create_only,
                by_number=lambda: items.by_code(work.books, element.get("Code")),
            )
            return items.render(items.save(work, element, existing=existing), unitdp=work.unitdp)

        return save_batch(call, items.COLLECTION, None, save_one)

    return handler


def update_item(call: Call) -> Response:
    item_id = found_or_404(items.find(call.books, call.path("key")))["ItemID"]
    return save_batch(
        call,
        items.COLLECTION,
        None,
        lambda work, element: items.render(
            items.save(work, element, existing=work.books.get(items.KIND, item_id)), unitdp=work.unitdp
        ),
    )


def delete_item(call: Call) -> Response:
    record = found_or_404(items.find(call.books, call.path("key")))
    call.commit(lambda work: items.delete(work.books, record))
    return no_content()


# --- invoices and credit notes ---------------------------------------------------------------------------------
def document_renderer(call: Call, *, summary_only: bool = False) -> Callable[[Record], Record]:
    return lambda record: transactions.render(record, call.contact_of, unitdp=call.unitdp, summary_only=summary_only)


def list_documents(listing: Listing) -> Callable[[Call], Response]:
    def handler(call: Call) -> Response:
        return respond_with_list(call, listing, document_renderer(call, summary_only=parse_bool(call.param("summaryOnly"))))

    return handler


def get_document(kind: DocumentKind) -> Callable[[Call], Response]:
    def handler(call: Call) -> Response:
        record = found_or_404(transactions.find(call.books, kind, call.path("key")))
        return single(call, kind.collection, document_renderer(call)(record))

    return handler


def save_documents(kind: DocumentKind, create_only: bool) -> Callable[[Call], Response]:
    def handler(call: Call) -> Response:
        def save_one(work: Work, element: dict[str, Any]) -> Record:
            existing = locate(
                work.books,
                kind.store_kind,
                kind.id_field,
                kind.label,
                element,
                create_only=create_only,
                by_number=lambda: _sales_document_numbered(work.books, kind, element.get(kind.number_field)),
            )
            return document_renderer(call)(transactions.save(work, kind, element, existing=existing))

        return save_batch(call, kind.collection, "HasErrors", save_one)

    return handler


def _sales_document_numbered(books: Books, kind: DocumentKind, number: str | None) -> Record | None:
    """POST may name an existing sales document by its (unique) number instead of its id."""
    return next((record for record in books.by_number(kind.store_kind, number) if record["Type"] == kind.sales_type), None)


def update_document(kind: DocumentKind) -> Callable[[Call], Response]:
    def handler(call: Call) -> Response:
        record_id = found_or_404(transactions.find(call.books, kind, call.path("key")))[kind.id_field]
        return save_batch(
            call,
            kind.collection,
            "HasErrors",
            lambda work, element: document_renderer(call)(
                transactions.save(work, kind, element, existing=work.books.get(kind.store_kind, record_id))
            ),
        )

    return handler


def email_invoice(call: Call) -> Response:
    invoice = found_or_404(transactions.find(call.books, INVOICES, call.path("key")))
    problems = sending.email_problems(call.books, invoice, call.contact_of(invoice["Contact"]["ContactID"]))
    if problems:
        return validation_exception([{"InvoiceID": invoice["InvoiceID"], "ValidationErrors": [{"Message": m} for m in problems]}])
    call.commit(lambda work: sending.mark_emailed(work, invoice["InvoiceID"]))
    return no_content()


def online_invoice(call: Call) -> Response:
    invoice = found_or_404(transactions.find(call.books, INVOICES, call.path("key")))
    problem = sending.online_invoice_problem(invoice)
    if problem:
        return validation_exception([{"InvoiceID": invoice["InvoiceID"], "ValidationErrors": [{"Message": problem}]}])
    return ok(call.provider_name, "OnlineInvoices", [{"OnlineInvoiceUrl": sending.online_invoice_url(invoice)}])


# --- allocations of credit: credit notes, prepayments, overpayments ------------------------------------------
FindCredit = Callable[[Books, str], Record | None]


def allocate_credit(source: CreditSource, find_credit: FindCredit) -> Callable[[Call], Response]:
    def handler(call: Call) -> Response:
        credit_id = found_or_404(find_credit(call.books, call.path("key")))[source.id_field]

        def save_one(work: Work, element: dict[str, Any]) -> Record:
            credit = work.books.get(source.store_kind, credit_id)
            assert credit is not None
            return allocations.allocate(work, source, credit, element, call.contact_of)

        return save_batch(call, "Allocations", None, save_one)

    return handler


def delete_allocation(source: CreditSource, find_credit: FindCredit) -> Callable[[Call], Response]:
    """DELETE …/Allocations/{AllocationID} answers the Allocation itself (IsDeleted true), as the spec documents."""

    def handler(call: Call) -> Response:
        credit_id = found_or_404(find_credit(call.books, call.path("key")))[source.id_field]
        allocation_id = call.path("allocation")
        if allocations.find_allocation(found_or_404(call.books.get(source.store_kind, credit_id)), allocation_id) is None:
            raise Refusal(not_found(f"The allocation {allocation_id} could not be found on this {source.label.lower()}."))

        def change(work: Work) -> Record:
            credit = work.books.get(source.store_kind, credit_id)
            assert credit is not None
            return allocations.delete(work, source, credit, allocation_id, call.contact_of)

        try:
            return JSONResponse(public(call.commit(change)))
        except ValidationFailure as failure:
            return validation_message(" ".join(failure.messages))

    return handler


def credit_note_by_key(books: Books, key: str) -> Record | None:
    return transactions.find(books, CREDIT_NOTES, key)


# --- prepayments, overpayments and the bank transactions that make them -----------------------------------------
def list_credits(kind: CreditKind, listing: Listing) -> Callable[[Call], Response]:
    def handler(call: Call) -> Response:
        return respond_with_list(call, listing, lambda record: kind.render(record, call.contact_of, unitdp=call.unitdp))

    return handler


def get_credit(kind: CreditKind) -> Callable[[Call], Response]:
    def handler(call: Call) -> Response:
        record = found_or_404(kind.find(call.books, call.path("key")))
        return single(call, kind.collection, kind.render(record, call.contact_of, unitdp=call.unitdp))

    return handler


def list_bank_transactions(call: Call) -> Response:
    return respond_with_list(
        call,
        BANK_TRANSACTION_LIST,
        lambda record: bank_transactions.render_transaction(record, call.contact_of, unitdp=call.unitdp),
    )


def get_bank_transaction(call: Call) -> Response:
    record = found_or_404(bank_transactions.find(call.books, call.path("key")))
    return single(
        call, bank_transactions.COLLECTION, bank_transactions.render_transaction(record, call.contact_of, unitdp=call.unitdp)
    )


def create_bank_transactions(call: Call) -> Response:
    return save_batch(
        call,
        bank_transactions.COLLECTION,
        None,
        lambda work, element: bank_transactions.render_transaction(
            bank_transactions.create(work, element), call.contact_of, unitdp=work.unitdp
        ),
    )


# --- payments ----------------------------------------------------------------------------------------------
def list_payments(call: Call) -> Response:
    return respond_with_list(call, PAYMENTS, lambda record: payments.render(call.books, record, call.contact_of))


def get_payment(call: Call) -> Response:
    record = found_or_404(call.books.get(payments.KIND, guid(call.path("key"))))
    return single(call, payments.COLLECTION, payments.render(call.books, record, call.contact_of))


def create_payments(call: Call) -> Response:
    return save_batch(
        call,
        payments.COLLECTION,
        "HasValidationErrors",
        lambda work, element: payments.render(work.books, payments.create(work, element), call.contact_of),
    )


def delete_payment(call: Call) -> Response:
    payment_id = found_or_404(call.books.get(payments.KIND, guid(call.path("key"))))["PaymentID"]

    def save_one(work: Work, element: dict[str, Any]) -> Record:
        payment = work.books.get(payments.KIND, payment_id)
        assert payment is not None
        return payments.render(work.books, payments.delete(work, payment, element), call.contact_of)

    return save_batch(call, payments.COLLECTION, "HasValidationErrors", save_one)


# --- the table ----------------------------------------------------------------------------------------------
def accounting_routes(api: AccountingApi) -> list[BaseRoute]:
    def route(method: str, path: str, handler: Callable[[Call], Response]) -> Route:
        return Route(path, endpoint(api, handler), methods=[method])

    routes = [
        route("GET", "/Organisation", get_organisation),
        route("GET", "/Organisations", get_organisation),  # the plural older clients use; Xero answers it too
        route("GET", "/Contacts", list_contacts),
        route("PUT", "/Contacts", save_contacts(create_only=True)),
        route("POST", "/Contacts", save_contacts(create_only=False)),
        route("GET", "/Contacts/{key}", get_contact),
        route("POST", "/Contacts/{key}", update_contact),
        route("GET", "/Items", list_items),
        route("PUT", "/Items", save_items(create_only=True)),
        route("POST", "/Items", save_items(create_only=False)),
        route("GET", "/Items/{key}", get_item),
        route("POST", "/Items/{key}", update_item),
        route("DELETE", "/Items/{key}", delete_item),
        route("GET", "/Invoices", list_documents(INVOICE_LIST)),
        route("PUT", "/Invoices", save_documents(INVOICES, create_only=True)),
        route("POST", "/Invoices", save_documents(INVOICES, create_only=False)),
        route("GET", "/Invoices/{key}", get_document(INVOICES)),
        route("POST", "/Invoices/{key}", update_document(INVOICES)),
        route("POST", "/Invoices/{key}/Email", email_invoice),
        route("GET", "/Invoices/{key}/OnlineInvoice", online_invoice),
        route("GET", "/CreditNotes", list_documents(CREDIT_NOTE_LIST)),
        route("PUT", "/CreditNotes", save_documents(CREDIT_NOTES, create_only=True)),
        route("POST", "/CreditNotes", save_documents(CREDIT_NOTES, create_only=False)),
        route("GET", "/CreditNotes/{key}", get_document(CREDIT_NOTES)),
        route("POST", "/CreditNotes/{key}", update_document(CREDIT_NOTES)),
        route("PUT", "/CreditNotes/{key}/Allocations", allocate_credit(CREDIT_NOTE_CREDIT, credit_note_by_key)),
        route(
            "DELETE",
            "/CreditNotes/{key}/Allocations/{allocation}",
            delete_allocation(CREDIT_NOTE_CREDIT, credit_note_by_key),
        ),
        route("GET", "/Prepayments", list_credits(PREPAYMENTS, PREPAYMENT_LIST)),
        route("GET", "/Prepayments/{key}", get_credit(PREPAYMENTS)),
        route("PUT", "/Prepayments/{key}/Allocations", allocate_credit(PREPAYMENT_CREDIT, PREPAYMENTS.find)),
        route("DELETE", "/Prepayments/{key}/Allocations/{allocation}", delete_allocation(PREPAYMENT_CREDIT, PREPAYMENTS.find)),
        route("GET", "/Overpayments", list_credits(OVERPAYMENTS, OVERPAYMENT_LIST)),
        route("GET", "/Overpayments/{key}", get_credit(OVERPAYMENTS)),
        route("PUT", "/Overpayments/{key}/Allocations", allocate_credit(OVERPAYMENT_CREDIT, OVERPAYMENTS.find)),
        route("DELETE", "/Overpayments/{key}/Allocations/{allocation}", delete_allocation(OVERPAYMENT_CREDIT, OVERPAYMENTS.find)),
        route("GET", "/BankTransactions", list_bank_transactions),
        route("PUT", "/BankTransactions", create_bank_transactions),
        route("GET", "/BankTransactions/{key}", get_bank_transaction),
        route("GET", "/Payments", list_payments),
        route("PUT", "/Payments", create_payments),
        route("POST", "/Payments", create_payments),
        route("GET", "/Payments/{key}", get_payment),
        route("POST", "/Payments/{key}", delete_payment),
        route("GET", "/Accounts", reference_listing(ACCOUNTS)),
        route("GET", "/Accounts/{key}", reference_record(ACCOUNTS, lambda books, key: reference.account_by_id(books, guid(key)))),
        route("GET", "/TaxRates", reference_listing(TAX_RATES)),
        route("GET", "/TaxRates/{key}", reference_record(TAX_RATES, reference.tax_rate)),
        route("GET", "/BrandingThemes", reference_listing(BRANDING_THEMES)),
        route(
            "GET",
            "/BrandingThemes/{key}",
            reference_record(BRANDING_THEMES, lambda books, key: reference.branding_theme(books, guid(key))),
        ),
        route("GET", "/TrackingCategories", reference_listing(TRACKING_CATEGORIES)),
        route(
            "GET",
            "/TrackingCategories/{key}",
            reference_record(TRACKING_CATEGORIES, lambda books, key: books.get("tracking_category", guid(key))),
        ),
        route("GET", "/Currencies", reference_listing(CURRENCIES)),
    ]
    names = sorted({segment for r in routes for segment in r.path.split("/") if segment and not segment.startswith("{")})
    return [Mount(API_PREFIX, app=CanonicalPaths(Router(routes=routes, default=not_emulated), names))]


async def not_emulated(scope: Scope, receive: Receive, send: Send) -> None:
    """Paths the emulator does not serve (Journals, BankTransfers…) answer like Xero's 404, saying why."""
    path = scope["path"][len(scope.get("root_path", "")) :]
    await not_found(f"The sandbox's Accounting API does not emulate {scope['method']} {API_PREFIX}{path}")(scope, receive, send)
