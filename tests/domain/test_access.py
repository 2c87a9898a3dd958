import pytest

from dxconnector.domain.access import REQUIRED_ACCESS, all_required_privileges, check_access, privileges_for


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
