"""The Xero organisation on the connection's row in Dynamics (PRODUCT §3.2): its name, legal name, country, base
currency, time zone, financial year end, short code and a link to it in Xero, read with the reference lists — on
Create Connection and whenever they are due — and written only when the row shows anything else."""

from __future__ import annotations

import calendar

from django.conf import settings

from dxconnector.connections.models import XeroConnection
from dxconnector.domain.mapping.reference import organisation_columns
from dxconnector.dynamics.solution.definition import CONNECTION
from dxconnector.sync.reference_lists import CONNECTION_LENGTHS
from dxconnector.xero import resources
from dxsandbox import steering
from tests.sync.helpers import IsolatedSyncTestCase, SyncHelpers, SyncTestCase
from tests.sync.test_reference_lists import make_reference_lists_due

COLUMNS = (
    "stl3_organisationname",
    "stl3_legalname",
    "stl3_countrycode",
    "stl3_basecurrency",
    "stl3_xerotimezone",
    "stl3_financialyearend",
    "stl3_shortcode",
    "stl3_xerourl",
)


class OrganisationDetails(SyncHelpers):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def connector_row(self) -> dict[str, str | None]:
        row = self.dataverse().read(f"{CONNECTION.set_name}({self.connector_id()})", params={"$select": ",".join(COLUMNS)})
        return {column: row.get(column) for column in COLUMNS}

    def organisation_in_xero(self) -> dict:
        [organisation] = self.xero().records(resources.ORGANISATION)
        return organisation


class OrganisationDetailsTestCase(OrganisationDetails, SyncTestCase):
    def test_create_connection_shows_the_xero_organisations_details_on_the_connector_row(self):
        xero = self.organisation_in_xero()
        month = calendar.month_name[xero["FinancialYearEndMonth"]]
        link = "/organisationlogin/default.aspx?shortcode={}&redirecturl=/Dashboard/Default.aspx"
        self.assertEqual(
            self.connector_row(),
            {
                "stl3_organisationname": xero["Name"],
                "stl3_legalname": xero["LegalName"],
                "stl3_countrycode": xero["CountryCode"],
                "stl3_basecurrency": xero["BaseCurrency"],
                "stl3_xerotimezone": xero["Timezone"],
                "stl3_financialyearend": f"{xero['FinancialYearEndDay']} {month}",
                "stl3_shortcode": xero["ShortCode"],
                "stl3_xerourl": settings.XERO_APP_URL.rstrip("/") + link.format(xero["ShortCode"]),
            },
        )
        self.assertTrue(all(self.connector_row().values()))  # the sandbox's organisation has every one of them

    def test_details_dynamics_shows_wrongly_are_put_right_when_the_lists_are_next_due(self):
        right = self.connector_row()
        self.dataverse().update(CONNECTION.set_name, self.connector_id(), {"stl3_legalname": "Tampered", "stl3_shortcode": None})
        self.sync()
        self.assertEqual(self.connector_row()["stl3_legalname"], "Tampered")  # not due: Xero is not asked
        make_reference_lists_due(self.connection)
        due = self.sync()
        self.assertEqual(due.counts["reference_rows_updated"], 1)
        self.assertEqual(self.connector_row(), right)


class OrganisationChangedInXeroTestCase(OrganisationDetails, IsolatedSyncTestCase):
    """The organisation changed in Xero's settings (the sync tests' own sandbox, its details put back after)."""

    def change_organisation(self, **fields: str) -> None:
        tenant_id = XeroConnection.objects.get(connection=self.connection).tenant_id
        with steering.xero_books(self.sandbox.manifest, tenant_id) as books:
            before = books.get("organisation", tenant_id)
            assert before is not None
            books.put("organisation", tenant_id, {**before, **fields})
        self.addCleanup(self.put_back, tenant_id, before)

    def put_back(self, tenant_id: str, organisation: dict) -> None:
        with steering.xero_books(self.sandbox.manifest, tenant_id) as books:
            books.put("organisation", tenant_id, organisation)

    def test_a_new_organisation_name_in_xero_reaches_the_connector_row_when_the_lists_are_next_due(self):
        before = self.connector_row()
        self.change_organisation(Name="Thistle & Rose Group", LegalName="Thistle & Rose Group Limited")
        self.sync()
        self.assertEqual(self.connector_row(), before)  # not due: Xero is not asked
        make_reference_lists_due(self.connection)
        due = self.sync()
        self.assertEqual(due.counts["reference_rows_updated"], 1)
        self.assertEqual(
            self.connector_row(),
            {**before, "stl3_organisationname": "Thistle & Rose Group", "stl3_legalname": "Thistle & Rose Group Limited"},
        )

    def test_details_longer_than_their_columns_are_cut_to_fit(self):
        legal_name = "Thistle and Rose Trading Company of Great Britain and Northern Ireland " * 5
        self.change_organisation(LegalName=legal_name, FinancialYearEndDay=30, FinancialYearEndMonth=9)
        make_reference_lists_due(self.connection)
        due = self.sync()
        self.assertEqual(due.counts.get("reference_rows_refused", 0), 0)
        row = self.connector_row()
        self.assertEqual(row["stl3_legalname"], legal_name[:255].rstrip())  # the column's 255 characters
        self.assertEqual(row["stl3_financialyearend"], "30 September")


def test_what_xero_leaves_out_is_shown_empty_and_the_link_opens_the_dashboard_of_whichever_organisation():
    columns = organisation_columns({"Name": "Demo Company (NZ)", "FinancialYearEndDay": 31}, CONNECTION_LENGTHS)
    assert columns == {
        "stl3_organisationname": "Demo Company (NZ)",
        "stl3_legalname": None,
        "stl3_countrycode": None,
        "stl3_basecurrency": None,
        "stl3_xerotimezone": None,
        "stl3_financialyearend": None,  # a day without its month is no date
        "stl3_shortcode": None,
        "stl3_xerourl": "https://go.xero.com/Dashboard/Default.aspx",
    }


def test_values_longer_than_their_columns_are_cut_to_the_solutions_lengths_and_the_link_keeps_the_whole_short_code():
    short_code = "!" + "x" * 30
    columns = organisation_columns({"CountryCode": "NZL", "ShortCode": short_code}, CONNECTION_LENGTHS)
    assert (columns["stl3_countrycode"], columns["stl3_shortcode"]) == ("NZ", short_code[:20])  # 2 and 20 characters
    assert f"shortcode={short_code}&" in columns["stl3_xerourl"]
