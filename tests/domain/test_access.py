import pytest

from dxconnector.domain.access import (
    REQUIRED_ACCESS,
    all_required_privileges,
    check_access,
    missing_privileges,
    privilege_in_words,
    privileges_for,
)


def item(table):
    return next(i for i in REQUIRED_ACCESS if i.table == table)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("invoice", ("prvReadInvoice", "prvWriteInvoice", "prvCreateInvoice")),
        ("invoicedetail", ("prvReadInvoiceDetail", "prvWriteInvoiceDetail", "prvCreateInvoiceDetail")),
        ("product", ("prvReadProduct",)),
        ("systemuser", ("prvReadSystemUser",)),
        ("stl3_brandingtheme", ("prvReadstl3_brandingtheme", "prvWritestl3_brandingtheme", "prvCreatestl3_brandingtheme")),
    ],
)
def test_privileges_for_each_required_table(table, expected):
    assert privileges_for(item(table)) == expected


def test_every_required_privilege_held_passes():
    checks = check_access(set(all_required_privileges()))
    assert all(check.ok for check in checks)
    assert len(checks) == len(REQUIRED_ACCESS)


def test_a_missing_write_names_the_table_and_the_access_to_add():
    held = set(all_required_privileges()) - {"prvWriteAccount"}
    failing = [check for check in check_access(held) if not check.ok]
    assert [check.item.table for check in failing] == ["account"]
    assert failing[0].missing == ("prvWriteAccount",)
    assert failing[0].tip == "Give the user's security role Write access on the Account table (account), then check again."


def test_privilege_names_are_compared_without_case():
    held = {name.upper() for name in all_required_privileges()}
    assert all(check.ok for check in check_access(held))


def test_nothing_held_fails_everything():
    assert not any(check.ok for check in check_access(set()))


@pytest.mark.parametrize(
    ("privilege", "words"),
    [
        ("prvReadSolution", "Give the user's security role Read access to Solutions (on the role's Customization tab)"),
        ("prvWriteInvoiceDetail", "Give the user's security role Write access to Invoice Products (an invoice's lines)"),
        ("prvAppendToAccount", "Give the user's security role Append To access to Accounts"),
        ("prvCreatestl3_brandingtheme", "Give the user's security role Create access to the Branding theme table"),
        ("prvReadSalesOrder", "Give the user's security role Read access to Sales Order"),
    ],
)
def test_a_privilege_is_said_as_what_to_give_the_users_role(privilege, words):
    assert privilege_in_words(privilege) == words


def test_the_privileges_a_dataverse_refusal_names_are_found_without_its_ids():
    message = (
        "Principal user (Id=4f6e1a2b-0000-4000-8000-000000000001, type=8, roleCount=1), is missing prvReadSolution privilege "
        "(Id=a1b2c3d4-0000-4000-8000-000000000002) on OTC=7100 for entity 'solution'."
    )
    assert missing_privileges(message) == ["prvReadSolution"]
    assert missing_privileges("Something else went wrong.") == []
