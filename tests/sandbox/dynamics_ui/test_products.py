"""Products through the app: what invoice lines sell."""

from __future__ import annotations

from tests.sandbox.dynamics_ui.helpers import error_text, field_value, new_id, notices, unique


def test_a_product_is_created_with_the_default_unit_and_edited(person, web_api):
    seller, api = person("sales@oakwood.sandbox"), web_api()
    name = unique("Harakeke basket")
    created = seller.post("products", data={"name": name, "productnumber": "", "price": "39.90", "description": "Hand-woven."})
    product_id = new_id(created)
    assert notices(seller.follow(created)) == ["Product created."]
    row = api.get(
        f"products({product_id})",
        **{"$select": "name,productnumber,price,description,_defaultuomid_value,_defaultuomscheduleid_value"},
    )
    assert (row["name"], row["price"], row["description"]) == (name, 39.9, "Hand-woven.")
    assert row["productnumber"].startswith("PRD-")  # numbered by Dynamics when left empty
    [unit] = api.rows("uoms", **{"$select": "name", "$filter": f"uomid eq {row['_defaultuomid_value']}"})
    assert unit["name"] == "Primary Unit" and row["_defaultuomscheduleid_value"]

    page = seller.get("products", product_id)
    assert (field_value(page, "price"), field_value(page, "productnumber")) == ("39.90", row["productnumber"])
    seller.post(
        "products",
        product_id,
        data={"name": f"{name} (large)", "productnumber": f"HB-{product_id[:6]}", "price": "1,249.5", "description": ""},
    )
    row = api.get(f"products({product_id})", **{"$select": "name,productnumber,price,description"})
    assert (row["name"], row["productnumber"], row["price"], row["description"]) == (
        f"{name} (large)",
        f"HB-{product_id[:6]}",
        1249.5,
        None,
    )


def test_a_price_that_is_not_a_number_is_shown_again_with_the_reason(person):
    response = person("sales@oakwood.sandbox").post("products", data={"name": unique("Pounamu"), "price": "twelve"})
    assert response.status_code == 400
    assert "List Price: enter a number, e.g. 12.50." in error_text(response)
    assert field_value(response, "price") == "twelve"


def test_dynamics_own_validation_is_shown_on_the_form(person):
    seller = person("sales@oakwood.sandbox")
    product_id = new_id(seller.post("products", data={"name": unique("Kete")}))
    too_long = "K" * 101
    refused = seller.post("products", product_id, data={"name": too_long, "productnumber": "", "price": ""})
    assert refused.status_code == 400
    assert (
        "The length of the 'name' attribute of the 'product' entity exceeded the maximum allowed length of '100'."
        in error_text(refused)
    )
    assert field_value(refused, "name") == too_long
