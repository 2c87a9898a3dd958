import pytest

from dxconnector.domain.mapping.settings import settings_from_row, settings_row
from dxconnector.domain.records import ConnectionSettings, XeroStatus
from dxconnector.dynamics.solution.definition import DYNAMICS_XERO_CONNECTOR

AUTHORISED, SUBMITTED = 100_000_002, 100_000_001

ROW = {  # as the Web API returns it
    "stl3_stellariseconnectorsettingsid": "s-1",
    "stl3_name": "Demo Company (NZ)",
    "_stl3_connectorid_value": "conn-1",
    "stl3_isdefaultconnection": True,
    "stl3_usexeroinvoicenumber": False,
    "stl3_useinvoicename": True,
    "stl3_createnewcontacts": False,
    "stl3_createnewproducts": True,
    "stl3_defaultsalesinvoicestatus": AUTHORISED,
    "stl3_defaultpurchaseinvoicestatus": SUBMITTED,
    "stl3_sendemailfromxero": True,
    "stl3_defaultsalesaccountcode": "200",
    "stl3_defaultpurchaseaccountcode": "400",
    "stl3_defaulttaxtype": "OUTPUT2",
    "stl3_descriptiontoreference": False,
    "stl3_creditnotesautomatically": True,
    "stl3_syncintervalminutes": 5,
    "stl3_timezone": "Pacific/Auckland",
    "stl3_twowaycontactsync": True,
}
SETTINGS = ConnectionSettings(
    connector_id="conn-1",
    is_default_connection=True,
    use_xero_invoice_number=False,
    use_invoice_name=True,
    create_new_contacts=False,
    create_new_products=True,
    default_sales_invoice_status=XeroStatus.AUTHORISED,
    default_purchase_invoice_status=XeroStatus.SUBMITTED,
    send_email_from_xero=True,
    default_sales_account_code="200",
    default_purchase_account_code="400",
    default_tax_type="OUTPUT2",
    description_to_reference=False,
    credit_notes_automatically=True,
    sync_interval_minutes=5,
    time_zone="Pacific/Auckland",
    two_way_contact_sync=True,
)


def test_every_setting_is_read_from_its_column():
    assert settings_from_row(ROW) == SETTINGS


def test_an_empty_row_gives_the_solutions_defaults():
    assert settings_from_row({}) == ConnectionSettings()


@pytest.mark.parametrize(
    ("column", "value", "field", "expected"),
    [
        ("stl3_defaultsalesinvoicestatus", None, "default_sales_invoice_status", XeroStatus.DRAFT),
        ("stl3_defaultsalesinvoicestatus", 42, "default_sales_invoice_status", XeroStatus.DRAFT),
        ("stl3_defaultsalesaccountcode", "  ", "default_sales_account_code", None),
        ("stl3_timezone", "", "time_zone", "UTC"),
        ("stl3_syncintervalminutes", 0, "sync_interval_minutes", 10),
        ("stl3_syncintervalminutes", 5000, "sync_interval_minutes", 1440),
        ("stl3_createnewcontacts", None, "create_new_contacts", True),
    ],
)
def test_empty_or_odd_values_fall_back_to_defaults(column, value, field, expected):
    assert getattr(settings_from_row({**ROW, column: value}), field) == expected


def test_the_portal_writes_back_the_same_columns_it_reads():
    row = settings_row(SETTINGS)
    assert settings_from_row({**row, "_stl3_connectorid_value": "conn-1"}) == SETTINGS


def test_the_written_columns_are_the_solutions_own():
    table = DYNAMICS_XERO_CONNECTOR.table("stl3_stellariseconnectorsettings")
    assert set(settings_row(SETTINGS)) == {column.name for column in table.columns} - {"stl3_connectorid"}
