"""Every query option is served or refused: unknown `$` options as Dataverse refuses them, the options Dataverse
has that the sandbox does not emulate saying so — never dropped silently."""

from __future__ import annotations

import uuid

import pytest

from tests.sandbox.dataverse.conftest import API


@pytest.fixture
def account(org):
    return org.api.create("account", {"name": f"Options {uuid.uuid4().hex[:8]}", "revenue": 10.0})


def refused(response, words):
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "0x80060888"
    assert words in error["message"]
    return error["message"]


@pytest.mark.parametrize(
    "path", ["accounts", "accounts({id})", "accounts({id})/name", "WhoAmI", "EntityDefinitions", "accounts/$count"]
)
def test_an_unknown_dollar_option_is_refused_everywhere(org, account, path):
    response = org.client().get(f"{API}/{path.format(id=account['accountid'])}", params={"$foo": "1"})
    assert refused(response, "$foo") == "The query parameter $foo is not supported."


def test_an_unknown_option_inside_an_expand_is_refused(org, account):
    response = org.client().get(
        f"{API}/accounts({account['accountid']})", params={"$expand": "contact_customer_accounts($foo=1)"}
    )
    refused(response, "$foo")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("$apply", "aggregate(revenue with sum as total)"),
        ("$search", "Options"),
        ("sql", "SELECT name FROM account"),
        ("savedQuery", "00000000-0000-0000-00aa-000010001002"),
        ("userQuery", "00000000-0000-0000-00aa-000010001002"),
        ("$format", "application/xml"),
    ],
)
def test_options_dataverse_has_but_the_sandbox_does_not_emulate_are_refused_saying_so(org, name, value):
    refused(org.client().get(f"{API}/accounts", params={name: value}), "not emulated")


def test_skip_is_refused_as_dataverse_refuses_it(org):
    assert refused(org.client().get(f"{API}/accounts", params={"$skip": "2"}), "$skip") == (
        "The query parameter $skip is not supported."
    )


def test_dollar_id_is_served_only_on_a_reference(org, account):
    refused(org.client().get(f"{API}/accounts", params={"$id": f"accounts({account['accountid']})"}), "$id")


def test_json_format_and_parameter_aliases_are_served(org, account):
    client = org.client()
    assert client.get(f"{API}/accounts({account['accountid']})", params={"$format": "json"}).status_code == 200
    body = client.get(f"{API}/accounts", params={"$filter": "name eq @n", "@n": f"'{account['name']}'", "$select": "name"}).json()
    assert [row["name"] for row in body["value"]] == [account["name"]]


# Dataverse's documented query options (Microsoft's "Query data using the Web API"), each with a request that uses
# it and what serving it looks like; anything else must be a refusal.
def _served_select(body, account):
    return set(body["value"][0]) == {"@odata.etag", "name", "accountid"}


def _served_filter(body, account):
    return [row["accountid"] for row in body["value"]] == [account["accountid"]]


DOCUMENTED = [
    ("$select", "name", _served_select),
    ("$filter", None, _served_filter),
    ("$orderby", "name desc", lambda body, account: len(body["value"]) == 1),
    ("$top", "1", lambda body, account: len(body["value"]) == 1),
    ("$count", "true", lambda body, account: body["@odata.count"] == 1),
    (
        "$expand",
        "contact_customer_accounts($select=fullname)",
        lambda body, account: body["value"][0]["contact_customer_accounts"] == [],
    ),
    ("$apply", "aggregate(revenue with sum as total)", None),
    ("fetchXml", None, lambda body, account: [row["accountid"] for row in body["value"]] == [account["accountid"]]),
    ("savedQuery", "00000000-0000-0000-00aa-000010001002", None),
    ("userQuery", "00000000-0000-0000-00aa-000010001002", None),
    ("$skip", "1", None),
    ("$search", "x", None),
]


@pytest.mark.parametrize(("name", "value", "served"), DOCUMENTED, ids=[entry[0] for entry in DOCUMENTED])
def test_each_documented_query_option_is_served_or_refused(org, account, name, value, served):
    only = f"name eq '{account['name']}'"
    params = {"$filter": only, "$select": "name"}
    if name == "$filter":
        params = {"$filter": only, "$select": "name"}
    elif name == "fetchXml":
        params = {
            name: f"<fetch><entity name='account'><attribute name='name'/><filter>"
            f"<condition attribute='name' operator='eq' value='{account['name']}'/></filter></entity></fetch>"
        }
    else:
        params[name] = value
    response = org.client().get(f"{API}/accounts", params=params)
    if served is None:
        message = refused(response, name)
        assert "not emulated" in message or "not supported" in message
    else:
        assert response.status_code == 200, response.text
        assert served(response.json(), account)
