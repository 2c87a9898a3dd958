"""docs/solution.md names every table and column the solution brings, so admins and developers can rely on it."""

import pytest

from dxconnector.dynamics.solution import DYNAMICS_XERO_CONNECTOR
from tests.dynamics.solution.specs import REPO_ROOT

DOC = (REPO_ROOT / "docs" / "solution.md").read_text()
NAMES = sorted(
    {table.name for table in DYNAMICS_XERO_CONNECTOR.tables}
    | {table.set_name for table in DYNAMICS_XERO_CONNECTOR.tables}
    | {
        column.name
        for table in (*DYNAMICS_XERO_CONNECTOR.tables, *DYNAMICS_XERO_CONNECTOR.extensions)
        for column in table.columns
    }
)


@pytest.mark.parametrize("name", NAMES)
def test_the_doc_names_it(name):
    assert f"`{name}`" in DOC


def test_the_doc_gives_the_import_steps():
    for step in ("Settings → Solutions", "Import", "Choose File", "Next", "Publish All Customizations"):
        assert step in DOC
