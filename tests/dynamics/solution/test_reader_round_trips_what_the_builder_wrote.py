"""read_solution gives back exactly what the builder was told: tables, columns, choices, lookups, forms, views."""

import pytest

from dxconnector.dynamics.solution import DYNAMICS_XERO_CONNECTOR, build_solution_zip, read_solution
from dxconnector.dynamics.solution.model import Kind

SOLUTION = DYNAMICS_XERO_CONNECTOR
TYPES = {
    Kind.TEXT: "nvarchar",
    Kind.URL: "nvarchar",
    Kind.MEMO: "ntext",
    Kind.WHOLE_NUMBER: "int",
    Kind.DECIMAL: "decimal",
    Kind.MONEY: "money",
    Kind.YES_NO: "bit",
    Kind.DATE_TIME: "datetime",
    Kind.DATE_ONLY: "datetime",
    Kind.CHOICE: "picklist",
    Kind.LOOKUP: "lookup",
}


@pytest.fixture(scope="module")
def package():
    return read_solution(build_solution_zip(SOLUTION))


def test_the_manifest(package):
    assert (package.unique_name, package.display_name, package.version, package.managed) == (
        "DynamicsXeroConnector",
        "Dynamics Xero Connector",
        "1.2.0.0",
        True,
    )
    assert (package.publisher.unique_name, package.publisher.prefix, package.publisher.option_value_prefix) == (
        "stellarise",
        "stl3",
        10000,
    )
    assert package.languages == (1033,)


def test_the_tables_and_the_extended_tables(package):
    assert package.table_names == tuple(table.name for table in SOLUTION.tables)
    assert tuple(t.logical_name for t in package.extensions) == tuple(e.name for e in SOLUTION.extensions)


@pytest.mark.parametrize("table", SOLUTION.tables, ids=lambda table: table.name)
def test_each_table_reads_back_as_declared(package, table):
    found = package.table(table.name)
    assert (found.display_name, found.display_collection_name) == (table.label, table.plural_label)
    assert found.entity_set_name == table.set_name
    assert (found.primary_id_column, found.primary_name_column) == (table.primary_id, table.primary_name)
    assert found.ownership == "UserOwned"
    assert found.column(table.primary_name).max_length == table.primary_name_length
    for column in table.columns:
        assert_column(found.column(column.name), column)


@pytest.mark.parametrize("extension", SOLUTION.extensions, ids=lambda extension: extension.name)
def test_each_extension_brings_only_its_columns(package, extension):
    found = package.table(extension.name)
    assert found.is_extension and found.entity_set_name == extension.entity_set_name
    assert found.column_names == tuple(column.name for column in extension.columns)
    for column in extension.columns:
        assert_column(found.column(column.name), column)


def assert_column(found, column):
    assert found.type == TYPES[column.kind]
    assert found.display_name == column.label
    assert found.is_custom
    assert found.required_level == ("required" if column.required else "none")
    if column.kind in (Kind.TEXT, Kind.URL, Kind.MEMO):
        assert found.max_length == column.max_length
    if column.kind in (Kind.DECIMAL, Kind.MONEY):
        assert found.precision == column.precision
    if column.kind is Kind.CHOICE:
        assert [(o.value, o.label, o.external_value) for o in found.options] == [
            (c.value, c.label, c.code) for c in column.choices
        ]
        assert found.default_value == column.default
    if column.kind is Kind.YES_NO:
        assert {o.value for o in found.options} == {0, 1} and found.default_value == column.default
    if column.kind is Kind.DATE_ONLY:
        assert found.date_behavior == "DateOnly" and found.format == "date"
    if column.kind is Kind.LOOKUP:
        assert found.lookup_targets == (column.target,)


def test_a_money_column_brings_its_base_twin_and_the_table_its_currency(package):
    details = package.table("stl3_xeroinvoice")
    assert details.column("stl3_amountdue_base").calculation_of == "stl3_amountdue"
    assert details.column("transactioncurrencyid").lookup_targets == ("transactioncurrency",)
    assert details.column("exchangerate").type == "decimal"


def test_lookups_on_microsofts_tables_come_with_their_navigation_properties(package):
    found = {(r.referencing_table, r.referencing_column): r for r in package.lookups_on_extensions}
    connector = found[("invoice", "stl3_connectorid")]
    assert connector.referenced_table == "stl3_dynamicsxeroconnector"
    assert connector.referencing_navigation == "stl3_connectorid"  # stl3_connectorid@odata.bind
    assert connector.referenced_navigation == connector.name == "stl3_invoice_connectorid"
    assert len(found) == sum(1 for e in SOLUTION.extensions for c in e.columns if c.kind is Kind.LOOKUP)


def test_every_table_has_a_main_form_and_an_active_records_view(package):
    for table in package.tables:
        assert [form.type for form in table.forms] == ["main"]
        active = [view for view in table.views if view.query_type == 0 and view.is_default]
        assert [view.name for view in active] == [f"Active {table.display_collection_name}"]
        assert {view.query_type for view in table.views} == {0, 1, 2, 4, 64}


def test_invoice_and_invoice_line_have_a_xero_form(package):
    assert [form.name for form in package.table("invoice").forms] == ["Invoice (Xero)"]
    assert [form.name for form in package.table("invoicedetail").forms] == ["Invoice Product (Xero)"]
    assert [view.name for view in package.table("invoicedetail").views] == ["Invoice Products (Xero)"]


def test_root_components_name_the_forms_and_views_the_file_holds(package):
    ids = {component.id for component in package.root_components if component.id}
    held = {form.id for table in package.extensions for form in table.forms}
    held |= {view.id for table in package.extensions for view in table.views}
    assert ids == held
