"""The response envelope and the error bodies every Accounting API answer is wrapped in."""

from __future__ import annotations

import time
import uuid
from typing import Any

from starlette.responses import JSONResponse, Response

from dxsandbox.xero.api.accounting.dates import ms_envelope_timestamp

VALIDATION_EXCEPTION = 10
POST_DATA_INVALID = 14
QUERY_PARSE = 16


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
