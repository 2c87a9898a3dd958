"""Change tracking: `Prefer: odata.track-changes` gives a delta link; following it returns what changed,
including `$deletedEntity` entries for deleted rows."""

from __future__ import annotations

from tests.sandbox.dataverse.conftest import API

TRACK = {"Prefer": "odata.track-changes"}


def start(org, table="contacts", select="fullname"):
    response = org.client().get(f"{API}/{table}", params={"$select": select}, headers=TRACK)
    assert response.status_code == 200, response.text
    assert "odata.track-changes" in response.headers["preference-applied"]
    return response.json()


def test_the_first_query_returns_every_row_and_a_delta_link(org):
    body = start(org)
    assert len(body["value"]) == org.service.storage.count("contact")
    assert "$deltatoken=" in body["@odata.deltaLink"] and "$select=fullname" in body["@odata.deltaLink"]


def test_the_delta_link_returns_created_updated_and_deleted_rows_since(org):
    kept = org.api.create("contact", {"firstname": "Søren", "lastname": "Kept"})
    doomed = org.api.create("contact", {"firstname": "Dora", "lastname": "Doomed"})
    delta_link = start(org)["@odata.deltaLink"]
    created = org.api.create("contact", {"firstname": "Neu", "lastname": "Angelegt"})
    org.api.update("contact", kept["contactid"], {"jobtitle": "Käufer"})
    org.api.delete("contact", doomed["contactid"])
    response = org.client().get(delta_link)
    assert response.status_code == 200
    body = response.json()
    changed = {row["contactid"]: row.get("fullname") for row in body["value"] if "reason" not in row}
    deleted = [row for row in body["value"] if row.get("reason") == "deleted"]
    assert changed == {created["contactid"]: "Neu Angelegt", kept["contactid"]: "Søren Kept"}
    assert deleted == [
        {
            "@odata.context": f"https://testserver{API}/$metadata#contacts/$deletedEntity",
            "id": doomed["contactid"],
            "reason": "deleted",
        }
    ]
    assert body["@odata.context"].endswith("$metadata#contacts(fullname)/$delta")
    # The new delta link starts after these changes: nothing more to see.
    again = org.client().get(body["@odata.deltaLink"]).json()
    assert again["value"] == []


def test_the_first_query_pages_and_only_the_last_page_has_the_delta_link(org):
    client = org.client()
    first = client.get(
        f"{API}/accounts", params={"$select": "name"}, headers={"Prefer": "odata.track-changes,odata.maxpagesize=2"}
    ).json()
    assert "@odata.nextLink" in first and "@odata.deltaLink" not in first
    body = first
    while "@odata.nextLink" in body:
        body = client.get(body["@odata.nextLink"], headers={"Prefer": "odata.track-changes,odata.maxpagesize=2"}).json()
    assert "@odata.deltaLink" in body


def test_change_tracking_refuses_filters_and_tables_without_it(org):
    client = org.client()
    filtered = client.get(f"{API}/contacts", params={"$filter": "lastname eq 'x'"}, headers=TRACK)
    assert filtered.status_code == 400
    untracked = client.get(f"{API}/solutions", headers=TRACK)
    assert untracked.status_code == 400 and "change tracking" in untracked.json()["error"]["message"]
    tables = client.get(
        f"{API}/EntityDefinitions", params={"$select": "LogicalName", "$filter": "ChangeTrackingEnabled eq true"}
    ).json()
    assert {"account", "contact", "invoice", "invoicedetail", "product"} <= {t["LogicalName"] for t in tables["value"]}
