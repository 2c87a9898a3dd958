"""XML, the Accounting API's default format: bodies in XML give what the same body in JSON gives, and answers
follow the Accept header (JSON or XML; without one, the body's format), errors included as Xero's ApiException."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from tests.sandbox.xero_api.client import unique

XML = {"Content-Type": "application/xml"}
XML_IN_JSON_OUT = {"Content-Type": "application/xml", "Accept": "application/json"}
INSTANCE = "{http://www.w3.org/2001/XMLSchema-instance}"


def invoice_xml(contact_id: str, *, reference: str = "", root: str = "Invoices", status: str = "DRAFT") -> bytes:
    invoice = f"""
        <Invoice>
          <Type>ACCREC</Type>
          <Contact><ContactID>{contact_id}</ContactID></Contact>
          <Date>2026-03-02T00:00:00</Date>
          <DueDate>2026-03-31T00:00:00</DueDate>
          <Reference>{reference}</Reference>
          <Status>{status}</Status>
          <LineAmountTypes>Exclusive</LineAmountTypes>
          <LineItems>
            <LineItem>
              <Description>Consulting</Description>
              <Quantity>2</Quantity>
              <UnitAmount>50.00</UnitAmount>
              <AccountCode>200</AccountCode>
            </LineItem>
            <LineItem>
              <Description>Travel</Description>
              <Quantity>1</Quantity>
              <UnitAmount>10</UnitAmount>
              <AccountCode>200</AccountCode>
            </LineItem>
          </LineItems>
        </Invoice>"""
    body = f"<Invoices>{invoice}</Invoices>" if root == "Invoices" else invoice
    return body.encode()


def send(api, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None, **options):
    """Straight over HTTPS, without the JSON Accept header the test client sends by default."""
    all_headers = {
        "Authorization": api.http.headers["Authorization"],
        "xero-tenant-id": api.tenant_id,
        "Accept": "",
        **(headers or {}),
    }
    return api.http.request(method, path, content=body, headers=all_headers, **options)


def xml_of(response) -> ElementTree.Element:
    assert response.headers["content-type"].startswith("text/xml"), response.headers["content-type"]
    return ElementTree.fromstring(response.content)


# --- XML in, JSON out ------------------------------------------------------------------------------------
def test_an_xml_invoice_batch_is_saved_like_its_json_twin(api):
    contact = api.new_contact()
    response = api.put("/Invoices", content=invoice_xml(contact["ContactID"], reference="xml"), headers=XML_IN_JSON_OUT)
    assert response.status_code == 200, response.text
    (invoice,) = response.json()["Invoices"]
    twin = api.new_invoice(
        contact=contact,
        Reference="json",
        DueDate="2026-03-31",
        lines=[
            {"Description": "Consulting", "Quantity": 2, "UnitAmount": 50, "AccountCode": "200"},
            {"Description": "Travel", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"},
        ],
    )
    compared = ("SubTotal", "TotalTax", "Total", "Status", "Type", "Date", "DueDate", "LineAmountTypes")
    assert {field: invoice[field] for field in compared} == {field: twin[field] for field in compared}
    assert [line["LineAmount"] for line in invoice["LineItems"]] == [100, 10]
    assert invoice["Contact"]["ContactID"] == contact["ContactID"] and invoice["Reference"] == "xml"
    assert api.invoice(invoice["InvoiceID"])["Total"] == 126.5


def test_a_lone_invoice_element_is_a_batch_of_one(api):
    contact = api.new_contact()
    response = api.put("/Invoices", content=invoice_xml(contact["ContactID"], root="Invoice"), headers=XML_IN_JSON_OUT)
    assert response.status_code == 200, response.text
    assert len(response.json()["Invoices"]) == 1 and response.json()["Invoices"][0]["Total"] == 126.5


def test_a_contact_in_xml_keeps_its_nested_lists(api):
    name = unique("Xml contact")
    body = f"""<Contacts><Contact>
          <Name>{name}</Name>
          <EmailAddress>xml@example.com</EmailAddress>
          <IsCustomer>true</IsCustomer>
          <Phones><Phone><PhoneType>MOBILE</PhoneType><PhoneNumber>555 0101</PhoneNumber></Phone></Phones>
          <Addresses>
            <Address><AddressType>POBOX</AddressType><AddressLine1>PO Box 5</AddressLine1><City>Wellington</City></Address>
          </Addresses>
        </Contact></Contacts>""".encode()
    response = api.put("/Contacts", content=body, headers=XML_IN_JSON_OUT)
    assert response.status_code == 200, response.text
    (contact,) = response.json()["Contacts"]
    assert contact["Name"] == name and contact["EmailAddress"] == "xml@example.com"
    mobile = next(phone for phone in contact["Phones"] if phone["PhoneType"] == "MOBILE")
    assert mobile["PhoneNumber"] == "555 0101"
    po_box = next(address for address in contact["Addresses"] if address["AddressType"] == "POBOX")
    assert (po_box["AddressLine1"], po_box["City"]) == ("PO Box 5", "Wellington")


def test_an_invoice_is_updated_by_an_xml_post(api):
    invoice = api.new_invoice()
    body = b"<Invoices><Invoice><Reference>changed in XML</Reference></Invoice></Invoices>"
    response = api.post(f"/Invoices/{invoice['InvoiceID']}", content=body, headers=XML_IN_JSON_OUT)
    assert response.status_code == 200, response.text
    assert api.invoice(invoice["InvoiceID"])["Reference"] == "changed in XML"


def test_a_text_xml_body_without_content_type_is_read_as_xml(api):
    contact = api.new_contact()
    response = send(api, "PUT", "/Invoices", invoice_xml(contact["ContactID"]), {"Accept": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["Invoices"][0]["Total"] == 126.5


def test_xml_with_summarize_errors_off_reports_each_element(api):
    contact = api.new_contact()
    good = invoice_xml(contact["ContactID"], root="Invoice").decode()
    bad = "<Invoice><Type>ACCREC</Type><Reference>no contact</Reference></Invoice>"
    response = api.put(
        "/Invoices",
        params={"summarizeErrors": "false"},
        content=f"<Invoices>{good}{bad}</Invoices>".encode(),
        headers=XML_IN_JSON_OUT,
    )
    assert response.status_code == 200, response.text
    assert [invoice["StatusAttributeString"] for invoice in response.json()["Invoices"]] == ["OK", "ERROR"]


def test_a_malformed_xml_body_is_refused_as_post_data_invalid(api):
    response = api.put("/Invoices", content=b"<Invoices><Invoice>", headers=XML_IN_JSON_OUT)
    assert response.status_code == 400
    assert response.json()["Type"] == "PostDataInvalidException" and "not valid XML" in response.json()["Message"]


# --- answers in XML ----------------------------------------------------------------------------------------
def test_without_an_accept_header_an_xml_body_is_answered_in_xml(api):
    contact = api.new_contact()
    response = send(api, "PUT", "/Invoices", invoice_xml(contact["ContactID"], reference="answered in XML"), XML)
    assert response.status_code == 200, response.text
    root = xml_of(response)
    assert root.tag == "Response" and root.findtext("Status") == "OK"
    assert root.findtext("Id") and root.findtext("ProviderName") and root.findtext("DateTimeUTC")
    (invoice,) = root.findall("Invoices/Invoice")
    assert invoice.findtext("Reference") == "answered in XML" and invoice.findtext("Total") == "126.50"
    assert invoice.findtext("Date") == "2026-03-02T00:00:00" and invoice.findtext("Contact/ContactID") == contact["ContactID"]
    assert [line.findtext("LineAmount") for line in invoice.findall("LineItems/LineItem")] == ["100.00", "10.00"]
    assert api.invoice(invoice.findtext("InvoiceID"))["Reference"] == "answered in XML"


@pytest.mark.parametrize("accept", ["application/xml", "text/xml", "application/json;q=0.5, text/xml"])
def test_a_read_asking_for_xml_is_answered_in_xml(api, accept):
    invoice = api.new_invoice()
    root = xml_of(send(api, "GET", f"/Invoices/{invoice['InvoiceID']}", headers={"Accept": accept}))
    assert root.findtext("Invoices/Invoice/InvoiceID") == invoice["InvoiceID"]
    assert root.findtext("Invoices/Invoice/AmountDue") == "115.00"


def test_a_json_body_asking_for_xml_is_answered_in_xml(api):
    contact = api.new_contact()
    element = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact["ContactID"]},
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 5, "AccountCode": "200"}],
    }
    response = send(api, "PUT", "/Invoices", None, {"Accept": "application/xml"}, json={"Invoices": [element]})
    assert xml_of(response).findtext("Invoices/Invoice/Total") == "5.75"


def test_accept_prefers_by_quality_then_order(api):
    invoice = api.new_invoice()
    path = f"/Invoices/{invoice['InvoiceID']}"
    assert send(api, "GET", path, headers={"Accept": "text/xml;q=0.4, application/json"}).json()["Invoices"]
    assert send(api, "GET", path, headers={"Accept": "application/json, text/xml"}).json()["Invoices"]
    assert send(api, "GET", path, headers={"Accept": "*/*"}).json()["Invoices"]  # no body to follow: JSON, as before


def test_a_list_in_xml_holds_one_element_per_record(api):
    contact = api.new_contact()
    first, second = api.new_invoice(contact=contact), api.new_invoice(contact=contact)
    response = send(api, "GET", "/Invoices", headers={"Accept": "application/xml"}, params={"ContactIDs": contact["ContactID"]})
    found = [invoice.findtext("InvoiceID") for invoice in xml_of(response).findall("Invoices/Invoice")]
    assert sorted(found) == sorted([first["InvoiceID"], second["InvoiceID"]])


def test_a_validation_error_in_xml_is_xeros_api_exception(api):
    body = b"<Invoices><Invoice><Type>ACCREC</Type><LineItems><LineItem><Description>x</Description></LineItem></LineItems></Invoice></Invoices>"
    response = send(api, "PUT", "/Invoices", body, XML)
    assert response.status_code == 400
    root = xml_of(response)
    assert root.tag == "ApiException" and root.findtext("ErrorNumber") == "10"
    assert root.findtext("Type") == "ValidationException" and root.findtext("Message") == "A validation exception occurred"
    (failed,) = root.findall("Elements/DataContractBase")
    assert failed.get(f"{INSTANCE}type") == "Invoice"
    messages = [error.findtext("Message") for error in failed.findall("ValidationErrors/ValidationError")]
    assert messages and all(messages)


def test_a_malformed_xml_body_without_accept_is_refused_in_xml(api):
    response = send(api, "PUT", "/Invoices", b"<Invoices><Invoice>", XML)
    assert response.status_code == 400
    root = xml_of(response)
    assert root.tag == "ApiException" and root.findtext("Type") == "PostDataInvalidException"
