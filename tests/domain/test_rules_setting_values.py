"""A default account code the settings row holds that Xero can never take: the reason names the setting and where it
is fixed."""

import pytest

from dxconnector.domain.rules import Why
from dxconnector.domain.rules.setting_values import account_code_fault, default_account_code_problem


@pytest.mark.parametrize("code", ["200", "SALES", "4000-01", "ABCDEFGHIJ"])
def test_a_code_xero_may_hold_is_not_a_problem(code):
    assert account_code_fault(code) is None
    assert default_account_code_problem(code, sales=True) is None


def test_a_code_longer_than_xero_keeps_names_the_sales_setting_and_both_places_to_fix_it():
    problem = default_account_code_problem("ABCDEFGHIJK", sales=True)
    assert problem is not None
    assert problem.code is Why.NO_ACCOUNT_CODE
    assert problem.text == (
        "The connection's Default Sales Account Code is “ABCDEFGHIJK”, which Xero can't take: an account code has at "
        "most 10 characters, and this one has 11. Enter the code as Xero's chart of accounts shows it, in the Connector "
        "Settings in Dynamics, or Defaults on the connection's page."
    )


def test_a_code_with_spaces_names_the_purchase_setting_in_dynamics():
    problem = default_account_code_problem("abc def gh", sales=False)
    assert problem is not None
    assert problem.text == (
        "The connection's Default Purchase Account Code is “abc def gh”, which Xero can't take: an account code has no "
        "spaces. Enter the code as Xero's chart of accounts shows it, in the Connector Settings in Dynamics."
    )
