"""An invoice's products (invoice lines): the grid and the add form on the invoice's page, and a line's own
page to edit or remove it.

A line is an existing product (its list price, unless a price is entered: that overrides it) or a
write-in product (a description and a price); either may carry a manual discount. Amounts and the
invoice's totals are what the Web API derives.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from starlette.responses import Response

from dxsandbox.microsoft.ui.forms import Input, number, required
from dxsandbox.microsoft.ui.gateway import ActingUser, Refused, formatted
from dxsandbox.microsoft.ui.layout import form, grid, refusal, select, text_input
from dxsandbox.microsoft.ui.visits import Handler, Visit

AREA = "invoices"
LINE_SET = "invoicedetails"
CHOICES_SIZE = 500
LINE_COLUMNS = [
    "lineitemnumber",
    "productdescription",
    "isproductoverridden",
    "ispriceoverridden",
    "priceperunit",
    "quantity",
    "baseamount",
    "manualdiscountamount",
    "extendedamount",
    "_productid_value",
    "_invoiceid_value",
]
AMOUNTS = ("priceperunit", "quantity", "baseamount", "manualdiscountamount", "extendedamount")


def routes() -> list[tuple[str, list[str], Handler]]:
    return [
        (f"/{AREA}/{{id}}/lines/{{line}}", ["GET"], line_page),
        (f"/{AREA}/{{id}}/lines/{{line}}", ["POST"], save_line),
        (f"/{AREA}/{{id}}/lines/{{line}}/delete", ["POST"], remove_line),
    ]


def invoice_lines(api: ActingUser, invoice_id: str) -> list[dict[str, Any]]:
    return api.rows(LINE_SET, select=LINE_COLUMNS, filter=f"_invoiceid_value eq {invoice_id}", orderby="lineitemnumber asc")


def product_name(line: dict[str, Any]) -> str:
    if line.get("isproductoverridden"):
        return f"{line.get('productdescription') or ''} (write-in)"
    return formatted(line, "_productid_value")


def _line_row(visit: Visit, invoice_id: str, line: dict[str, Any], active: bool) -> str:
    line_id = line["invoicedetailid"]
    amounts = "".join(
        f"<td class='amount' data-field='{name}' data-amount='{line.get(name) or 0}'>{escape(formatted(line, name))}</td>"
        for name in AMOUNTS
    )
    actions = ""
    if active:
        actions = (
            f"<a href='{escape(visit.path(AREA, invoice_id, 'lines', line_id))}'>Edit</a> "
            f"<form method='post' action='{escape(visit.path(AREA, invoice_id, 'lines', line_id, 'delete'))}' class='inline'>"
            f"<button type='submit' class='secondary'>Remove</button></form>"
        )
    return (
        f"<tr data-line-id='{escape(line_id)}'><td>{escape(formatted(line, 'lineitemnumber'))}</td>"
        f"<td data-field='product'>{escape(product_name(line))}</td>{amounts}<td>{actions}</td></tr>"
    )


def product_choices(api: ActingUser) -> list[tuple[str, str]]:
    rows = api.rows("products", select=["name", "productnumber"], filter="statecode eq 0", orderby="name asc", top=CHOICES_SIZE)
    return [(row["productid"], f"{formatted(row, 'name')} ({formatted(row, 'productnumber')})") for row in rows]


def add_form(visit: Visit, invoice_id: str, values: dict[str, str]) -> str:
    fields = (
        select(
            "productid",
            "Existing Product",
            product_choices(visit.api),
            values.get("productid", ""),
            blank="(none: a write-in product)",
        )
        + text_input("productdescription", "Write-In Product", values.get("productdescription", ""))
        + text_input("quantity", "Quantity", values.get("quantity", "1"), extra=" inputmode='decimal'")
        + text_input(
            "priceperunit",
            "Price Per Unit",
            values.get("priceperunit", ""),
            extra=" inputmode='decimal' placeholder='the product&#39;s list price'",
        )
        + text_input(
            "manualdiscountamount", "Manual Discount", values.get("manualdiscountamount", ""), extra=" inputmode='decimal'"
        )
    )
    return form(visit.path(AREA, invoice_id, "lines"), fields, "Add product", form_id="add-line")


def line_section(visit: Visit, invoice_id: str, active: bool, values: dict[str, str]) -> str:
    rows = (_line_row(visit, invoice_id, line, active) for line in invoice_lines(visit.api, invoice_id))
    lines = grid(
        ["#", "Product", "$Price Per Unit", "$Quantity", "$Amount", "$Manual Discount", "$Extended Amount", ""],
        rows,
        empty="No products yet.",
        grid_id="lines",
    )
    adding = f"<h2>Add a product</h2>{add_form(visit, invoice_id, values)}" if active else ""
    return f"<section class='panel'><h2>Products</h2>{lines}{adding}</section>"


# --- values ----------------------------------------------------------------------------------------


def _amounts(data: Input) -> tuple[float, float | None, float | None]:
    quantity = number(required(data.field("quantity"), "Quantity"), "Quantity")
    return (
        quantity or 0.0,
        number(data.field("priceperunit"), "Price Per Unit"),
        number(data.field("manualdiscountamount"), "Manual Discount"),
    )


def new_line_values(invoice_id: str, data: Input) -> dict[str, Any]:
    quantity, price, discount = _amounts(data)
    product = data.field("productid")
    values: dict[str, Any] = {"invoiceid@odata.bind": f"/invoices({invoice_id})", "quantity": quantity}
    if product:
        values.update({"productid@odata.bind": f"/products({product})", "ispriceoverridden": price is not None})
    else:
        description = data.field("productdescription")
        if not description:
            raise Refused("Choose an existing product, or enter a write-in product's description.")
        if price is None:
            raise Refused("Price Per Unit: provide a value for a write-in product.")
        values.update({"isproductoverridden": True, "productdescription": description})
    if price is not None:
        values["priceperunit"] = price
    if discount is not None:
        values["manualdiscountamount"] = discount
    return values


def line_update_values(line: dict[str, Any], data: Input) -> dict[str, Any]:
    quantity, price, discount = _amounts(data)
    values: dict[str, Any] = {"quantity": quantity, "manualdiscountamount": discount}
    if line.get("isproductoverridden"):
        values["productdescription"] = required(data.field("productdescription"), "Write-In Product")
        values["priceperunit"] = number(required(data.field("priceperunit"), "Price Per Unit"), "Price Per Unit")
    elif price is None:
        values["ispriceoverridden"] = False  # back to the product's list price
    else:
        values.update({"ispriceoverridden": True, "priceperunit": price})
    return values


def line_form_values(line: dict[str, Any]) -> dict[str, str]:
    def text(name: str) -> str:
        value = line.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return format(Decimal(str(value)).normalize(), "f")
        return "" if value is None else str(value)

    shown_price = line.get("isproductoverridden") or line.get("ispriceoverridden")
    return {
        "quantity": text("quantity"),
        "manualdiscountamount": text("manualdiscountamount"),
        "priceperunit": text("priceperunit") if shown_price else "",
        "productdescription": text("productdescription"),
    }


# --- a line's page -----------------------------------------------------------------------------------


def _line(visit: Visit, data: Input) -> dict[str, Any]:
    line = visit.api.row(LINE_SET, data.params["line"], LINE_COLUMNS)
    if line.get("_invoiceid_value") != data.params["id"]:
        raise Refused(f"invoicedetail With Id = {data.params['line']} Does Not Exist", 404)
    return line


def line_page(visit: Visit, data: Input, error: Refused | None = None) -> Response:
    line = _line(visit, data)
    values = data.form if error else line_form_values(line)
    write_in = bool(line.get("isproductoverridden"))
    fields = (
        text_input("product", "Existing Product", "" if write_in else formatted(line, "_productid_value"), extra=" disabled")
        + (text_input("productdescription", "Write-In Product", values.get("productdescription", "")) if write_in else "")
        + text_input("quantity", "Quantity", values.get("quantity", ""), extra=" inputmode='decimal'")
        + text_input(
            "priceperunit",
            "Price Per Unit",
            values.get("priceperunit", ""),
            extra=" inputmode='decimal'" + ("" if write_in else " placeholder='the product&#39;s list price'"),
        )
        + text_input(
            "manualdiscountamount", "Manual Discount", values.get("manualdiscountamount", ""), extra=" inputmode='decimal'"
        )
    )
    back = visit.path(AREA, data.params["id"])
    body = (
        f"<p class='muted'>Invoice Product</p><h1>{escape(product_name(line))}</h1>"
        + (refusal(error) if error else "")
        + form(visit.path(AREA, data.params["id"], "lines", data.params["line"]), fields, "Save", form_id="line-form")
        + f"<p><a href='{escape(back)}'>Back to the invoice</a></p>"
    )
    return visit.page(AREA, "Invoice Product", body, status=error.status if error else 200)


def save_line(visit: Visit, data: Input) -> Response:
    line = _line(visit, data)
    try:
        visit.api.update(LINE_SET, data.params["line"], line_update_values(line, data), current=line)
    except Refused as error:
        return line_page(visit, data, error)
    return visit.redirect(AREA, data.params["id"], notice="Invoice product saved; the totals were recalculated.")


def remove_line(visit: Visit, data: Input) -> Response:
    _line(visit, data)
    visit.api.delete(LINE_SET, data.params["line"])
    return visit.redirect(AREA, data.params["id"], notice="Invoice product removed; the totals were recalculated.")
