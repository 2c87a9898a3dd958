"""CreateMultiple, UpdateMultiple, UpsertMultiple (all or nothing) and BulkDelete."""

from __future__ import annotations

import uuid

from tests.sandbox.dataverse.conftest import API

ACCOUNT = "Microsoft.Dynamics.CRM.account"


def test_create_multiple_returns_the_new_ids_in_order(org):
    tag = uuid.uuid4().hex[:6]
    response = org.client().post(
        f"{API}/accounts/Microsoft.Dynamics.CRM.CreateMultiple",
        json={"Targets": [{"@odata.type": ACCOUNT, "name": f"{tag} {n}"} for n in range(3)]},
    )
    assert response.status_code == 200
    ids = response.json()["Ids"]
    assert [org.api.get("account", i)["name"] for i in ids] == [f"{tag} {n}" for n in range(3)]


def test_create_multiple_rolls_back_every_target_when_one_fails(org):
    tag = uuid.uuid4().hex[:6]
    response = org.client().post(
        f"{API}/accounts/Microsoft.Dynamics.CRM.CreateMultiple",
        json={"Targets": [{"@odata.type": ACCOUNT, "name": f"{tag} ok"}, {"@odata.type": ACCOUNT, "name": "x" * 500}]},
    )
    assert response.status_code == 400
    assert org.api.list("account", filter=f"startswith(name,'{tag}')") == []


def test_targets_must_name_their_type(org):
    response = org.client().post(f"{API}/accounts/Microsoft.Dynamics.CRM.CreateMultiple", json={"Targets": [{"name": "untyped"}]})
    assert response.status_code == 400 and "@odata.type" in response.json()["error"]["message"]


def test_update_multiple_changes_rows_by_primary_key(org):
    rows = [org.api.create("account", {"name": f"U{n}"}) for n in range(2)]
    response = org.client().post(
        f"{API}/accounts/Microsoft.Dynamics.CRM.UpdateMultiple",
        json={
            "Targets": [
                {"@odata.type": ACCOUNT, "accountid": row["accountid"], "telephone1": f"+1 {n}"} for n, row in enumerate(rows)
            ]
        },
    )
    assert response.status_code == 204
    assert [org.api.get("account", row["accountid"])["telephone1"] for row in rows] == ["+1 0", "+1 1"]


def test_upsert_multiple_creates_and_updates_by_alternate_key(org):
    client = org.client()
    client.post(
        f"{API}/EntityDefinitions(LogicalName='product')/Keys", json={"SchemaName": "dxc_sku", "KeyAttributes": ["productnumber"]}
    )
    existing = f"SKU-{uuid.uuid4().hex[:6]}"
    org.api.create("product", {"name": "Alt", "productnumber": existing})
    fresh = f"SKU-{uuid.uuid4().hex[:6]}"
    response = client.post(
        f"{API}/products/Microsoft.Dynamics.CRM.UpsertMultiple",
        json={
            "Targets": [
                {
                    "@odata.type": "Microsoft.Dynamics.CRM.product",
                    "@odata.id": f"products(productnumber='{existing}')",
                    "name": "Alt (updated)",
                },
                {
                    "@odata.type": "Microsoft.Dynamics.CRM.product",
                    "@odata.id": f"products(productnumber='{fresh}')",
                    "name": "Brand-new Äpfel",
                },
            ]
        },
    )
    assert response.status_code == 204, response.text
    found = {
        p["productnumber"]: p["name"]
        for p in org.api.list("product", filter=f"productnumber eq '{existing}' or productnumber eq '{fresh}'")
    }
    assert found == {existing: "Alt (updated)", fresh: "Brand-new Äpfel"}


def test_bulk_delete_removes_the_matching_rows_and_records_a_completed_job(org):
    rows = [org.api.create("account", {"name": f"Delete me {n}"}) for n in range(2)]
    response = org.client().post(
        f"{API}/BulkDelete",
        json={
            "JobName": "cleanup",
            "QuerySet": [
                {
                    "EntityName": "account",
                    "Criteria": {
                        "FilterOperator": "And",
                        "Conditions": [
                            {
                                "AttributeName": "accountid",
                                "Operator": "In",
                                "Values": [{"Value": r["accountid"], "Type": "System.Guid"} for r in rows],
                            }
                        ],
                    },
                }
            ],
        },
    )
    assert response.status_code == 200
    job = org.api.get("asyncoperation", response.json()["JobId"])
    assert (job["statecode"], job["statuscode"]) == (3, 30)
    assert all(org.api.get("account", r["accountid"]) is None for r in rows)
