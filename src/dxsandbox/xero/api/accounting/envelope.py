"""The response envelope and the error bodies every Accounting API answer is wrapped in."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from starlette.responses import JSONResponse, Response

from dxsandbox.xero.api.accounting.dates import ms_envelope_timestamp
from dxsandbox.xero.api.accounting.xml_format import XML_MEDIA_TYPE, exception_document, response_document

VALIDATION_EXCEPTION = 10
POST_DATA_INVALID = 14
QUERY_PARSE = 16
NOT_IMPLEMENTED = 20


def envelope(provider_name: str, collection: str, records: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": provider_name,
        "DateTimeUTC": ms_envelope_timestamp(int(time.time() * 1000)),
        **extra,
        collection: records,
    }


def ok(provider_name: str, collection: str, records: list[dict[str, Any]], **extra: Any) -> JSONResponse:
    return JSONResponse(envelope(provider_name, collection, records, **extra))


def validation_exception(elements: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse(
        {
            "ErrorNumber": VALIDATION_EXCEPTION,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": elements,
        },
        status_code=400,
    )


def validation_message(message: str) -> JSONResponse:
    """A 400 about the request as a whole rather than one of its elements."""
    return JSONResponse({"ErrorNumber": VALIDATION_EXCEPTION, "Type": "ValidationException", "Message": message}, status_code=400)


def post_data_invalid(message: str) -> JSONResponse:
    return JSONResponse(
        {"ErrorNumber": POST_DATA_INVALID, "Type": "PostDataInvalidException", "Message": message}, status_code=400
    )


def query_parse_error(message: str) -> JSONResponse:
    return JSONResponse({"ErrorNumber": QUERY_PARSE, "Type": "QueryParseException", "Message": message}, status_code=400)


def not_found(detail: str = "The resource you're looking for cannot be found") -> JSONResponse:
    return JSONResponse({"Title": "Not Found", "Status": 404, "Detail": detail}, status_code=404)


def no_content() -> Response:
    return Response(status_code=204)


# The resources of Xero's Accounting API (and `Organisations`, the plural older clients use): a path under one
# of them that the sandbox does not serve is a method Xero has and the sandbox does not emulate (501); a path
# under any other name is not found, as at Xero (404).
XERO_RESOURCES = frozenset(
    {
        "Accounts", "BankTransactions", "BankTransfers", "BatchPayments", "BrandingThemes", "Budgets", "ContactGroups",
        "Contacts", "CreditNotes", "Currencies", "Employees", "ExpenseClaims", "InvoiceReminders", "Invoices", "Items",
        "Journals", "LinkedTransactions", "ManualJournals", "Organisation", "Organisations", "Overpayments",
        "PaymentServices", "Payments", "Prepayments", "PurchaseOrders", "Quotes", "Receipts", "RepeatingInvoices",
        "Reports", "Setup", "TaxRates", "TrackingCategories", "Users",
    }
)  # fmt: skip
_RESOURCE_NAMES = {name.lower(): name for name in XERO_RESOURCES}


def not_emulated(method: str, path: str, resource: str) -> JSONResponse:
    """A route the sandbox does not serve, refused so: never a generic 404 page, never something else's answer.
    `resource` is the path's first segment under /api.xro/2.0."""
    message = f"{method} {path} is not emulated by the sandbox's Accounting API"
    if resource.lower() in _RESOURCE_NAMES:
        return not_implemented(f"The Api Method called is not implemented: {message}.")
    return not_found(f"The resource you're looking for cannot be found: {message}.")


def not_emulated_parameter(name: str, where: str) -> JSONResponse:
    """A query parameter Xero reads that the sandbox would ignore here: refused, since ignoring it would change
    the answer without saying so."""
    return validation_message(f"The query parameter '{name}' is not emulated by the sandbox on {where}.")


def not_implemented(message: str) -> JSONResponse:
    """Xero's 501 (`POST /Organisation`, say): an ApiException numbered 20."""
    return JSONResponse(
        {"ErrorNumber": NOT_IMPLEMENTED, "Type": "ApiMethodNotImplementedException", "Message": message}, status_code=501
    )


def as_xml(response: Response, element_type: str) -> Response:
    """The same answer in Xero's XML: the envelope as `<Response>`, an ApiException as `<ApiException>` whose failed
    elements are `element_type` (`Invoice`). Other answers (no content, the 401/403/404 problem bodies) stay as they are."""
    if response.media_type != JSONResponse.media_type or not response.body:
        return response
    content = json.loads(bytes(response.body))
    if isinstance(content, dict) and "ErrorNumber" in content:
        document = exception_document(content, element_type)
    elif isinstance(content, dict) and content.get("Status") == "OK":
        document = response_document(content)
    else:
        return response
    kept = {name: value for name, value in response.headers.items() if name not in ("content-length", "content-type")}
    return Response(document, status_code=response.status_code, headers=kept, media_type=XML_MEDIA_TYPE)
