from dataclasses import replace
from decimal import Decimal as D

import pytest

from dxconnector.domain.mapping.item import (
    ItemPlan,
    catalogue_products,
    item_hash,
    item_patch,
    item_plan,
    item_values,
    product_values,
    xero_item,
)
from dxconnector.domain.records import (
    BundleRole,
    ConnectionSettings,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    DynamicsProduct,
)
from dxconnector.domain.rules import RuleViolation, Why

SETTINGS = ConnectionSettings(
    create_new_products=True, default_sales_account_code="200", default_purchase_account_code="400", default_tax_type="OUTPUT2"
)
WIDGET = DynamicsProduct(
    "p1", "WIDGET-1", "Widget", description="A blue widget", price=D("12.50"), account_code="210", tax_type="OUTPUT"
)


def test_a_product_becomes_this_exact_xero_item():
    assert xero_item(WIDGET, SETTINGS).to_xero() == {
        "Code": "WIDGET-1",
        "Name": "Widget",
        "Description": "A blue widget",
        "SalesDetails": {"UnitPrice": D("12.50"), "AccountCode": "210", "TaxType": "OUTPUT"},
        "PurchaseDetails": {"AccountCode": "400"},
    }


@pytest.mark.parametrize(
    ("product", "settings", "expected"),
    [
        (
            replace(WIDGET, account_code=None, tax_type=None),
            SETTINGS,
            {"Sales": {"UnitPrice": D("12.50"), "AccountCode": "200", "TaxType": "OUTPUT2"}, "Purchase": {"AccountCode": "400"}},
        ),
        (replace(WIDGET, account_code=None, tax_type=None, price=None), ConnectionSettings(), {"Sales": None, "Purchase": None}),
    ],
)
def test_item_details_fall_back_to_the_connections_defaults(product, settings, expected):
    sent = xero_item(product, settings).to_xero()
    assert sent.get("SalesDetails") == expected["Sales"]
    assert sent.get("PurchaseDetails") == expected["Purchase"]


@pytest.mark.parametrize(
    ("product", "name", "description"),
    [
        (replace(WIDGET, name="Widget " * 20), "Widget " * 7 + "W", "A blue widget"),  # Xero: 50 characters
        (replace(WIDGET, description=""), "Widget", "Widget"),
        (replace(WIDGET, name="Ōtautahi café set", description="Für die Küche"), "Ōtautahi café set", "Für die Küche"),
        (replace(WIDGET, name=""), "WIDGET-1", "A blue widget"),
    ],
)
def test_item_names_and_descriptions(product, name, description):
    item = xero_item(product, SETTINGS)
    assert (item.name, item.description) == (name, description)


@pytest.mark.parametrize("number", ["", "   ", "X" * 31])
def test_a_product_without_a_usable_number_is_refused(number):
    with pytest.raises(RuleViolation) as refused:
        xero_item(replace(WIDGET, number=number), SETTINGS)
    assert refused.value.reasons[0].code is Why.BAD_ITEM_CODE


def test_an_update_names_the_xero_item():
    assert xero_item(WIDGET, SETTINGS, item_id="item-1").to_xero()["ItemID"] == "item-1"


BOLT = DynamicsProduct("p2", "BOLT", "Bolt")


def line(id, product, **changes):
    return DynamicsInvoiceLine(id, product=product, **{"quantity": D(1), "price_per_unit": D(1), **changes})


INVOICE = DynamicsInvoice(
    "i",
    lines=(
        line("a", WIDGET),
        line("b", BOLT),
        line("c", WIDGET),  # the widget once
        line("d", DynamicsProduct("p3", "TEXT-ONLY", "Note"), quantity=D(0), price_per_unit=D(0)),
        line("e", DynamicsProduct("p4", "PART", "Part"), bundle_role=BundleRole.COMPONENT, parent_bundle_line_id="a"),
        line("f", None, is_write_in=True, write_in_description="Labour"),
    ),
)


def test_the_catalogue_products_are_those_of_product_lines_once_each():
    # Not the text-only line's product, nor the component of a bundle that goes whole.
    assert sorted(catalogue_products([INVOICE, INVOICE])) == ["p1", "p2"]


def test_products_are_matched_to_xeros_items_by_code_or_created_when_allowed():
    plan = item_plan([WIDGET, BOLT], {"widget-1": "x-widget"}, {}, SETTINGS)
    assert (plan.matched, list(plan.to_create), plan.problems) == ({WIDGET.id: "x-widget"}, [BOLT.id], {})
    plan = item_plan([WIDGET, BOLT], {"widget-1": "x-widget"}, {}, ConnectionSettings(create_new_products=False))
    assert (plan.matched, list(plan.to_create), plan.problems) == ({WIDGET.id: "x-widget"}, [], {})


def test_an_item_linked_to_another_product_is_never_taken():
    spaced = DynamicsProduct("p9", " widget-1", "Widget (old)")
    plan = item_plan([spaced], {"widget-1": "x-widget"}, {"x-widget": WIDGET.id}, SETTINGS)
    assert (plan.matched, plan.to_create) == ({}, {})
    assert plan.problems[spaced.id].code is Why.AMBIGUOUS_ITEM and WIDGET.id in plan.problems[spaced.id].text


@pytest.mark.parametrize("found", [{}, {"widget-1": "x-widget"}])
def test_two_products_that_would_be_one_item_are_both_held_naming_each_other(found):
    twin = DynamicsProduct("p9", " Widget-1 ", "Widget (old)")
    plan = item_plan([WIDGET, twin], found, {}, SETTINGS)
    assert (plan.matched, plan.to_create) == ({}, {})
    assert {product_id: reason.code for product_id, reason in plan.problems.items()} == {
        WIDGET.id: Why.AMBIGUOUS_ITEM,
        twin.id: Why.AMBIGUOUS_ITEM,
    }
    assert twin.id in plan.problems[WIDGET.id].text and WIDGET.id in plan.problems[twin.id].text


def test_a_product_that_cannot_be_an_item_is_left_to_go_as_a_plain_line():
    plan = item_plan([DynamicsProduct("p", "X" * 31, "Long")], {}, {}, SETTINGS)
    assert plan == ItemPlan()


def test_the_item_hash_follows_the_sent_fields_only():
    base = item_hash(xero_item(WIDGET, SETTINGS), b"k")
    assert item_hash(xero_item(WIDGET, SETTINGS, item_id="item-1"), b"k") == base
    assert item_hash(xero_item(replace(WIDGET, version="2"), SETTINGS), b"k") == base
    assert item_hash(xero_item(replace(WIDGET, price=D("13.00")), SETTINGS), b"k") != base


# --- field by field: the product's values and the patch that sends only changed fields ---------------------


def test_a_products_values_are_its_items_fields_and_whether_it_is_active():
    assert product_values(WIDGET, SETTINGS) == {
        "Code": "WIDGET-1",
        "Name": "Widget",
        "Description": "A blue widget",
        "Sales details": "12.5\n210\nOUTPUT",
        "Status": "ACTIVE",
    }


@pytest.mark.parametrize(
    ("product", "field", "value"),
    [
        (replace(WIDGET, price=D("12.500")), "Sales details", "12.5\n210\nOUTPUT"),  # the same price, however written
        (replace(WIDGET, price=None), "Sales details", "\n210\nOUTPUT"),
        (replace(WIDGET, account_code=None, tax_type=None), "Sales details", "12.5\n200\nOUTPUT2"),  # the defaults
        (replace(WIDGET, number=" WIDGET-2 "), "Code", "WIDGET-2"),
        (replace(WIDGET, description=""), "Description", "Widget"),
        (replace(WIDGET, name="Ōtautahi café set"), "Name", "Ōtautahi café set"),
        (replace(WIDGET, state=1), "Status", "RETIRED"),
        (replace(WIDGET, state=2), "Status", "RETIRED"),  # anything but active
    ],
)
def test_product_values(product, field, value):
    assert product_values(product, SETTINGS)[field] == value


def test_a_product_whose_number_cannot_be_a_code_has_no_values():
    with pytest.raises(RuleViolation):
        product_values(replace(WIDGET, number="X" * 31), SETTINGS)


def test_a_product_and_xeros_copy_of_its_item_have_the_same_values():
    xero = {
        "ItemID": "item-1",
        "Code": "WIDGET-1",
        "Name": "Widget",
        "Description": "A blue widget",
        "IsSold": True,
        "SalesDetails": {"UnitPrice": 12.5, "AccountCode": "210", "TaxType": "OUTPUT"},
        "PurchaseDetails": {"AccountCode": "400"},
        "UpdatedDateUTC": "/Date(1773100800000+0000)/",
    }
    ours = product_values(WIDGET, SETTINGS)
    assert item_values(xero) == {name: value for name, value in ours.items() if name != "Status"}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (set(), {}),
        ({"Name"}, {"Name": "Widget"}),
        ({"Description"}, {"Description": "A blue widget"}),
        ({"Sales details"}, {"SalesDetails": {"UnitPrice": D("12.50"), "AccountCode": "210", "TaxType": "OUTPUT"}}),
        ({"Code"}, {}),  # the code goes with every patch
        ({"Status"}, {}),  # Xero's items have no status
        (
            {"Name", "Sales details"},
            {"Name": "Widget", "SalesDetails": {"UnitPrice": D("12.50"), "AccountCode": "210", "TaxType": "OUTPUT"}},
        ),
    ],
)
def test_item_patches_carry_the_item_id_its_code_and_the_changed_fields_only(fields, expected):
    assert item_patch(WIDGET, SETTINGS, "item-1", frozenset(fields)) == {"ItemID": "item-1", "Code": "WIDGET-1", **expected}


def test_a_renumbered_products_patch_changes_the_items_code():
    assert item_patch(replace(WIDGET, number="WIDGET-2"), SETTINGS, "item-1", frozenset({"Code"}))["Code"] == "WIDGET-2"


def test_a_price_removed_sends_sales_details_without_one():
    patch = item_patch(replace(WIDGET, price=None), SETTINGS, "item-1", frozenset({"Sales details"}))
    assert patch["SalesDetails"] == {"AccountCode": "210", "TaxType": "OUTPUT"}
