"""XML, the Accounting API's default format: request bodies read into the dict the JSON path builds, and answers
written the way Xero writes them.

Xero's XML is its data contracts serialised: a collection is an element named in the plural holding one element
per record named in the singular (`<Invoices><Invoice>…</Invoice></Invoices>`, `<LineItems><LineItem>…`), a
nested object is an element with children (`<Contact><ContactID>…</ContactID></Contact>`), and every value is
text. Read in, values stay text: the business rules already read numbers, booleans and dates from text (a JSON
body may hold `"Quantity": "2"` as well). Written out, dates are ISO 8601 (`2026-03-02T00:00:00`) rather than
JSON's `/Date(…)/`, booleans are `true`/`false`, and the envelope is `<Response>`, errors `<ApiException>`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

INSTANCE_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
_NIL = f"{{{INSTANCE_NAMESPACE}}}nil"
_TYPE = f"{{{INSTANCE_NAMESPACE}}}type"
XML_MEDIA_TYPE = "text/xml"

# Collections whose element is not simply the plural with an -s, -es or -ies ending.
_SINGULAR = {"Tracking": "TrackingCategory", "Elements": "DataContractBase"}
# Collections written empty (`<LineItems />`) mean an empty list, not an absent value.
_LISTS = {
    "Addresses",
    "Allocations",
    "Attachments",
    "ContactGroups",
    "ContactPersons",
    "CreditNotes",
    "LineItems",
    "Options",
    "Overpayments",
    "Payments",
    "Phones",
    "Prepayments",
    "Tracking",
}
# The collections a request's root may name, written empty (`<Invoices />`): a batch of none.
_COLLECTION_ROOTS = {"Allocations", "Contacts", "CreditNotes", "Invoices", "Items", "Payments"}
# JSON's companions of a date, which Xero's XML does not write (its Date is already that text).
_JSON_ONLY = {"DateString", "DueDateString"}
_MS_DATE = re.compile(r"^/Date\((?P<ms>-?\d+)(?:[+-]\d{4})?\)/$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ElementTree.register_namespace("i", INSTANCE_NAMESPACE)


class BadXml(ValueError):
    pass


# --- reading ---------------------------------------------------------------------------------------------
def looks_like_xml(body: bytes) -> bool:
    return body.lstrip().startswith(b"<")


def parse_body(body: bytes) -> Any:
    """The dict (or list) the same request in JSON would have given: `<Invoices><Invoice>…` is
    `{"Invoices": [{…}]}`, a lone `<Invoice>…</Invoice>` is that invoice's object."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise BadXml(f"The request body is not valid XML: {error}") from None
    name = _local(root.tag)
    value = _value(root)
    if isinstance(value, list):
        return {name: value}
    if value is None and name in _LISTS | _COLLECTION_ROOTS:
        return {name: []}
    if not isinstance(value, dict):
        raise BadXml(f"The request body's <{name}> holds no elements")
    return value


def _value(element: ElementTree.Element) -> Any:
    children = list(element)
    if element.get(_NIL) == "true":
        return None
    name = _local(element.tag)
    if not children:
        text = (element.text or "").strip()
        if text:
            return text
        return [] if name in _LISTS else None
    if _is_collection(name, children):
        return [_value(child) for child in children]
    fields: dict[str, Any] = {}
    for child in children:
        key = _local(child.tag)
        if key in fields:
            raise BadXml(f"<{name}> holds <{key}> more than once")
        fields[key] = _value(child)
    return fields


def _is_collection(name: str, children: list[ElementTree.Element]) -> bool:
    """A plural holding only its singular: `<LineItems><LineItem/><LineItem/></LineItems>`, even with one child."""
    return {_local(child.tag) for child in children} == {singular(name)}


def singular(plural: str) -> str:
    """`Invoices` → `Invoice`, `Addresses` → `Address`, `Currencies` → `Currency`, `Tracking` → `TrackingCategory`."""
    if plural in _SINGULAR:
        return _SINGULAR[plural]
    if plural.endswith("ies"):
        return plural[:-3] + "y"
    if plural.endswith(("sses", "xes")):
        return plural[:-2]
    if plural.endswith("s"):
        return plural[:-1]
    return plural


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --- writing ---------------------------------------------------------------------------------------------
def response_document(envelope: dict[str, Any]) -> bytes:
    """`{"Id", "Status", "ProviderName", "DateTimeUTC", "Invoices": […]}` as Xero's `<Response>`."""
    return _document("Response", envelope)


def exception_document(error: dict[str, Any], element_type: str) -> bytes:
    """Xero's ApiException: `Elements` holds one `<DataContractBase i:type="Invoice">` per failed element."""
    root = ElementTree.Element("ApiException")
    for key, value in error.items():
        if key == "Elements" and isinstance(value, list):
            elements = ElementTree.SubElement(root, "Elements")
            for failed in value:
                contract = ElementTree.SubElement(elements, "DataContractBase", {_TYPE: element_type})
                _fill(contract, failed)
        else:
            _append(root, key, value)
    return _serialised(root)


def _document(root_name: str, content: dict[str, Any]) -> bytes:
    root = ElementTree.Element(root_name)
    _fill(root, content)
    return _serialised(root)


def _serialised(root: ElementTree.Element) -> bytes:
    if not any(_NIL in element.attrib or _TYPE in element.attrib for element in root.iter()):
        root.set("xmlns:i", INSTANCE_NAMESPACE)  # Xero declares it on every document, used or not
    return bytes(ElementTree.tostring(root, encoding="utf-8", xml_declaration=False))


def _fill(parent: ElementTree.Element, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        if key not in _JSON_ONLY:
            _append(parent, key, value)


def _append(parent: ElementTree.Element, key: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, key)
    if value is None:
        element.set(_NIL, "true")
    elif isinstance(value, dict):
        _fill(element, value)
    elif isinstance(value, list):
        item_name = singular(key)
        for item in value:
            _append(element, item_name, item)
    else:
        element.text = _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        number = Decimal(repr(value))
        exponent = number.as_tuple().exponent
        return str(number.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent > -2 else number)
    if isinstance(value, str):
        match = _MS_DATE.match(value)
        if match:
            return _iso_moment(int(match["ms"]))
    return str(value)


def _iso_moment(epoch_ms: int) -> str:
    """`2026-03-02T00:00:00` for a calendar date, `2026-03-02T10:11:12.345` for an instant with milliseconds."""
    moment = _EPOCH + timedelta(milliseconds=epoch_ms)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{moment.microsecond // 1000:03d}" if moment.microsecond else text
