"""Paging with `Prefer: odata.maxpagesize`: opaque next links with a paging cookie, stable under writes."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.sandbox.dataverse.conftest import API


@pytest.fixture
def tagged(org):
    tag = uuid.uuid4().hex[:6]
    for n in range(11):
        org.api.create("account", {"name": f"{tag} {n:02d}", "numberofemployees": n % 3})
    return tag


def page(client, url, size, **params):
    response = client.get(url, params=params or None, headers={"Prefer": f"odata.maxpagesize={size}"})
    assert response.status_code == 200, response.text
    return response


def test_pages_follow_next_links_until_the_last_page_and_apply_the_preference(org, tagged):
    client = org.client()
    response = page(
        client, f"{API}/accounts", 4, **{"$select": "name", "$filter": f"startswith(name,'{tagged}')", "$orderby": "name"}
    )
    assert response.headers["preference-applied"] == "odata.maxpagesize=4"
    seen, pages = [], 0
    body = response.json()
    while True:
        pages += 1
        seen += [row["name"] for row in body["value"]]
        if "@odata.nextLink" not in body:
            break
        body = page(client, body["@odata.nextLink"], 4).json()
    assert pages == 3
    assert seen == [f"{tagged} {n:02d}" for n in range(11)]


def test_the_next_link_keeps_the_query_and_carries_a_dataverse_shaped_skiptoken(org, tagged):
    body = page(org.client(), f"{API}/accounts", 5, **{"$select": "name", "$filter": f"startswith(name,'{tagged}')"}).json()
    link = urlsplit(body["@odata.nextLink"])
    query = parse_qs(link.query)
    assert link.path == f"{API}/accounts"
    assert query["$select"] == ["name"] and query["$filter"] == [f"startswith(name,'{tagged}')"]
    token = query["$skiptoken"][0]
    assert token.startswith('<cookie pagenumber="2" pagingcookie="') and token.endswith('istracking="False" />')


def test_paging_is_keyset_so_rows_added_meanwhile_do_not_shift_pages(org, tagged):
    client = org.client()
    first = page(
        client, f"{API}/accounts", 5, **{"$select": "name", "$filter": f"startswith(name,'{tagged}')", "$orderby": "name"}
    ).json()
    org.api.create("account", {"name": f"{tagged} 00a"})  # sorts inside the page already served
    second = page(client, first["@odata.nextLink"], 5).json()
    assert [row["name"] for row in second["value"]] == [f"{tagged} {n:02d}" for n in range(5, 10)]


def test_paging_with_descending_order_and_ties_visits_every_row_once(org, tagged):
    client = org.client()
    body = page(
        client,
        f"{API}/accounts",
        2,
        **{"$select": "name,numberofemployees", "$filter": f"startswith(name,'{tagged}')", "$orderby": "numberofemployees desc"},
    ).json()
    seen = []
    while True:
        seen += [row["name"] for row in body["value"]]
        if "@odata.nextLink" not in body:
            break
        body = page(client, body["@odata.nextLink"], 2).json()
    assert sorted(seen) == [f"{tagged} {n:02d}" for n in range(11)] and len(seen) == 11


def test_page_size_is_capped_at_5000_and_a_tampered_skiptoken_is_refused(org, tagged):
    client = org.client()
    response = page(client, f"{API}/accounts", 9000, **{"$select": "name", "$filter": f"startswith(name,'{tagged}')"})
    assert response.headers["preference-applied"] == "odata.maxpagesize=5000"
    refused = client.get(f"{API}/accounts", params={"$skiptoken": "<cookie nonsense />"})
    assert refused.status_code == 400


def test_top_is_ignored_when_the_client_pages(org, tagged):
    body = page(
        org.client(), f"{API}/accounts", 3, **{"$select": "name", "$filter": f"startswith(name,'{tagged}')", "$top": "4"}
    ).json()
    assert len(body["value"]) == 3 and "@odata.nextLink" in body


def test_rows_written_between_pages_show_on_the_pages_still_to_come(org, tagged):
    client = org.client()
    query = {"$select": "name", "$filter": f"startswith(name,'{tagged}')", "$orderby": "name"}
    first = page(client, f"{API}/accounts", 5, **query).json()
    org.api.create("account", {"name": f"{tagged} 07a"})
    [gone] = org.api.list("account", filter=f"name eq '{tagged} 08'")
    org.api.update("account", gone["accountid"], {"name": "renamed away"})
    second = page(client, first["@odata.nextLink"], 5).json()
    assert [row["name"] for row in second["value"]] == [f"{tagged} {n}" for n in ("05", "06", "07", "07a", "09")]
