"""FetchXML queries (`GET <set>?fetchXml=…`): columns, filters, order, paging with cookies, counts, and the
refusal of what the sandbox does not emulate — over raw HTTP."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest

from tests.sandbox.dataverse.conftest import API

PAGING = 'odata.include-annotations="Microsoft.Dynamics.CRM.fetchxmlpagingcookie,Microsoft.Dynamics.CRM.morerecords"'


@pytest.fixture
def tagged(org):
    """Seven accounts named with a unique tag; revenue and city vary, one has neither."""
    tag = uuid.uuid4().hex[:8]
    rows = [
        ("Åland Fisk", 1000.0, "Mariehamn", 3),
        ("Bäckerei Öz", 250000.0, "Köln", 1),
        ("Café Ñu", None, None, 2),
        ("Dvořák s.r.o.", 90000.0, "Brno", 1),
        ("Eßbar", 5000.0, "Köln", 3),
        ("Fjord AS", 7000.0, "Bergen", 2),
        ("Gdańsk Sp.", 12000.0, "Gdańsk", 1),
    ]
    accounts = [
        org.api.create(
            "account",
            {
                "name": f"{tag} {name}",
                "revenue": revenue,
                "address1_city": city,
                **({"paymenttermscode": industry} if industry else {}),
            },
        )
        for name, revenue, city, industry in rows
    ]
    return tag, accounts


def fetch(org, xml, *, entity_set="accounts", prefer=PAGING, status=200):
    response = org.client().get(f"{API}/{entity_set}", params={"fetchXml": xml}, headers={"Prefer": prefer} if prefer else {})
    assert response.status_code == status, response.text
    return response.json()


def names(body, tag):
    return [row["name"].removeprefix(f"{tag} ") for row in body["value"]]


def test_it_selects_the_named_columns_and_leaves_out_null_values(org, tagged):
    tag, _ = tagged
    body = fetch(
        org,
        f"""<fetch><entity name="account"><attribute name="name"/><attribute name="revenue"/>
        <filter><condition attribute="name" operator="like" value="{tag} Caf%"/></filter></entity></fetch>""",
    )
    assert len(body["value"]) == 1
    row = body["value"][0]
    assert row["name"] == f"{tag} Café Ñu"
    assert "revenue" not in row  # null: FetchXML leaves it out
    assert "accountid" in row and "@odata.etag" in row
    assert "address1_city" not in row and "telephone1" not in row
    assert body["@odata.context"].endswith("/$metadata#accounts(name,revenue)")


def test_filters_combine_and_or_with_the_common_operators(org, tagged):
    tag, _ = tagged
    xml = f"""<fetch><entity name="account"><attribute name="name"/><order attribute="name"/>
      <filter type="and">
        <condition attribute="name" operator="begins-with" value="{tag}"/>
        <filter type="or">
          <condition attribute="revenue" operator="ge" value="90000"/>
          <condition attribute="address1_city" operator="eq" value="KÖLN"/>
          <condition attribute="revenue" operator="null"/>
        </filter>
        <condition attribute="name" operator="not-like" value="%Dvořák%"/>
      </filter></entity></fetch>"""
    assert names(fetch(org, xml), tag) == ["Bäckerei Öz", "Café Ñu", "Eßbar"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('<condition attribute="revenue" operator="gt" value="7000"/>', ["Bäckerei Öz", "Dvořák s.r.o.", "Gdańsk Sp."]),
        ('<condition attribute="revenue" operator="lt" value="5000"/>', ["Åland Fisk"]),
        ('<condition attribute="revenue" operator="le" value="5000"/>', ["Åland Fisk", "Eßbar"]),
        (
            '<condition attribute="address1_city" operator="ne" value="Köln"/>',
            ["Åland Fisk", "Dvořák s.r.o.", "Fjord AS", "Gdańsk Sp."],
        ),
        (
            '<condition attribute="address1_city" operator="not-null"/>',
            ["Åland Fisk", "Bäckerei Öz", "Dvořák s.r.o.", "Eßbar", "Fjord AS", "Gdańsk Sp."],
        ),
        (
            '<condition attribute="address1_city" operator="in"><value>Brno</value><value>bergen</value></condition>',
            ["Dvořák s.r.o.", "Fjord AS"],
        ),
        (
            '<condition attribute="paymenttermscode" operator="not-in"><value>1</value><value>2</value></condition>',
            ["Åland Fisk", "Eßbar"],
        ),
        ('<condition attribute="name" operator="like" value="%s.r._."/>', ["Dvořák s.r.o."]),
        ('<condition attribute="name" operator="ends-with" value="AS"/>', ["Fjord AS"]),
    ],
)
def test_each_common_operator_selects_the_rows_it_should(org, tagged, condition, expected):
    tag, _ = tagged
    xml = f"""<fetch><entity name="account"><attribute name="name"/><order attribute="name"/>
      <filter><condition attribute="name" operator="begins-with" value="{tag}"/>{condition}</filter></entity></fetch>"""
    assert names(fetch(org, xml), tag) == expected


def test_order_descending_and_top(org, tagged):
    tag, _ = tagged
    xml = f"""<fetch top="3"><entity name="account"><attribute name="name"/><attribute name="revenue"/>
      <order attribute="revenue" descending="true"/>
      <filter><condition attribute="name" operator="begins-with" value="{tag}"/></filter></entity></fetch>"""
    body = fetch(org, xml)
    assert names(body, tag) == ["Bäckerei Öz", "Dvořák s.r.o.", "Gdańsk Sp."]
    assert "@Microsoft.Dynamics.CRM.morerecords" not in body
    assert "@Microsoft.Dynamics.CRM.fetchxmlpagingcookie" not in body


def test_choice_columns_order_by_their_labels_unless_raw_order_is_asked_for(org, tagged):
    tag, _ = tagged
    xml = """<fetch{raw}><entity name="account"><attribute name="name"/><order attribute="paymenttermscode"/><order attribute="name"/>
      <filter><condition attribute="name" operator="begins-with" value="{tag}"/>
      <condition attribute="paymenttermscode" operator="not-null"/></filter></entity></fetch>"""
    by_label = names(fetch(org, xml.format(raw="", tag=tag)), tag)
    by_value = names(fetch(org, xml.format(raw=' useraworderby="1"', tag=tag)), tag)
    # 1 "Net 30", 2 "2% 10, Net 30", 3 "Net 45"
    assert by_label == ["Café Ñu", "Fjord AS", "Bäckerei Öz", "Dvořák s.r.o.", "Gdańsk Sp.", "Åland Fisk", "Eßbar"]
    assert by_value == ["Bäckerei Öz", "Dvořák s.r.o.", "Gdańsk Sp.", "Café Ñu", "Fjord AS", "Åland Fisk", "Eßbar"]


def test_pages_follow_the_paging_cookie_as_the_official_sdk_sends_it_back(org, tagged):
    tag, _ = tagged
    xml = f"""<fetch count="3"><entity name="account"><attribute name="name"/><order attribute="name"/>
      <filter><condition attribute="name" operator="begins-with" value="{tag}"/></filter></entity></fetch>"""
    seen, page, cookie = [], 1, None
    while True:
        root = ET.fromstring(xml)
        root.set("page", str(page))
        if cookie:
            root.set("paging-cookie", cookie)
        body = fetch(org, ET.tostring(root, encoding="unicode"))
        seen.append(names(body, tag))
        if "@Microsoft.Dynamics.CRM.morerecords" not in body:
            assert "@Microsoft.Dynamics.CRM.fetchxmlpagingcookie" not in body, "the last page carries no cookie"
            break
        assert body["@Microsoft.Dynamics.CRM.morerecords"] is True
        outer = ET.fromstring(body["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"])
        assert outer.get("pagenumber") == str(page + 1) and outer.get("istracking") == "False"
        cookie = unquote(unquote(outer.get("pagingcookie")))
        assert cookie.startswith(f'<cookie page="{page}">')
        page = int(outer.get("pagenumber"))
    assert seen == [["Åland Fisk", "Bäckerei Öz", "Café Ñu"], ["Dvořák s.r.o.", "Eßbar", "Fjord AS"], ["Gdańsk Sp."]]


def test_the_cookie_keeps_the_next_page_in_place_when_rows_are_added_before_it(org, tagged):
    tag, _ = tagged
    xml = f"""<fetch count="3" page="{{page}}"{{cookie}}><entity name="account"><attribute name="name"/><order attribute="name"/>
      <filter><condition attribute="name" operator="begins-with" value="{tag}"/></filter></entity></fetch>"""
    first = fetch(org, xml.format(page=1, cookie=""))
    inner = unquote(unquote(ET.fromstring(first["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"]).get("pagingcookie")))
    org.api.create("account", {"name": f"{tag} Aaa added"})
    escaped = inner.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    with_cookie = fetch(org, xml.format(page=2, cookie=f' paging-cookie="{escaped}"'))
    by_position = fetch(org, xml.format(page=2, cookie=""))
    assert names(with_cookie, tag) == ["Dvořák s.r.o.", "Eßbar", "Fjord AS"]
    assert names(by_position, tag) == ["Café Ñu", "Dvořák s.r.o.", "Eßbar"]


def test_the_total_record_count_is_given_when_asked_for(org, tagged):
    tag, _ = tagged
    xml = f"""<fetch count="2" returntotalrecordcount="true"><entity name="account"><attribute name="name"/>
      <filter><condition attribute="name" operator="begins-with" value="{tag}"/></filter></entity></fetch>"""
    body = fetch(org, xml, prefer='odata.include-annotations="*"')
    assert body["@Microsoft.Dynamics.CRM.totalrecordcount"] == 7
    assert body["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"] is False
    assert len(body["value"]) == 2


def test_paging_annotations_come_only_when_the_prefer_header_asks_for_them(org, tagged):
    tag, _ = tagged
    xml = f"""<fetch count="2"><entity name="account"><attribute name="name"/>
      <filter><condition attribute="name" operator="begins-with" value="{tag}"/></filter></entity></fetch>"""
    body = fetch(org, xml, prefer=None)
    assert len(body["value"]) == 2
    assert not any(key.startswith("@Microsoft.Dynamics.CRM.") for key in body)


def test_lookup_conditions_take_a_guid_with_or_without_braces(org, tagged):
    tag, accounts = tagged
    account_id = accounts[0]["accountid"]
    org.api.create("contact", {"lastname": f"{tag} child", "parentcustomerid_account@odata.bind": f"/accounts({account_id})"})
    xml = f"""<fetch><entity name="contact"><attribute name="lastname"/><attribute name="parentcustomerid"/>
      <filter><condition attribute="parentcustomerid" operator="eq" value="{{{account_id.upper()}}}"/></filter></entity></fetch>"""
    body = fetch(org, xml, entity_set="contacts", prefer='odata.include-annotations="*"')
    assert [row["lastname"] for row in body["value"]] == [f"{tag} child"]
    row = body["value"][0]
    assert row["_parentcustomerid_value"] == account_id
    assert row["_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == "account"


@pytest.mark.parametrize(
    ("xml", "words"),
    [
        (
            '<fetch><entity name="account"><attribute name="name"/><link-entity name="contact" from="parentcustomerid" '
            'to="accountid"/></entity></fetch>',
            "link-entity",
        ),
        (
            '<fetch aggregate="true"><entity name="account"><attribute name="revenue" aggregate="sum" alias="s"/></entity></fetch>',
            "aggregate",
        ),
        ('<fetch distinct="true"><entity name="account"><attribute name="name"/></entity></fetch>', "distinct"),
        (
            '<fetch><entity name="account"><filter><condition attribute="createdon" operator="last-x-days" value="3"/></filter></entity></fetch>',
            "last-x-days",
        ),
        ('<fetch><entity name="account"><attribute name="name" alias="n"/></entity></fetch>', "alias"),
        ('<fetch><entity name="account"><order alias="n"/></entity></fetch>', "alias"),
    ],
)
def test_what_is_not_emulated_is_refused_saying_so(org, xml, words):
    error = fetch(org, xml, status=400)["error"]
    assert "not emulated" in error["message"] and words in error["message"]


def test_an_unknown_attribute_is_refused_as_dataverse_refuses_it(org):
    error = fetch(org, '<fetch><entity name="account"><attribute name="nosuchcolumn"/></entity></fetch>', status=400)["error"]
    assert error["code"] == "0x80041103"
    assert "doesn't contain attribute with Name = 'nosuchcolumn'" in error["message"]


def test_it_refuses_malformed_xml_another_tables_entity_and_top_with_paging(org):
    assert "not valid XML" in fetch(org, "<fetch><entity name='account'>", status=400)["error"]["message"]
    assert "does not match" in fetch(org, "<fetch><entity name='contact'/></fetch>", status=400)["error"]["message"]
    refused = fetch(org, "<fetch top='2' count='2'><entity name='account'/></fetch>", status=400)["error"]["message"]
    assert "top" in refused


def test_fetchxml_with_system_query_options_or_away_from_an_entity_set_is_refused(org, tagged):
    _tag, accounts = tagged
    client = org.client()
    xml = "<fetch><entity name='account'/></fetch>"
    assert client.get(f"{API}/accounts", params={"fetchXml": xml, "$top": "1"}).status_code == 400
    response = client.get(f"{API}/accounts({accounts[0]['accountid']})", params={"fetchXml": xml})
    assert response.status_code == 400 and "not emulated" in response.json()["error"]["message"]
