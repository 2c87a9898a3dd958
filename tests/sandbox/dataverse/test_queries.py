"""$select, $filter, $expand, $orderby, $top and $count on rows, over raw HTTP."""

from __future__ import annotations

import uuid

import pytest

from tests.sandbox.dataverse.conftest import API


@pytest.fixture
def customers(org):
    """Four accounts with contacts and one invoice, named with a unique tag."""
    tag = uuid.uuid4().hex[:6]
    api = org.api
    accounts = [
        api.create("account", {"name": f"{tag} {name}", "revenue": revenue, "numberofemployees": staff, "address1_city": city})
        for name, revenue, staff, city in [
            ("Åland Fisk", 1000.0, 5, "Mariehamn"),
            ("Bäckerei Öz", 250000.0, 40, "Köln"),
            ("Café Ñu", None, 12, "Sevilla"),
            ("Dvořák s.r.o.", 90000.0, None, "Brno"),
        ]
    ]
    for index, account in enumerate(accounts):
        api.create(
            "contact",
            {
                "firstname": "Zoë",
                "lastname": f"{tag}-{index}",
                "parentcustomerid_account@odata.bind": f"/accounts({account['accountid']})",
            },
        )
    return tag, accounts


def get(org, path, **params):
    response = org.client().get(f"{API}/{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def names(body):
    return [row["name"] for row in body["value"]]


def test_filter_combines_comparisons_with_and_or_not_and_parentheses(org, customers):
    tag, _ = customers
    body = get(
        org,
        "accounts",
        **{
            "$select": "name",
            "$orderby": "name",
            "$filter": f"startswith(name,'{tag}') and (revenue gt 5000 or numberofemployees le 5) "
            f"and not contains(name,'Dvořák')",
        },
    )
    assert names(body) == [f"{tag} Åland Fisk", f"{tag} Bäckerei Öz"]


def test_filter_compares_strings_case_insensitively_like_sql_server(org, customers):
    tag, _ = customers
    body = get(org, "accounts", **{"$select": "name", "$filter": f"name eq '{tag} CAFÉ ÑU'"})
    assert names(body) == [f"{tag} Café Ñu"]
    assert names(
        get(org, "accounts", **{"$select": "name", "$filter": f"endswith(name,'S.R.O.') and startswith(name,'{tag}')"})
    ) == [f"{tag} Dvořák s.r.o."]


def test_filter_null_tests_and_null_semantics_of_comparisons(org, customers):
    tag, _ = customers
    no_revenue = get(org, "accounts", **{"$select": "name", "$filter": f"startswith(name,'{tag}') and revenue eq null"})
    assert names(no_revenue) == [f"{tag} Café Ñu"]
    # A comparison with a missing value is unknown: the row is not returned either way.
    above = get(
        org, "accounts", **{"$filter": f"startswith(name,'{tag}') and revenue ne 1000", "$select": "name", "$orderby": "name"}
    )
    assert names(above) == [f"{tag} Bäckerei Öz", f"{tag} Dvořák s.r.o."]


def test_filter_by_guid_lookup_value_and_dates(org, customers):
    tag, accounts = customers
    account_id = accounts[1]["accountid"]
    contacts = get(org, "contacts", **{"$select": "lastname", "$filter": f"_parentcustomerid_value eq {account_id}"})
    assert [c["lastname"] for c in contacts["value"]] == [f"{tag}-1"]
    recent = get(
        org,
        "accounts",
        **{
            "$select": "name",
            "$filter": f"startswith(name,'{tag}') and createdon gt 2020-01-01T00:00:00Z and modifiedon ge 2020-01-01",
        },
    )
    assert len(recent["value"]) == 4
    assert get(org, "accounts", **{"$filter": f"startswith(name,'{tag}') and createdon lt 2020-01-01"})["value"] == []


def test_filter_follows_a_single_valued_navigation_and_query_functions(org, customers):
    tag, _ = customers
    body = get(
        org,
        "contacts",
        **{
            "$select": "lastname",
            "$filter": f"parentcustomerid_account/address1_city eq 'Köln' and startswith(lastname,'{tag}')",
        },
    )
    assert [c["lastname"] for c in body["value"]] == [f"{tag}-1"]
    body = get(
        org,
        "accounts",
        **{
            "$select": "name",
            "$orderby": "name",
            "$filter": f"Microsoft.Dynamics.CRM.In(PropertyName='address1_city',PropertyValues=['Brno','Sevilla'])"
            f" and startswith(name,'{tag}')",
        },
    )
    assert names(body) == [f"{tag} Café Ñu", f"{tag} Dvořák s.r.o."]


def test_orderby_descending_puts_nulls_last_and_top_limits_the_rows(org, customers):
    tag, _ = customers
    body = get(
        org, "accounts", **{"$select": "name,revenue", "$filter": f"startswith(name,'{tag}')", "$orderby": "revenue desc,name"}
    )
    assert [row["revenue"] for row in body["value"]] == [250000.0, 90000.0, 1000.0, None]
    top = get(
        org, "accounts", **{"$select": "name", "$filter": f"startswith(name,'{tag}')", "$orderby": "name desc", "$top": "2"}
    )
    assert names(top) == [f"{tag} Dvořák s.r.o.", f"{tag} Café Ñu"] and "@odata.nextLink" not in top


def test_count_returns_the_total_beside_a_limited_page(org, customers):
    tag, _ = customers
    body = get(org, "accounts", **{"$select": "name", "$filter": f"startswith(name,'{tag}')", "$count": "true", "$top": "1"})
    assert body["@odata.count"] == 4 and len(body["value"]) == 1
    response = org.client().get(f"{API}/accounts/$count", params={"$filter": f"startswith(name,'{tag}')"})
    assert response.text == "4"


def test_select_returns_only_the_chosen_columns_with_etag_and_id(org, customers):
    _tag, accounts = customers
    row = get(org, f"accounts({accounts[0]['accountid']})", **{"$select": "name,_transactioncurrencyid_value"})
    assert set(row) == {"@odata.context", "@odata.etag", "name", "_transactioncurrencyid_value", "accountid"}
    assert row["@odata.context"].endswith("$metadata#accounts(name,_transactioncurrencyid_value)/$entity")


def test_expand_a_lookup_and_a_collection_with_nested_options(org, customers):
    tag, accounts = customers
    invoice = org.api.create(
        "invoice",
        {
            "name": f"{tag} invoice",
            "customerid_account@odata.bind": f"/accounts({accounts[0]['accountid']})",
            "invoice_details": [{"productdescription": f"Line {n}", "quantity": n, "priceperunit": 10.0} for n in (1, 2, 3)],
        },
    )
    body = get(
        org,
        f"invoices({invoice['invoiceid']})",
        **{
            "$select": "name",
            "$expand": "customerid_account($select=name),"
            "invoice_details($select=productdescription,quantity;$filter=quantity ge 2;$orderby=quantity desc)",
        },
    )
    assert body["customerid_account"]["name"] == f"{tag} Åland Fisk"
    assert [line["productdescription"] for line in body["invoice_details"]] == ["Line 3", "Line 2"]
    listing = get(
        org,
        "accounts",
        **{
            "$select": "name",
            "$filter": f"startswith(name,'{tag}')",
            "$orderby": "name",
            "$expand": "contact_customer_accounts($select=lastname)",
        },
    )
    first = listing["value"][0]
    assert [c["lastname"] for c in first["contact_customer_accounts"]] == [f"{tag}-0"]


def test_unknown_properties_skip_and_syntax_errors_are_400s(org):
    client = org.client()
    unknown = client.get(f"{API}/accounts", params={"$select": "name,nosuchcolumn"})
    assert unknown.status_code == 400 and "nosuchcolumn" in unknown.json()["error"]["message"]
    assert client.get(f"{API}/accounts", params={"$skip": "5"}).status_code == 400
    broken = client.get(f"{API}/accounts", params={"$filter": "name eq 'unterminated"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "0x80060888"
    lookup_by_name = client.get(f"{API}/accounts", params={"$select": "parentaccountid"})
    assert lookup_by_name.status_code == 400 and "_parentaccountid_value" in lookup_by_name.json()["error"]["message"]
    assert client.get(f"{API}/nosuchtables").status_code == 404


def test_formatted_values_and_lookup_annotations_come_only_when_asked_for(org, customers):
    tag, accounts = customers
    contact = get(org, "contacts", **{"$select": "_parentcustomerid_value", "$filter": f"lastname eq '{tag}-0'"})["value"][0]
    assert set(contact) == {"@odata.etag", "_parentcustomerid_value", "contactid"}
    annotated = org.client().get(
        f"{API}/contacts({contact['contactid']})",
        params={"$select": "_parentcustomerid_value,statecode"},
        headers={"Prefer": 'odata.include-annotations="*"'},
    )
    body = annotated.json()
    assert body["_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == "account"
    assert body["_parentcustomerid_value@OData.Community.Display.V1.FormattedValue"] == f"{tag} Åland Fisk"
    assert body["statecode@OData.Community.Display.V1.FormattedValue"] == "Active"
    assert 'odata.include-annotations="*"' in annotated.headers["preference-applied"]
    money = (
        org.client()
        .get(
            f"{API}/accounts({accounts[1]['accountid']})",
            params={"$select": "revenue"},
            headers={"Prefer": 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"'},
        )
        .json()
    )
    assert money["revenue@OData.Community.Display.V1.FormattedValue"] == "€250,000.00"
