"""Xero's reference lists in Dynamics (PRODUCT §3.2): made on Create Connection, kept current by the sync — a row
Dynamics shows wrongly is put right, one Xero no longer has is archived and active again when Xero has it again —
and read again only when due."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dxconnector.connections.models import Connection, XeroConnection
from dxconnector.domain.mapping.choices import option_value
from dxconnector.dynamics.solution.definition import (
    BRANDING_THEME,
    CHART_OF_ACCOUNTS,
    CURRENCY,
    TAX_RATE,
    TRACKING_CATEGORY,
    TRACKING_OPTION,
)
from dxconnector.sync.models import Cursor
from dxconnector.sync.reference_lists import LISTS
from dxconnector.sync.streams import REFERENCE_LISTS_FROM_XERO
from dxconnector.xero import resources
from dxsandbox import steering
from tests.sync.helpers import IsolatedSyncTestCase, SyncHelpers, SyncTestCase


def archived(table: str) -> int:
    return option_value(table, "stl3_status", "ARCHIVED")


def active(table: str) -> int:
    return option_value(table, "stl3_status", "ACTIVE")


def make_reference_lists_due(connection: Connection) -> None:
    """As if the lists had last been read a day ago: the next run reads them again."""
    Cursor.objects.filter(connection=connection, stream=REFERENCE_LISTS_FROM_XERO.name).update(
        updated_at=timezone.now() - timedelta(days=1)
    )


class ReferenceLists(SyncHelpers):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def rows(self, table, select: str) -> list[dict]:
        return self.dataverse().list(table.set_name, select=select, filter=f"_stl3_connectorid_value eq {self.connector_id()}")

    def make_it_due(self) -> None:
        make_reference_lists_due(self.connection)


class ReferenceListsTestCase(ReferenceLists, SyncTestCase):
    def test_create_connection_brings_xeros_lists_into_dynamics(self):
        accounts = {account["AccountID"]: account for account in self.xero().records(resources.ACCOUNTS)}
        rows = {row["stl3_xeroaccountid"]: row for row in self.rows(CHART_OF_ACCOUNTS, "stl3_xeroaccountid,stl3_code,stl3_name")}
        self.assertEqual(set(rows), set(accounts))
        some = next(account for account in accounts.values() if account.get("Code"))
        self.assertEqual(rows[some["AccountID"]]["stl3_name"], f"{some['Code']} - {some['Name']}")
        tax_types = {rate["TaxType"] for rate in self.xero().records(resources.TAX_RATES)}
        self.assertEqual({row["stl3_taxtype"] for row in self.rows(TAX_RATE, "stl3_taxtype")}, tax_types)
        currencies = {currency["Code"] for currency in self.xero().records(resources.CURRENCIES)}
        currency_rows = self.rows(CURRENCY, "stl3_code,stl3_status")
        self.assertEqual({row["stl3_code"] for row in currency_rows}, currencies)
        self.assertEqual({row["stl3_status"] for row in currency_rows}, {active("stl3_currency")})
        themes = {theme["BrandingThemeID"]: theme["Name"] for theme in self.xero().records(resources.BRANDING_THEMES)}
        theme_rows = self.rows(BRANDING_THEME, "stl3_xerobrandingthemeid,stl3_name,stl3_status")
        self.assertEqual({row["stl3_xerobrandingthemeid"]: row["stl3_name"] for row in theme_rows}, themes)
        self.assertEqual({row["stl3_status"] for row in theme_rows}, {active("stl3_brandingtheme")})
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

    def test_a_due_read_of_lists_nothing_changed_in_reads_them_and_writes_nothing(self):
        self.sync()
        quiet = self.sync()
        self.make_it_due()
        due = self.sync()
        for count in ("reference_rows_made", "reference_rows_updated", "reference_rows_archived", "dynamics_writes"):
            self.assertEqual(due.counts.get(count, 0), 0, count)
        # Xero: each list and the organisation. Dataverse: each list's rows, the tracking options' and the connection
        # row; no $batch.
        self.assertEqual(due.counts["xero_calls"] - quiet.counts.get("xero_calls", 0), len(LISTS) + 1)
        self.assertEqual(due.counts["dynamics_calls"] - quiet.counts["dynamics_calls"], len(LISTS) + 2)


class XeroRemovingFromItsListsTestCase(ReferenceLists, IsolatedSyncTestCase):
    """A branding theme or currency gone from Xero, changed in the sync tests' own sandbox (Xero's API removes
    neither) and put back whatever the test's outcome."""

    def books(self):
        tenant_id = XeroConnection.objects.get(connection=self.connection).tenant_id
        return steering.xero_books(self.sandbox.manifest, tenant_id)

    def remove_for_now(self, kind: str, record_id: str, number: str) -> None:
        """Remove one of the organisation's records from its books; the test's cleanup puts it back (`put_back`)."""
        with self.books() as books:
            self.removed = books.get(kind, record_id)
            assert self.removed is not None and books.delete(kind, record_id)
        self.addCleanup(self.put_back, kind, record_id, number)

    def put_back(self, kind: str, record_id: str, number: str) -> None:
        with self.books() as books:
            if books.get(kind, record_id) is None:
                books.put(kind, record_id, self.removed, number=number)

    def status_of(self, table, row_filter: str) -> int:
        [row] = self.dataverse().list(
            table.set_name, select="stl3_status", filter=f"_stl3_connectorid_value eq {self.connector_id()} and {row_filter}"
        )
        return row["stl3_status"]

    def test_a_branding_theme_removed_in_xero_is_archived_and_active_again_when_it_comes_back(self):
        theme = next(theme for theme in self.xero().records(resources.BRANDING_THEMES) if theme["SortOrder"])  # not the default
        shown = f"stl3_xerobrandingthemeid eq '{theme['BrandingThemeID']}'"
        self.assertEqual(self.status_of(BRANDING_THEME, shown), active("stl3_brandingtheme"))
        self.remove_for_now("branding_theme", theme["BrandingThemeID"], theme["Name"])
        self.assertEqual(self.sync().counts.get("reference_rows_archived", 0), 0)  # not due: Xero is not read
        self.make_it_due()
        gone = self.sync()
        self.assertEqual(gone.counts["reference_rows_archived"], 1)
        self.assertEqual(self.status_of(BRANDING_THEME, shown), archived("stl3_brandingtheme"))
        self.put_back("branding_theme", theme["BrandingThemeID"], theme["Name"])
        self.make_it_due()
        back = self.sync()
        self.assertEqual((back.counts["reference_rows_updated"], back.counts.get("reference_rows_archived", 0)), (1, 0))
        self.assertEqual(self.status_of(BRANDING_THEME, shown), active("stl3_brandingtheme"))

    def test_a_currency_removed_in_xero_is_archived_and_active_again_when_it_comes_back(self):
        [organisation] = self.xero().records(resources.ORGANISATION)
        code = next(
            currency["Code"]
            for currency in self.xero().records(resources.CURRENCIES)
            if currency["Code"] != organisation["BaseCurrency"]
        )
        shown = f"stl3_code eq '{code}'"
        self.remove_for_now("currency", code, code)
        self.make_it_due()
        gone = self.sync()
        self.assertEqual(gone.counts["reference_rows_archived"], 1)
        self.assertEqual(self.status_of(CURRENCY, shown), archived("stl3_currency"))
        self.make_it_due()
        self.assertEqual(self.sync().counts.get("reference_rows_updated", 0), 0)  # still gone: archived once, not again
        self.put_back("currency", code, code)
        self.make_it_due()
        back = self.sync()
        self.assertEqual(back.counts["reference_rows_updated"], 1)
        self.assertEqual(self.status_of(CURRENCY, shown), active("stl3_currency"))
