"""Every table the connector needs is in the zip, with the columns, choices and lookups the sync uses."""

import pytest

from dxconnector.domain.access import REQUIRED_ACCESS
from dxconnector.dynamics.solution import read_solution, solution_zip_bytes

# table → {column: Dataverse type}
REQUIRED = {
    "stl3_dynamicsxeroconnector": {
        "stl3_name": "nvarchar",
        "stl3_xerotenantid": "nvarchar",
        "stl3_organisationname": "nvarchar",
        "stl3_portalconnectionid": "nvarchar",
        "stl3_status": "picklist",
        "stl3_lastsyncon": "datetime",
    },
    "stl3_stellariseconnectorsettings": {
        "stl3_name": "nvarchar",
        "stl3_connectorid": "lookup",
        "stl3_isdefaultconnection": "bit",
        "stl3_usexeroinvoicenumber": "bit",
        "stl3_useinvoicename": "bit",
        "stl3_createnewcontacts": "bit",
        "stl3_createnewproducts": "bit",
        "stl3_defaultsalesinvoicestatus": "picklist",
        "stl3_defaultpurchaseinvoicestatus": "picklist",
        "stl3_sendemailfromxero": "bit",
        "stl3_defaultsalesaccountcode": "nvarchar",
        "stl3_defaultpurchaseaccountcode": "nvarchar",
        "stl3_defaulttaxtype": "nvarchar",
        "stl3_descriptiontoreference": "bit",
        "stl3_creditnotesautomatically": "bit",
        "stl3_syncintervalminutes": "int",
        "stl3_timezone": "nvarchar",
        "stl3_twowaycontactsync": "bit",
    },
    "stl3_brandingtheme": {"stl3_name": "nvarchar", "stl3_xerobrandingthemeid": "nvarchar", "stl3_connectorid": "lookup"},
    "stl3_chartofaccounts": {
        "stl3_code": "nvarchar",
        "stl3_name": "nvarchar",
        "stl3_type": "nvarchar",
        "stl3_taxtype": "nvarchar",
        "stl3_status": "picklist",
        "stl3_xeroaccountid": "nvarchar",
    },
    "stl3_xeroinvoice": {
        "stl3_xeroid": "nvarchar",
        "stl3_xeronumber": "nvarchar",
        "stl3_xerostatus": "picklist",
        "stl3_invoiceurl": "nvarchar",
        "stl3_onlineinvoiceurl": "nvarchar",
        "stl3_amountdue": "money",
        "stl3_amountpaid": "money",
        "stl3_amountcredited": "money",
        "stl3_fullypaidon": "datetime",
        "stl3_exportstatus": "picklist",
        "stl3_exportedon": "datetime",
        "stl3_invoiceid": "lookup",
        "transactioncurrencyid": "lookup",
    },
    "stl3_xerocontact": {
        "stl3_name": "nvarchar",
        "stl3_accountid": "lookup",
        "stl3_contactid": "lookup",
        "stl3_connectorid": "lookup",
        "stl3_xeroid": "nvarchar",
        "stl3_xerostatus": "picklist",
        "stl3_syncstatus": "picklist",
        "stl3_xerourl": "nvarchar",
        "stl3_lastsyncedon": "datetime",
    },
    "stl3_xeroitem": {
        "stl3_name": "nvarchar",
        "stl3_productid": "lookup",
        "stl3_connectorid": "lookup",
        "stl3_xeroid": "nvarchar",
        "stl3_xerocode": "nvarchar",
        "stl3_syncstatus": "picklist",
        "stl3_xerourl": "nvarchar",
        "stl3_lastsyncedon": "datetime",
    },
    "stl3_synchistory": {
        "stl3_direction": "picklist",
        "stl3_recordtype": "picklist",
        "stl3_recordid": "nvarchar",
        "stl3_outcome": "picklist",
        "stl3_message": "ntext",
        "stl3_attemptedon": "datetime",
        "stl3_invoiceid": "lookup",
        "stl3_accountid": "lookup",
        "stl3_contactid": "lookup",
        "stl3_productid": "lookup",
    },
    "stl3_taxrate": {"stl3_name": "nvarchar", "stl3_taxtype": "nvarchar", "stl3_effectiverate": "decimal"},
    "stl3_trackingcategory": {"stl3_name": "nvarchar", "stl3_xerotrackingcategoryid": "nvarchar"},
    "stl3_trackingoption": {"stl3_name": "nvarchar", "stl3_trackingcategoryid": "lookup"},
    "stl3_currency": {"stl3_name": "nvarchar", "stl3_code": "nvarchar"},
}
LOOKUPS = {
    ("stl3_stellariseconnectorsettings", "stl3_connectorid"): "stl3_dynamicsxeroconnector",
    ("stl3_xeroinvoice", "stl3_invoiceid"): "invoice",
    ("stl3_synchistory", "stl3_invoiceid"): "invoice",
    ("stl3_synchistory", "stl3_accountid"): "account",
    ("stl3_synchistory", "stl3_contactid"): "contact",
    ("stl3_synchistory", "stl3_productid"): "product",
    ("stl3_xerocontact", "stl3_accountid"): "account",
    ("stl3_xerocontact", "stl3_contactid"): "contact",
    ("stl3_xerocontact", "stl3_connectorid"): "stl3_dynamicsxeroconnector",
    ("stl3_xeroitem", "stl3_productid"): "product",
    ("stl3_xeroitem", "stl3_connectorid"): "stl3_dynamicsxeroconnector",
    ("stl3_trackingoption", "stl3_trackingcategoryid"): "stl3_trackingcategory",
    ("invoice", "stl3_connectorid"): "stl3_dynamicsxeroconnector",
    ("invoice", "stl3_brandingthemeid"): "stl3_brandingtheme",
    ("invoicedetail", "stl3_accountcodeid"): "stl3_chartofaccounts",
    ("invoicedetail", "stl3_taxrateid"): "stl3_taxrate",
    ("invoicedetail", "stl3_trackingoption1id"): "stl3_trackingoption",
    ("invoicedetail", "stl3_trackingoption2id"): "stl3_trackingoption",
}


@pytest.fixture(scope="module")
def package():
    return read_solution(solution_zip_bytes())


@pytest.mark.parametrize("table", sorted(REQUIRED))
def test_the_table_is_defined_with_its_columns(package, table):
    found = package.table(table)
    assert not found.is_extension
    assert {name: found.column(name).type for name in REQUIRED[table]} == REQUIRED[table]


@pytest.mark.parametrize(("table", "column"), sorted(LOOKUPS))
def test_the_lookup_points_at_its_table(package, table, column):
    assert package.table(table).column(column).lookup_targets == (LOOKUPS[(table, column)],)


def test_invoice_gets_the_xero_fields_users_fill_in(package):
    invoice = package.table("invoice")
    assert invoice.is_extension
    invoice_type = invoice.column("stl3_xeroinvoicetype")
    assert [option.external_value for option in invoice_type.options] == ["ACCREC", "ACCPAY", "ACCRECCREDIT", "ACCPAYCREDIT"]
    assert [o.external_value for o in invoice.column("stl3_lineamounttypes").options] == ["Exclusive", "Inclusive", "NoTax"]
    assert invoice.column("stl3_sendemailfromxero").type == "bit"
    assert invoice.column("stl3_xeronumber").type == "nvarchar"
    assert invoice.column("stl3_xerostatus").type == "picklist"


def test_default_invoice_statuses_are_xeros_three(package):
    settings = package.table("stl3_stellariseconnectorsettings")
    for column in ("stl3_defaultsalesinvoicestatus", "stl3_defaultpurchaseinvoicestatus"):
        assert [o.external_value for o in settings.column(column).options] == ["DRAFT", "SUBMITTED", "AUTHORISED"]
        assert settings.column(column).default_value == 100000000


def test_option_values_follow_the_publishers_prefix(package):
    for table in package.tables + package.extensions:
        for column in table.columns:
            if column.type == "picklist":
                assert all(100000000 <= option.value < 100010000 for option in column.options), (table.logical_name, column)


def test_the_portals_required_access_covers_every_table_of_the_solution(package):
    # The connection page checks read-write on each of them once the solution is installed: the connector writes them all.
    ours = {item.table for item in REQUIRED_ACCESS if item.table.startswith("stl3_")}
    assert ours == set(package.table_names)
    assert {"stl3_xeroinvoice", "stl3_xeropayment", "stl3_synchistory", "stl3_taxrate", "stl3_currency"} <= ours


def test_names_fit_dataverses_limits(package):
    for table in package.tables + package.extensions:
        assert len(table.logical_name) <= 50
        assert all(len(column.logical_name) <= 50 for column in table.columns)
    assert all(len(relationship.name) <= 100 for relationship in package.relationships)


def test_entity_set_names_are_written_into_the_solution(package):
    # The Web API collection names, fixed here rather than left to Dataverse's pluralising.
    assert package.table("stl3_stellariseconnectorsettings").entity_set_name == "stl3_stellariseconnectorsettingses"
    assert package.table("stl3_trackingcategory").entity_set_name == "stl3_trackingcategories"
    assert package.table("stl3_brandingtheme").entity_set_name == "stl3_brandingthemes"


@pytest.mark.parametrize(
    ("table", "column", "codes"),
    [
        ("stl3_xerocontact", "stl3_xerostatus", ["ACTIVE", "ARCHIVED"]),
        ("stl3_xerocontact", "stl3_syncstatus", ["SYNCED", "FAILED"]),
        ("stl3_xeroitem", "stl3_syncstatus", ["SYNCED", "FAILED"]),
    ],
)
def test_the_xero_link_choices_carry_their_codes(package, table, column, codes):
    assert [option.external_value for option in package.table(table).column(column).options] == codes


def test_the_xero_id_lengths_and_the_item_code_fit_xero(package):
    assert package.table("stl3_xerocontact").column("stl3_xeroid").max_length == 50
    assert package.table("stl3_xeroitem").column("stl3_xeroid").max_length == 50
    assert package.table("stl3_xeroitem").column("stl3_xerocode").max_length == 30
