import pytest

from dxconnector.domain.mapping.choices import CHOICES, option_code, option_value
from dxconnector.domain.records import ExportStatus, InvoiceType, LineAmountTypes, XeroStatus
from dxconnector.dynamics.solution.definition import DYNAMICS_XERO_CONNECTOR


def solution_column(table, column):
    solution = DYNAMICS_XERO_CONNECTOR
    if table in {t.name for t in solution.tables}:
        return solution.table(table).column(column)
    return next(c for c in solution.extension(table).columns if c.name == column)


@pytest.mark.parametrize(("table", "column"), list(CHOICES), ids=lambda key: str(key))
def test_the_option_values_match_the_solutions_definition(table, column):
    choices = solution_column(table, column).choices
    assert [(choice.value, choice.code) for choice in choices] == [
        (option_value(table, column, code), code) for code in CHOICES[(table, column)]
    ]


@pytest.mark.parametrize(
    ("table", "column", "codes"),
    [
        ("invoice", "stl3_xeroinvoicetype", [t.value for t in InvoiceType]),
        ("invoice", "stl3_lineamounttypes", [t.value for t in LineAmountTypes]),
        ("stl3_xeroinvoice", "stl3_xerostatus", [s.value for s in XeroStatus]),
        ("stl3_xeroinvoice", "stl3_exportstatus", [s.value for s in ExportStatus]),
    ],
)
def test_every_code_of_ours_has_an_option(table, column, codes):
    assert sorted(CHOICES[(table, column)]) == sorted(codes)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (100_000_000, "ACCREC"),
        (100_000_001, "ACCPAY"),
        (100_000_002, "ACCRECCREDIT"),
        (100_000_003, "ACCPAYCREDIT"),
        (100_000_004, None),
        (99_999_999, None),
        (None, None),
    ],
)
def test_option_values_read_back_as_xero_codes(value, code):
    assert option_code("invoice", "stl3_xeroinvoicetype", value) == code


def test_a_code_the_column_lacks_is_refused():
    with pytest.raises(ValueError):
        option_value("stl3_chartofaccounts", "stl3_status", "DELETED")
