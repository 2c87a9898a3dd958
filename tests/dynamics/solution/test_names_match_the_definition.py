"""`dxconnector.domain.names` and the solution's definition name the same tables, columns and relationships,
and no other code spells a `stl3_` name: a name changes in one place, or the tests say where it did not."""

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from dxconnector.domain import names
from dxconnector.dynamics.solution.definition import DYNAMICS_XERO_CONNECTOR
from dxconnector.dynamics.solution.model import Kind, Table, TableExtension
from dxconnector.dynamics.solution.relationships import lookup_relationship

SOURCE = Path(names.__file__).resolve().parents[1]  # src/dxconnector
NAMES_MODULE = Path(names.__file__).resolve()
GROUPS = [group for group in vars(names).values() if inspect.isclass(group) and group.__module__ == names.__name__]
TABLES: dict[str, Table | TableExtension] = {
    table.name: table for table in (*DYNAMICS_XERO_CONNECTOR.tables, *DYNAMICS_XERO_CONNECTOR.extensions)
}


def _named(group: type) -> Iterator[tuple[str, str]]:
    """(constant, name) for each column or relationship a group names; a tuple of names gives each."""
    for constant, value in vars(group).items():
        if constant.isupper() and constant != "TABLE":
            for name in value if isinstance(value, tuple) else (value,):
                yield constant, name


def _columns_of(table: Table | TableExtension) -> set[str]:
    """The columns the solution makes on the table: a new table's primary name column too."""
    made = {column.name for column in table.columns}
    if isinstance(table, Table):
        made.add(table.primary_name)
    return made


def _relationships_of(table: Table | TableExtension) -> set[str]:
    return {lookup_relationship(table.name, column).name for column in table.columns if column.kind is Kind.LOOKUP}


def _group_id(group: type) -> str:
    return group.__name__


def test_every_group_in_the_names_module_names_a_table_of_the_definition():
    assert {group.__name__: group.TABLE for group in GROUPS if group.TABLE not in TABLES} == {}


def test_every_table_and_extension_of_the_definition_has_a_group_in_the_names_module():
    assert set(TABLES) - {group.TABLE for group in GROUPS} == set()


@pytest.mark.parametrize("group", GROUPS, ids=_group_id)
def test_every_column_named_in_the_names_module_is_in_the_definition_on_its_table(group):
    table = TABLES[group.TABLE]
    strays = {
        constant: name
        for constant, name in _named(group)
        if not constant.endswith("_RELATIONSHIP") and name not in _columns_of(table)
    }
    assert strays == {}


@pytest.mark.parametrize("group", GROUPS, ids=_group_id)
def test_every_relationship_named_in_the_names_module_is_one_the_definition_makes_on_its_table(group):
    table = TABLES[group.TABLE]
    strays = {
        constant: name
        for constant, name in _named(group)
        if constant.endswith("_RELATIONSHIP") and name not in _relationships_of(table)
    }
    assert strays == {}


@pytest.mark.parametrize("table", list(TABLES.values()), ids=lambda table: table.name)
def test_every_column_the_solution_makes_is_named_in_the_names_module_on_its_table(table):
    group = next(group for group in GROUPS if table.name == group.TABLE)
    assert _columns_of(table) - {name for _, name in _named(group)} == set()


def test_the_shared_names_are_every_tables_primary_name_its_lookup_to_the_connection_and_its_status_choice():
    columns = [column for table in TABLES.values() for column in table.columns]
    assert {table.primary_name for table in TABLES.values() if isinstance(table, Table)} == {names.NAME}
    assert {column.name for column in columns if column.target == names.ConnectorTable.TABLE} == {names.CONNECTOR_ID}
    assert {column.kind for column in columns if column.name == names.STATUS} == {Kind.CHOICE}


def test_every_name_starts_with_the_publishers_prefix():
    assert DYNAMICS_XERO_CONNECTOR.publisher.prefix == names.PREFIX
    ours = [name for group in GROUPS for _, name in _named(group)]
    ours += [group.TABLE for group in GROUPS if isinstance(TABLES[group.TABLE], Table)]
    assert [name for name in ours if not name.startswith(names.PREFIX + "_")] == []


def test_the_helpers_spell_the_web_apis_lookup_properties():
    assert names.lookup_value(names.XeroInvoiceTable.CONNECTOR_ID) == "_stl3_connectorid_value"
    assert names.odata_bind(names.XeroInvoiceTable.CONNECTOR_ID) == "stl3_connectorid@odata.bind"


def test_the_relationship_helper_names_every_lookups_relationship_as_the_definition_does():
    lookups = [(table.name, column) for table in TABLES.values() for column in table.columns if column.kind is Kind.LOOKUP]
    assert len(lookups) > 10
    differing = [
        (table, column.name)
        for table, column in lookups
        if names.relationship(table, column.name) != lookup_relationship(table, column).name
    ]
    assert differing == []


# --- nothing else spells them ---------------------------------------------------------------------------------


def _docstrings(tree: ast.Module) -> set[ast.AST]:
    """The string constants that are docstrings: the first statement of a module, class or function body."""
    found: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(first.value)
    return found


def stl3_literals(path: Path, root: Path = SOURCE.parent) -> list[str]:
    """`file:line: text` of each string constant in the code (f-string parts too) that holds a `stl3_` name;
    docstrings and comments are prose and may."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    prose = _docstrings(tree)
    return [
        f"{path.relative_to(root)}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node not in prose and "stl3_" in node.value
    ]


def test_the_guard_finds_a_name_in_a_string_or_an_f_string_and_not_in_a_docstring_or_a_comment(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        '"""Our `stl3_xeroinvoice` rows."""\n\n\n'
        "class Row:\n"
        '    """One `stl3_xeroinvoice` row."""\n\n'
        "    def read(self, row_id):\n"
        '        """By stl3_xeroinvoiceid."""\n'
        "        # stl3_xeroid, in a comment\n"
        '        return {"stl3_xeroid": f"_stl3_invoiceid_value eq {row_id}"}\n'
    )
    assert stl3_literals(module, tmp_path) == [
        "module.py:10: 'stl3_xeroid'",
        "module.py:10: '_stl3_invoiceid_value eq '",
    ]


def test_no_stl3_name_is_spelled_in_the_connectors_code_outside_the_names_module():
    files = sorted(path for path in SOURCE.rglob("*.py") if path.resolve() != NAMES_MODULE)
    assert len(files) > 50
    spelled = [literal for path in files for literal in stl3_literals(path)]
    assert spelled == [], "use the constants of dxconnector.domain.names instead:\n" + "\n".join(spelled)
