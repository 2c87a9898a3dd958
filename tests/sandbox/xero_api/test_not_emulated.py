"""Never silently wrong: every path and method of Xero's Accounting API (its OpenAPI file) is either served by the
sandbox, with an answer the spec documents, or refused in Xero's error shape saying "not emulated"; and a list
parameter of Xero's that the sandbox does not apply is refused the same way rather than ignored."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.sandbox.xero_api.spec import ACCOUNTING_FILE, ResponseMismatch, load

GUID = "8d4b3bd5-0000-4000-8000-00000000abcd"  # no record has it: reads of one are 404s
PATH_VALUES = {"TaxType": "OUTPUT2", "FileName": "walk.pdf", "ReportID": "BalanceSheet"}
SAMPLE_VALUES = {
    "where": 'Status!="NOT A STATUS"',
    "order": "UpdatedDateUTC DESC",
    "IDs": GUID,
    "ContactIDs": GUID,
    "InvoiceNumbers": "INV-WALK",
    "Statuses": "DRAFT",
    "page": "1",
    "pageSize": "10",
    "searchTerm": "walk",
    "unitdp": "4",
    "summarizeErrors": "false",
}


# Xero's shapes of a refusal: a method it has not implemented (501), a parameter the sandbox does not apply (400).
REFUSALS = {(501, 20, "ApiMethodNotImplementedException"), (400, 10, "ValidationException")}


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    query: tuple[tuple[str, dict[str, Any]], ...]  # (name, schema)

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def path(self) -> str:
        return re.sub(r"\{([^}]+)\}", lambda match: PATH_VALUES.get(match[1], GUID), self.template)


def operations() -> list[Operation]:
    spec = load(ACCOUNTING_FILE)

    def resolved(parameter: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in parameter:
            node: Any = spec
            for part in parameter["$ref"].lstrip("#/").split("/"):
                node = node[part]
            parameter = node
        return parameter

    found = []
    for template, item in spec["paths"].items():
        shared = [resolved(parameter) for parameter in item.get("parameters", [])]
        for method, definition in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            parameters = shared + [resolved(parameter) for parameter in definition.get("parameters", [])]
            query = tuple((p["name"], p.get("schema", {})) for p in parameters if p.get("in") == "query")
            found.append(Operation(method.upper(), template, query))
    return found


def refusal_message(response) -> str | None:
    """The message of a "not emulated" refusal in Xero's error shape, or None when the answer is no such refusal."""
    try:
        body = response.json()
    except ValueError:
        return None
    shape = (response.status_code, body.get("ErrorNumber"), body.get("Type"))
    if shape not in REFUSALS:
        return None
    message = body.get("Message", "")
    return message if "not emulated" in message else None


def call(api, operation: Operation, params: dict[str, str] | None = None):
    """The call as a client would make it; a body of one empty element for writes (refused by validation where served)."""
    body = {"json": {}} if operation.method in ("PUT", "POST", "PATCH") else {}
    return api.request(operation.method, operation.path, params=params, **body)


def sample(name: str, schema: dict[str, Any]) -> str:
    if name in SAMPLE_VALUES:
        return SAMPLE_VALUES[name]
    if schema.get("type") == "boolean":
        return "true"
    if schema.get("type") in ("integer", "number"):
        return "1"
    if schema.get("format") == "uuid":
        return GUID
    if schema.get("format") in ("date", "date-time"):
        return "2026-01-01"
    return "walk"


# --- the walk ------------------------------------------------------------------------------------------------
def test_every_path_and_method_of_the_spec_is_served_or_refused_as_not_emulated(api):
    """Each answer is checked against the spec by the test client (a served route must answer what Xero documents
    for it, so no route succeeds with something unrelated); a refusal must be Xero's 501 saying "not emulated"."""
    served, refused, wrong = [], [], []
    for operation in operations():
        try:
            response = call(api, operation)
        except ResponseMismatch as mismatch:
            wrong.append(f"{operation}: {mismatch}")
            continue
        text = response.text.lower()
        if refusal_message(response):
            refused.append(operation)
        elif "emulate" in text:
            wrong.append(
                f"{operation}: refused without Xero's 501 saying 'not emulated': {response.status_code} {response.text[:160]}"
            )
        elif response.status_code in (404, 405, 501) and "cannot be found" not in text:
            wrong.append(
                f"{operation}: {response.status_code} that is neither served nor a 'not emulated' refusal: {response.text[:160]}"
            )
        else:
            served.append(operation)
    assert not wrong, f"{len(wrong)} of {len(served) + len(refused) + len(wrong)} operations:\n" + "\n".join(wrong)
    assert len(served) >= 30 and len(refused) >= 100, (len(served), len(refused))


def test_every_list_parameter_the_spec_defines_on_a_served_read_is_applied_or_refused(api):
    """On every served GET, each query parameter Xero's spec defines there is either applied (a 200 the spec
    documents) or refused as not emulated; never an error of another kind."""
    wrong, checked = [], 0
    for operation in operations():
        if operation.method != "GET" or not operation.query or refusal_message(call(api, operation)):
            continue
        for name, schema in operation.query:
            checked += 1
            try:
                response = call(api, operation, {name: sample(name, schema)})
            except ResponseMismatch as mismatch:
                wrong.append(f"{operation}?{name}: {mismatch}")
                continue
            if response.status_code not in (200, 404) and not refusal_message(response):
                wrong.append(f"{operation}?{name}: {response.status_code} {response.text[:160]}")
    assert checked >= 40 and not wrong, "\n".join(wrong)


# --- routes ------------------------------------------------------------------------------------------------
def test_a_method_xero_has_and_the_sandbox_does_not_is_xeros_501(api):
    response = api.get("/Journals")
    assert response.status_code == 501
    body = response.json()
    assert (body["ErrorNumber"], body["Type"]) == (20, "ApiMethodNotImplementedException")
    assert "GET /api.xro/2.0/Journals is not emulated" in body["Message"]


def test_a_method_the_sandbox_serves_on_another_verb_is_refused_too(api):
    """PUT /Currencies exists at Xero; the sandbox serves GET only (a router would have said 405, and nothing else)."""
    response = api.put("/Currencies", json={"Currencies": [{"Code": "EUR"}]})
    assert response.status_code == 501 and "PUT /api.xro/2.0/Currencies is not emulated" in response.json()["Message"]


def test_a_path_under_a_served_record_is_refused_not_taken_for_the_record(api):
    invoice = api.new_invoice()
    response = api.get(f"/Invoices/{invoice['InvoiceID']}/History")
    assert response.status_code == 501 and "not emulated" in response.json()["Message"]


def test_resource_names_are_matched_without_case_in_the_refusal_too(api):
    response = api.get("/journals")
    assert response.status_code == 501 and "GET /api.xro/2.0/Journals is not emulated" in response.json()["Message"]


def test_a_name_that_is_no_resource_of_xeros_is_a_404_saying_not_emulated(api):
    response = api.http.get("/NoSuchThing")
    assert response.status_code == 404
    assert response.json()["Title"] == "Not Found" and "not emulated" in response.json()["Detail"]


def test_a_refusal_asked_for_in_xml_is_xeros_xml_api_exception(api):
    response = api.http.get("/Journals", headers={"Accept": "application/xml"})
    assert response.status_code == 501 and response.headers["content-type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "ApiException" and root.findtext("ErrorNumber") == "20"
    assert "not emulated" in root.findtext("Message")


def test_an_xml_body_sent_to_a_route_not_emulated_is_refused_in_xml(api):
    response = api.http.put(
        "/Journals", content=b"<Journals><Journal/></Journals>", headers={"Content-Type": "application/xml", "Accept": ""}
    )
    assert response.status_code == 501 and ElementTree.fromstring(response.content).findtext("Type") == (
        "ApiMethodNotImplementedException"
    )


# --- query parameters ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        ("/Items", "page", "2"),  # Items are not paged here: page 2 would otherwise be every item
        ("/Invoices", "DateFrom", "2026-01-01"),  # a Quotes/PurchaseOrders filter
        ("/Contacts", "Statuses", "ACTIVE"),  # Contacts have no status filter here
        ("/Payments", "offset", "10"),  # the Journals' paging
        ("/TaxRates", "IDs", GUID),  # tax rates are not listed by id here
    ],
)
def test_a_xero_list_parameter_the_listing_does_not_apply_is_refused(api, path, parameter, value):
    response = api.get(path, params={parameter: value})
    assert response.status_code == 400
    assert response.json()["Type"] == "ValidationException"
    assert f"'{parameter}' is not emulated" in response.json()["Message"]


def test_a_refused_parameter_is_recognised_whatever_its_case(api):
    response = api.get("/Items", params={"PAGE": "1"})
    assert response.status_code == 400 and "'PAGE' is not emulated" in response.json()["Message"]


def test_a_parameter_xero_does_not_know_is_ignored_as_xero_ignores_it(api):
    contact = api.new_contact()
    response = api.get("/Contacts", params={"IDs": contact["ContactID"], "cacheBuster": uuid.uuid4().hex})
    assert [found["ContactID"] for found in response.json()["Contacts"]] == [contact["ContactID"]]


def test_the_parameters_a_listing_applies_are_not_refused(api):
    response = api.get(
        "/Invoices",
        params={"IDs": GUID, "ContactIDs": GUID, "Statuses": "DRAFT", "InvoiceNumbers": "X", "page": "1", "searchTerm": "x"},
    )
    assert response.status_code == 200 and response.json()["Invoices"] == []
