"""Products: what invoice lines sell. A new product gets the organisation's default unit group and unit, as
the product form pre-fills them. A product's page shows its Xero item and sync attempts below the form."""

from __future__ import annotations

from typing import Any

from dxsandbox.microsoft.ui.forms import Input, number
from dxsandbox.microsoft.ui.layout import text_input
from dxsandbox.microsoft.ui.records import Extra, Field, RecordPages
from dxsandbox.microsoft.ui.visits import Visit
from dxsandbox.microsoft.ui.xero_links import PRODUCT_PANELS, panels


def default_unit(visit: Visit) -> dict[str, Any]:
    """The first unit group (by name) and its base unit, as lookups a new product writes."""
    schedules = visit.api.rows("uomschedules", select=["name"], orderby="name asc", top=1)
    if not schedules:
        return {}
    schedule_id = schedules[0]["uomscheduleid"]
    units = visit.api.rows(
        "uoms", select=["name"], filter=f"_uomscheduleid_value eq {schedule_id} and isschedulebaseuom eq true", top=1
    )
    values = {"defaultuomscheduleid@odata.bind": f"/uomschedules({schedule_id})"}
    if units:
        values["defaultuomid@odata.bind"] = f"/uoms({units[0]['uomid']})"
    return values


def _render_price(visit: Visit, values: dict[str, str]) -> str:
    return text_input("price", "List Price", values.get("price", ""), extra=" inputmode='decimal'")


def _current_price(row: dict[str, Any]) -> dict[str, str]:
    return {"price": "" if row.get("price") is None else f"{row['price']:.2f}"}


def _price_values(visit: Visit, data: Input, creating: bool) -> dict[str, Any]:
    price = number(data.field("price"), "List Price")
    return {} if price is None and creating else {"price": price}


PRODUCTS = RecordPages(
    area="products",
    singular="Product",
    primary_id="productid",
    primary_name="name",
    name_field="name",
    name_header="Name",
    columns=(("productnumber", "Product ID"), ("price", "List Price"), ("statecode", "Status"), ("modifiedon", "Modified On")),
    fields=(Field("name", "Name"), Field("productnumber", "Product ID"), Field("description", "Description", "memo")),
    extras=(Extra(_render_price, _current_price, _price_values),),
    on_create=default_unit,
    panels=panels(PRODUCT_PANELS),
)
