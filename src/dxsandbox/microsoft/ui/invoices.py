"""Invoices: the grid, the new-invoice form, and an invoice's page (its header, its products, its totals, its
payments from Xero once the connector's solution is installed, and its status). Totals are never computed here: they are the invoice's own columns, as the Web API derives them.

When the connector's managed solution is installed (its columns exist on `invoice`), the forms also offer
the Xero columns a person fills in: the connection, the Xero invoice type and the line amount types.
"""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.responses import Response

from dxsandbox.microsoft.dataverse.tables import LOOKUP, PICKLIST, Column
from dxsandbox.microsoft.ui.customers import customer_bind, customer_choices, lookup_value
from dxsandbox.microsoft.ui.forms import Input, day, option, required
from dxsandbox.microsoft.ui.gateway import ActingUser, Refused, formatted, quoted
from dxsandbox.microsoft.ui.layout import cells, form, grid, link, refusal, search_box, select, text_area, text_input
from dxsandbox.microsoft.ui.lines import LINE_SET, line_section, new_line_values
from dxsandbox.microsoft.ui.visits import Handler, Visit
from dxsandbox.microsoft.ui.xero_links import INVOICE_PANELS, panels

AREA = "invoices"
LIST_SIZE = 250
CHOICES_SIZE = 500
SOLUTION_COLUMNS = ("stl3_connectorid", "stl3_xeroinvoicetype", "stl3_lineamounttypes")
DEFAULT_PRICE_LIST = "Default Price List"
TOTALS = (
    ("totallineitemamount", "Detail Amount"),
    ("totaldiscountamount", "Discount"),
    ("totalamountlessfreight", "Pre-Freight Amount"),
    ("freightamount", "Freight Amount"),
    ("totaltax", "Total Tax"),
    ("totalamount", "Total Amount"),
)
PAID, CANCELED = "2:100001", "3:100003"


def routes() -> list[tuple[str, list[str], Handler]]:
    return [
        (f"/{AREA}", ["GET"], list_page),
        (f"/{AREA}", ["POST"], create),
        (f"/{AREA}/new", ["GET"], new_page),
        (f"/{AREA}/{{id}}", ["GET"], invoice_page),
        (f"/{AREA}/{{id}}", ["POST"], save),
        (f"/{AREA}/{{id}}/status", ["POST"], change_status),
        (f"/{AREA}/{{id}}/lines", ["POST"], add_line),
    ]


# --- the grid ---------------------------------------------------------------------------------------


def list_page(visit: Visit, data: Input) -> Response:
    query = data.query.get("q", "").strip()
    rows = visit.api.rows(
        AREA,
        select=["name", "invoicenumber", "_customerid_value", "totalamount", "statuscode", "modifiedon"],
        filter=f"contains(name,{quoted(query)})" if query else None,
        orderby="modifiedon desc",
        top=LIST_SIZE,
    )
    lines = (
        f"<tr data-id='{escape(row['invoiceid'])}'>"
        + cells(
            link(visit.path(AREA, row["invoiceid"]), formatted(row, "name")),
            escape(formatted(row, "invoicenumber")),
            escape(formatted(row, "_customerid_value")),
        )
        + f"<td class='amount' data-amount='{row.get('totalamount') or 0}'>{escape(formatted(row, 'totalamount'))}</td>"
        + cells(escape(formatted(row, "statuscode")), escape(formatted(row, "modifiedon")))
        + "</tr>"
        for row in rows
    )
    body = (
        "<h1>Active Invoices</h1>"
        + search_box(visit.path(AREA), "Search invoices", query, visit.path(AREA, "new"), "New invoice")
        + grid(["Name", "Invoice ID", "Customer", "$Total Amount", "Status Reason", "Modified On"], lines)
    )
    return visit.page(AREA, "Invoices", body)


# --- the header form ----------------------------------------------------------------------------------


def solution_columns(visit: Visit) -> list[Column]:
    table = visit.organisation.table("invoice")
    return [table.columns[name] for name in SOLUTION_COLUMNS if table is not None and name in table.columns]


def _rows_as_choices(api: ActingUser, entity_set: str, primary_id: str, name: str) -> list[tuple[str, str]]:
    rows = api.rows(entity_set, select=[name], orderby=f"{name} asc", top=CHOICES_SIZE)
    return [(row[primary_id], formatted(row, name)) for row in rows]


def _price_lists(api: ActingUser) -> list[dict[str, Any]]:
    return api.rows("pricelevels", select=["name", "_transactioncurrencyid_value"], filter="statecode eq 0", orderby="name asc")


def new_invoice_defaults(visit: Visit) -> dict[str, str]:
    """The default price list and its currency, as the new-invoice form pre-fills them."""
    price_lists = _price_lists(visit.api)
    chosen = next((p for p in price_lists if p.get("name") == DEFAULT_PRICE_LIST), price_lists[0] if price_lists else None)
    if chosen is None:
        return {}
    return {"pricelevelid": chosen["pricelevelid"], "transactioncurrencyid": chosen.get("_transactioncurrencyid_value") or ""}


def _solution_field(visit: Visit, column: Column, values: dict[str, str]) -> str:
    label = column.display_name
    if column.type == PICKLIST:
        return select(column.name, label, [(str(o.value), o.label) for o in column.options], values.get(column.name, ""))
    target = visit.organisation.table(column.targets[0])
    if target is None or target.primary_name is None:
        return ""
    options = _rows_as_choices(visit.api, target.entity_set, target.primary_id, target.primary_name)
    return select(column.name, label, options, values.get(column.name, ""))


def header_fields(visit: Visit, values: dict[str, str], *, creating: bool, currency_name: str = "") -> str:
    customers = {"Accounts": customer_choices(visit.api, "account"), "Contacts": customer_choices(visit.api, "contact")}
    price_lists = [(p["pricelevelid"], formatted(p, "name")) for p in _price_lists(visit.api)]
    if creating:
        currencies = _rows_as_choices(visit.api, "transactioncurrencies", "transactioncurrencyid", "currencyname")
        currency = select("transactioncurrencyid", "Currency", currencies, values.get("transactioncurrencyid", ""))
    else:
        currency = text_input("currency", "Currency", currency_name, extra=" disabled")
    fields = (
        text_input("name", "Name", values.get("name", ""))
        + select("customerid", "Customer", [], values.get("customerid", ""), groups=customers)
        + currency
        + select("pricelevelid", "Price List", price_lists, values.get("pricelevelid", ""))
        + text_input("datedelivered", "Date Delivered", values.get("datedelivered", ""), kind="date")
        + text_input("duedate", "Due Date", values.get("duedate", ""), kind="date")
    )
    extra = "".join(_solution_field(visit, column, values) for column in solution_columns(visit))
    if extra:
        fields += f"<h2 class='wide'>Xero</h2>{extra}"
    return fields + text_area("description", "Description", values.get("description", ""))


def header_values(visit: Visit, data: Input, *, creating: bool) -> dict[str, Any]:
    values: dict[str, Any] = {"name": required(data.field("name"), "Name")}
    values.update(customer_bind("customerid", required(data.field("customerid"), "Customer"), "Customer", creating=creating))
    if creating and data.field("transactioncurrencyid"):
        values["transactioncurrencyid@odata.bind"] = f"/transactioncurrencies({data.field('transactioncurrencyid')})"
    price_list = data.field("pricelevelid")
    if price_list or not creating:
        values["pricelevelid@odata.bind"] = f"/pricelevels({price_list})" if price_list else None
    for name, label in (("datedelivered", "Date Delivered"), ("duedate", "Due Date")):
        when = day(data.field(name), label)
        if when or not creating:
            values[name] = when
    if data.field("description") or not creating:
        values["description"] = data.field("description") or None
    for column in solution_columns(visit):
        values.update(_solution_value(visit, column, data.field(column.name), creating=creating))
    return values


def _solution_value(visit: Visit, column: Column, value: str, *, creating: bool) -> dict[str, Any]:
    if column.type == PICKLIST:
        chosen = option(value, column.display_name, {o.value for o in column.options})
        return {} if chosen is None and creating else {column.name: chosen}
    invoice, target = visit.organisation.table("invoice"), visit.organisation.table(column.targets[0])
    navigation = invoice.navigation_for(column.name, column.targets[0]) if invoice and column.type == LOOKUP else None
    if target is None or navigation is None or (not value and creating):
        return {}
    return {f"{navigation}@odata.bind": f"/{target.entity_set}({value})" if value else None}


def current_values(visit: Visit, row: dict[str, Any]) -> dict[str, str]:
    values = {name: str(row.get(name) or "") for name in ("name", "description")}
    values.update(
        customerid=lookup_value(row, "customerid"),
        pricelevelid=str(row.get("_pricelevelid_value") or ""),
        datedelivered=str(row.get("datedelivered") or "")[:10],
        duedate=str(row.get("duedate") or "")[:10],
    )
    for column in solution_columns(visit):
        value = row.get(f"_{column.name}_value") if column.type == LOOKUP else row.get(column.name)
        values[column.name] = "" if value is None else str(value)
    return values


# --- new invoice --------------------------------------------------------------------------------------


def new_page(visit: Visit, data: Input, error: Refused | None = None) -> Response:
    values = data.form if error else new_invoice_defaults(visit)
    body = (
        "<h1>New Invoice</h1>"
        + (refusal(error) if error else "")
        + form(visit.path(AREA), header_fields(visit, values, creating=True), "Save", form_id="invoice-form")
    )
    return visit.page(AREA, "New Invoice", body, status=error.status if error else 200)


def create(visit: Visit, data: Input) -> Response:
    try:
        new_id = visit.api.create(AREA, header_values(visit, data, creating=True))
    except Refused as error:
        return new_page(visit, data, error)
    return visit.redirect(AREA, new_id, notice="Invoice created. Add its products below.")


# --- one invoice ----------------------------------------------------------------------------------------


def invoice_page(
    visit: Visit,
    data: Input,
    error: Refused | None = None,
    *,
    header_form: dict[str, str] | None = None,
    line_form: dict[str, str] | None = None,
) -> Response:
    """The invoice; after a refused change, with the message and the form that was sent, as it was filled in."""
    invoice_id = data.params["id"]
    row = visit.api.row(AREA, invoice_id)
    active = row.get("statecode") == 0
    values = header_form if header_form is not None else current_values(visit, row)
    title = formatted(row, "name") or "(no name)"
    body = (
        "<p class='muted'>Invoice</p>"
        + f"<h1>{escape(title)}</h1>"
        + (refusal(error) if error else "")
        + summary(row)
        + form(
            visit.path(AREA, invoice_id),
            header_fields(visit, values, creating=False, currency_name=formatted(row, "_transactioncurrencyid_value")),
            "Save",
            form_id="invoice-form",
            read_only=not active,
        )
        + line_section(visit, invoice_id, active, line_form or {})
        + totals(row)
        + "".join(panel(visit, invoice_id) for panel in panels(INVOICE_PANELS))
        + status_section(visit, row)
    )
    return visit.page(AREA, title, body, status=error.status if error else 200)


def summary(row: dict[str, Any]) -> str:
    items = (
        ("Invoice ID", formatted(row, "invoicenumber")),
        ("Status", formatted(row, "statecode")),
        ("Status Reason", formatted(row, "statuscode")),
        ("Modified On", formatted(row, "modifiedon")),
    )
    return (
        "<div class='summary'>"
        + "".join(
            f"<div><div class='label'>{label}</div><div data-field='{key}'>{escape(value)}</div></div>"
            for (label, value), key in zip(items, ("invoicenumber", "statecode", "statuscode", "modifiedon"), strict=True)
        )
        + "</div>"
    )


def totals(row: dict[str, Any]) -> str:
    lines = "".join(
        f"<tr{' class=total' if name == 'totalamount' else ''}><th>{label}</th>"
        f"<td class='amount' data-field='{name}' data-amount='{row.get(name) or 0}'"
        f"{' id=invoice-total' if name == 'totalamount' else ''}>{escape(formatted(row, name) or '—')}</td></tr>"
        for name, label in TOTALS
    )
    return f"<section class='panel'><h2>Totals</h2><table class='totals' id='totals'>{lines}</table></section>"


def status_section(visit: Visit, row: dict[str, Any]) -> str:
    table = visit.organisation.table("invoice")
    states = {o.value: o.label for o in table.columns["statecode"].options} if table else {}
    reasons = [
        (f"{o.state}:{o.value}", f"{states.get(o.state, o.state)}: {o.label}")
        for o in (table.columns["statuscode"].options if table else ())
        if o.state != 1
    ]  # state 1 is deprecated
    current = f"{row.get('statecode')}:{row.get('statuscode')}"
    action = visit.path(AREA, row["invoiceid"], "status")
    quick = (
        ""
        if row.get("statecode") != 0
        else f"<form method='post' action='{escape(action)}' class='inline'><button type='submit' name='status' value='{PAID}'>"
        f"Mark as Paid</button> <button type='submit' name='status' value='{CANCELED}' class='secondary'>Cancel Invoice</button></form>"
    )
    change = form(action, select("status", "Status Reason", reasons, current, blank=None), "Change status", form_id="status-form")
    return f"<section class='panel'><h2>Status</h2>{quick}{change}</section>"


def save(visit: Visit, data: Input) -> Response:
    current = visit.api.row(AREA, data.params["id"])
    try:
        visit.api.update(AREA, data.params["id"], header_values(visit, data, creating=False), current=current)
    except Refused as error:
        return invoice_page(visit, data, error, header_form=data.form)
    return visit.redirect(AREA, data.params["id"], notice="Invoice saved.")


def change_status(visit: Visit, data: Input) -> Response:
    state, _, status = data.field("status").partition(":")
    try:
        if not (state.isdigit() and status.isdigit()):
            raise Refused("Status Reason: choose one of the options listed.")
        visit.api.update(AREA, data.params["id"], {"statecode": int(state), "statuscode": int(status)})
    except Refused as error:
        return invoice_page(visit, data, error)
    return visit.redirect(AREA, data.params["id"], notice="Invoice status changed.")


def add_line(visit: Visit, data: Input) -> Response:
    try:
        visit.api.create(LINE_SET, new_line_values(data.params["id"], data))
    except Refused as error:
        return invoice_page(visit, data, error, line_form=data.form)
    return visit.redirect(AREA, data.params["id"], notice="Product added; the totals were recalculated.")
