"""read_solution reads real exports: Microsoft's managed CodeSiteSample and an unmanaged community solution."""

import pytest

from dxconnector.dynamics.solution import read_solution
from tests.dynamics.solution.specs import UNMANAGED_SAMPLE_DIR, sample_zip, zip_of


@pytest.fixture(scope="module")
def sample():
    return read_solution(sample_zip())


def test_its_manifest(sample):
    assert (sample.unique_name, sample.display_name, sample.version, sample.managed) == (
        "CodeSiteSample",
        "Code Site Sample",
        "1.0.0.1",
        True,
    )
    assert (sample.publisher.unique_name, sample.publisher.prefix, sample.publisher.option_value_prefix) == (
        "CodeSiteSample",
        "sample",
        15686,
    )
    assert [(c.type, c.schema_name, c.behavior) for c in sample.root_components] == [(1, "sample_saleslead", 0)]


def test_its_one_table(sample):
    assert sample.table_names == ("sample_saleslead",)
    assert sample.extensions == ()
    lead = sample.table("sample_saleslead")
    assert (lead.schema_name, lead.entity_set_name, lead.ownership) == ("sample_SalesLead", "sample_salesleads", "UserOwned")
    assert (lead.primary_id_column, lead.primary_name_column) == ("sample_salesleadid", "sample_accountid")
    assert len(lead.columns) == 25


def test_its_columns(sample):
    lead = sample.table("sample_saleslead")
    account = lead.column("sample_accountid")
    assert (account.type, account.max_length, account.required_level, account.schema_name) == (
        "nvarchar",
        850,
        "required",
        "sample_AccountId",
    )
    assert (lead.column("sample_description").format, lead.column("sample_description").max_length) == ("textarea", 100)
    amount = lead.column("sample_amount")
    assert (amount.type, amount.precision, amount.min_value) == ("money", 0, -922337203685477)
    assert lead.column("sample_amount_base").calculation_of == "sample_amount"
    kind = lead.column("sample_type")
    assert [(o.value, o.label) for o in kind.options] == [(156860000, "New"), (156860001, "Existing"), (156860002, "Potential")]
    assert kind.default_value == 156860000
    assert lead.column("createdon").date_behavior == "UserLocal"
    assert [(o.value, o.label) for o in lead.column("statecode").options] == [(0, "Active"), (1, "Inactive")]


def test_its_lookups(sample):
    lead = sample.table("sample_saleslead")
    assert lead.column("createdby").lookup_targets == ("systemuser",)
    assert lead.column("ownerid").lookup_targets == ("systemuser", "team")
    assert lead.column("transactioncurrencyid").lookup_targets == ("transactioncurrency",)
    assert lead.column("owningbusinessunit").lookup_targets == ("businessunit",)
    assert len(sample.relationships) == 7


def test_its_forms_and_views(sample):
    lead = sample.table("sample_saleslead")
    assert [form.type for form in lead.forms] == ["card", "main", "quick"]
    assert len(lead.views) == 7
    assert any(view.name == "Active SalesLeads" and view.is_default for view in lead.views)


def test_an_unmanaged_export_with_several_tables():
    package = read_solution(zip_of(UNMANAGED_SAMPLE_DIR))
    assert not package.managed
    assert package.publisher.prefix == "cr2fe"
    assert len(package.tables) == 6
    assert all(table.primary_id_column and table.entity_set_name for table in package.tables)
