"""PUT and POST batches: each element succeeds or fails alone, and `summarizeErrors` decides the answer.

With summarizeErrors=false the answer is always 200 and every element says how it went
(StatusAttributeString OK or ERROR, with its ValidationErrors). Otherwise (the default) any failure makes
the answer a 400 ValidationException listing the failed elements — the valid ones are saved all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

from dxsandbox.xero.api.accounting.dates import BadDate, ms_date, parse_date
from dxsandbox.xero.api.accounting.envelope import ok, validation_exception
from dxsandbox.xero.api.accounting.validation import ValidationFailure

DATE_FIELDS = ("Date", "DueDate", "ExpectedPaymentDate", "PlannedPaymentDate", "FullyPaidOnDate")
ECHO_DROPS = ("StatusAttributeString", "ValidationErrors", "Warnings", "HasErrors", "HasValidationErrors")


class BadBody(ValueError):
    pass


@dataclass
class ElementResult:
    element: dict[str, Any]
    record: dict[str, Any] | None = None
    failure: ValidationFailure | None = None


def elements_of(body: Any, collection: str) -> list[dict[str, Any]]:
    """`{"Invoices": [...]}`, a bare list, or a single object: Xero accepts all three."""
    if isinstance(body, dict):
        wrapped = next((value for key, value in body.items() if key.lower() == collection.lower()), None)
        if wrapped is not None:
            if not isinstance(wrapped, list):
                raise BadBody(f"{collection} must be a list")
            elements = wrapped
        else:
            elements = [body]
    elif isinstance(body, list):
        elements = body
    else:
        raise BadBody("The request body must be a JSON object")
    if not all(isinstance(element, dict) for element in elements):
        raise BadBody(f"Each of the {collection} must be a JSON object")
    return elements


def run_each(elements: list[dict[str, Any]], save_one: Callable[[dict[str, Any]], dict[str, Any]]) -> list[ElementResult]:
    results = []
    for element in elements:
        try:
            results.append(ElementResult(element, record=save_one(element)))
        except ValidationFailure as failure:
            results.append(ElementResult(element, failure=failure))
    return results


def respond(
    results: list[ElementResult], *, collection: str, provider_name: str, summarize_errors: bool, error_flag: str | None
) -> JSONResponse:
    failed = [result for result in results if result.failure is not None]
    if summarize_errors:
        if failed:
            return validation_exception([echo(result, error_flag) for result in failed])
        return ok(provider_name, collection, [result.record for result in results if result.record is not None])
    return ok(provider_name, collection, [_reported(result, error_flag) for result in results])


def _reported(result: ElementResult, error_flag: str | None) -> dict[str, Any]:
    if result.failure is not None:
        return echo(result, error_flag)
    reported = {**(result.record or {}), "StatusAttributeString": "OK"}
    if error_flag:
        reported[error_flag] = False
    return reported


def echo(result: ElementResult, error_flag: str | None) -> dict[str, Any]:
    """The element as sent, with its errors; dates in Xero's format so clients can parse the echo."""
    failure = result.failure
    assert failure is not None
    echoed = {
        key: value
        for key, value in result.element.items()
        if value is not None and key not in failure.unechoable and key not in ECHO_DROPS
    }
    for key in DATE_FIELDS:
        if isinstance(echoed.get(key), str):
            try:
                echoed[key] = ms_date(parse_date(echoed[key]))
            except BadDate:
                echoed.pop(key)
    echoed.update(StatusAttributeString="ERROR", ValidationErrors=[{"Message": message} for message in failure.messages])
    if error_flag:
        echoed[error_flag] = True
    return echoed
