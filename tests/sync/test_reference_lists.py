"""Xero's reference lists in Dynamics (PRODUCT §3.2): made on Create Connection, kept current by the sync — a row
Dynamics shows wrongly is put right, one Xero no longer has is archived — and read again only when due."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dxconnector.domain.mapping.choices import option_value
from dxconnector.dynamics.solution.definition import CHART_OF_ACCOUNTS, CURRENCY, TAX_RATE, TRACKING_CATEGORY, TRACKING_OPTION
from dxconnector.sync.models import Cursor
from dxconnector.sync.streams import REFERENCE_LISTS_FROM_XERO
from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase


def archived(table: str) -> int:
    return option_value(table, "stl3_status", "ARCHIVED")


class ReferenceListsTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def rows(self, table, select: str) -> list[dict]:
        return self.dataverse().list(table.set_name, select=select, filter=f"_stl3_connectorid_value eq {self.connector_id()}")

    def make_it_due(self) -> None:
        Cursor.objects.filter(connection=self.connection, stream=REFERENCE_LISTS_FROM_XERO.name).update(
            updated_at=timezone.now() - timedelta(days=1)
        )

    def test_create_connection_brings_xeros_lists_into_dynamics(self):
        accounts = {account["AccountID"]: account for account in self.xero().records(resources.ACCOUNTS)}
        rows = {row["stl3_xeroaccountid"]: row for row in self.rows(CHART_OF_ACCOUNTS, "stl3_xeroaccountid,stl3_code,stl3_name")}
        self.assertEqual(set(rows), set(accounts))
        some = next(account for account in accounts.values() if account.get("Code"))
        self.assertEqual(rows[some["AccountID"]]["stl3_name"], f"{some['Code']} - {some['Name']}")
        tax_types = {rate["TaxType"] for rate in self.xero().records(resources.TAX_RATES)}
        self.assertEqual({row["stl3_taxtype"] for row in self.rows(TAX_RATE, "stl3_taxtype")}, tax_types)
        currencies = {currency["Code"] for currency in self.xero().records(resources.CURRENCIES)}
        self.assertEqual({row["stl3_code"] for row in self.rows(CURRENCY, "stl3_code")}, currencies)
        categories = list(self.xero().records(resources.TRACKING_CATEGORIES))
        [category_row] = [
            row
            for row in self.rows(TRACKING_CATEGORY, "stl3_trackingcategoryid,stl3_xerotrackingcategoryid")
            if row["stl3_xerotrackingcategoryid"] == categories[0]["TrackingCategoryID"]
        ]
        options = self.dataverse().list(
            TRACKING_OPTION.set_name,
            select="stl3_name",
            filter=f"_stl3_trackingcategoryid_value eq {category_row['stl3_trackingcategoryid']}",
        )
        self.assertEqual({row["stl3_name"] for row in options}, {option["Name"] for option in categories[0]["Options"]})

    def test_a_sync_soon_after_reads_no_list_and_a_due_one_puts_right_what_dynamics_shows_wrongly(self):
        [row] = [
            row for row in self.rows(CHART_OF_ACCOUNTS, "stl3_chartofaccountsid,stl3_code,stl3_name") if row["stl3_code"] == "200"
        ]
        self.dataverse().update(CHART_OF_ACCOUNTS.set_name, row["stl3_chartofaccountsid"], {"stl3_name": "tampered"})
        quiet = self.sync()
        self.assertEqual(quiet.counts.get("reference_rows_updated", 0), 0)
        self.make_it_due()
        due = self.sync()
        self.assertEqual(due.counts["reference_rows_updated"], 1)
        self.assertEqual(
            self.dataverse().read(f"{CHART_OF_ACCOUNTS.set_name}({row['stl3_chartofaccountsid']})")["stl3_name"], row["stl3_name"]
        )
        self.make_it_due()
        self.assertEqual(self.sync().counts.get("reference_rows_updated", 0), 0)  # nothing differs: nothing written

    def test_a_row_xero_no_longer_has_is_archived_not_deleted(self):
        gone = self.dataverse().create(
            CHART_OF_ACCOUNTS.set_name,
            {
                "stl3_name": "999 - Closed account",
                "stl3_code": "999",
                "stl3_xeroaccountid": "00000000-0000-0000-0000-000000000999",
                "stl3_connectorid@odata.bind": f"/stl3_dynamicsxeroconnectors({self.connector_id()})",
            },
        )
        self.make_it_due()
        run = self.sync()
        self.assertEqual(run.counts["reference_rows_archived"], 1)
        self.assertEqual(
            self.dataverse().read(f"{CHART_OF_ACCOUNTS.set_name}({gone})")["stl3_status"], archived("stl3_chartofaccounts")
        )
