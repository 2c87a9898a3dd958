"""Items: codes unique and at most 30 characters, sales and purchase details, unitdp."""

from __future__ import annotations

from tests.sandbox.xero_api.client import unique


def new_item(api, **fields):
    return api.created("Items", {"Code": unique("I")[:30], "Name": "Widget", **fields})


def test_it_creates_an_item_with_sales_and_purchase_details(api):
    item = new_item(
        api,
        Description="A widget",
        SalesDetails={"UnitPrice": 12.5, "AccountCode": "200", "TaxType": "OUTPUT2"},
        PurchaseDetails={"UnitPrice": 7, "AccountCode": "300"},
    )
    assert item["SalesDetails"] == {"UnitPrice": 12.5, "AccountCode": "200", "TaxType": "OUTPUT2"}
    assert (item["IsSold"], item["IsPurchased"], item["IsTrackedAsInventory"]) == (True, True, False)
    assert api.get(f"/Items/{item['ItemID']}").json()["Items"] == [item]
    assert api.get(f"/Items/{item['Code']}").json()["Items"] == [item]


def test_it_rejects_a_duplicate_code(api):
    item = new_item(api)
    response = api.put("/Items", json={"Items": [{"Code": item["Code"].lower(), "Name": "Copy"}]})
    assert response.status_code == 400
    assert response.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": f"Item code '{item['Code'].lower()}' already exists."}
    ]


def test_it_rejects_a_code_longer_than_thirty_characters(api):
    response = api.put("/Items", json={"Items": [{"Code": "X" * 31}]})
    assert response.json()["Elements"][0]["ValidationErrors"] == [{"Message": "Code must not be more than 30 characters long."}]


def test_it_rejects_an_unknown_account_code(api):
    response = api.put("/Items", json={"Items": [{"Code": unique("I")[:30], "SalesDetails": {"AccountCode": "999"}}]})
    assert "Account code '999'" in response.text


def test_post_updates_the_item_with_that_code(api):
    item = new_item(api)
    [updated] = api.post("/Items", json={"Items": [{"Code": item["Code"], "Name": "Renamed"}]}).json()["Items"]
    assert (updated["ItemID"], updated["Name"]) == (item["ItemID"], "Renamed")


def test_an_item_no_longer_sold_loses_its_sales_details(api):
    item = new_item(api, Description="Sold", SalesDetails={"UnitPrice": 3})
    [updated] = api.post(f"/Items/{item['ItemID']}", json={"Items": [{"IsSold": False}]}).json()["Items"]
    assert updated["IsSold"] is False and "SalesDetails" not in updated and "Description" not in updated


def test_unit_prices_have_four_decimals_only_with_unitdp_4(api):
    item = new_item(api, SalesDetails={"UnitPrice": 1.23456})
    assert item["SalesDetails"]["UnitPrice"] == 1.23
    wide = api.post(
        "/Items", params={"unitdp": 4}, json={"Items": [{"Code": item["Code"], "SalesDetails": {"UnitPrice": 1.23456}}]}
    )
    assert wide.json()["Items"][0]["SalesDetails"]["UnitPrice"] == 1.2346
    assert api.get(f"/Items/{item['ItemID']}", params={"unitdp": 4}).json()["Items"][0]["SalesDetails"]["UnitPrice"] == 1.2346
    assert api.get(f"/Items/{item['ItemID']}").json()["Items"][0]["SalesDetails"]["UnitPrice"] == 1.23


def test_tracked_inventory_needs_an_inventory_account_and_a_cogs_account(api):
    missing = api.put("/Items", json={"Items": [{"Code": unique("T")[:30], "InventoryAssetAccountCode": "630"}]})
    assert "COGSAccountCode is required" in missing.text
    item = new_item(api, InventoryAssetAccountCode="630", PurchaseDetails={"COGSAccountCode": "310"})
    assert (item["IsTrackedAsInventory"], item["QuantityOnHand"]) == (True, 0)


def test_items_filter_with_where(api):
    item = new_item(api, IsPurchased=False)
    found = api.get("/Items", params={"where": f'Code=="{item["Code"]}" AND IsPurchased==false'}).json()["Items"]
    assert [found_item["ItemID"] for found_item in found] == [item["ItemID"]]
    assert "pagination" not in api.get("/Items", params={"page": 1}).json()


def test_deleting_an_item(api):
    item = new_item(api)
    assert api.delete(f"/Items/{item['ItemID']}").status_code == 204
    assert api.get(f"/Items/{item['ItemID']}").status_code == 404
