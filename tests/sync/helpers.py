"""A fully connected connection against a sandbox, and invoices made in its Dynamics through the Web API."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import F
from django.test import override_settings

from dxconnector.connections.clients import Clients, dynamics_client
from dxconnector.connections.models import (
    Connection,
    DynamicsConnection,
    TrialUse,
    XeroConnection,
)
from dxconnector.connections.tokens import DatabaseTokenStore
from dxconnector.domain.mapping.choices import option_value
from dxconnector.dynamics import webhooks
from dxconnector.dynamics.client import DataverseClient
from dxconnector.dynamics.solution.definition import (
    BRANDING_THEME,
    CHART_OF_ACCOUNTS,
    CONNECTION,
    SETTINGS,
    TAX_RATE,
    TRACKING_CATEGORY,
    TRACKING_OPTION,
)
from dxconnector.sync.engine import run_sync
from dxconnector.sync.models import Link, SyncAttempt, SyncRun
from dxconnector.xero import resources
from dxconnector.xero.client import XeroApiConfig, XeroClient
from dxconnector.xero.limits import Limits, RateGovernor
from tests.base import BaseTestCase, run_jobs
from tests.sandbox.microsoft.browser import sign_in
from tests.sandboxes import RunningSandbox, connector_settings, xero_consent

ORGANISATION = "Oakwood Sales (Test)"
# The shared sandbox runs without Xero's limits (every suite calls the same organisation); the clients of these
# tests do not count calls against 60 a minute either, or the suite would spend most of its time waiting.
UNLIMITED = RateGovernor(Limits(concurrent=5, per_minute=1_000_000, per_day=10_000_000))


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


class SyncHelpers:
    """Each test gets its own connection (its own connector and settings rows in Dynamics), so tests sharing
    the session's sandbox never see each other's invoices. The webhooks Create Connection registers in the
    shared organisation are removed again after each test."""

    sandbox: RunningSandbox
    connection: Connection
    sandbox_fixture = "sandbox"  # the session's shared sandbox

    @pytest.fixture(autouse=True)
    def _use_sandbox(self, request):
        self.sandbox = request.getfixturevalue(self.sandbox_fixture)
        with override_settings(**connector_settings(self.sandbox)):
            yield

    def setUp(self) -> None:
        super().setUp()
        self._clients: list[DataverseClient] = []
        self._onboarded: list[Connection] = []

    def tearDown(self) -> None:
        for connection in self._onboarded:
            if DynamicsConnection.objects.filter(connection=connection).exists():
                webhooks.unregister(self.dataverse(connection), str(connection.pk))
        for client in self._clients:
            client.close()
        super().tearDown()

    # --- onboarding, as the portal does it -------------------------------------------------------------
    def onboard(self, connection: Connection | None = None, **settings: Any) -> Connection:
        """Connect Xero and Dynamics, install the solution, Create Connection and start the trial; then set the
        connection's settings row in Dynamics (not the default connection unless asked)."""
        connection = connection or self.connection
        self._onboarded.append(connection)
        self.client.force_login(connection.owner)
        base = f"/connections/{connection.pk}"
        location = xero_consent(self.sandbox, self.client.post(f"{base}/xero/connect/")["Location"], user_index=1)
        self.client.get("/xero/callback/" + location[location.index("?") :])
        admin = next(u for u in self.sandbox.manifest["microsoft"]["users"] if u["email"] == "admin@oakwood.sandbox")
        answer = sign_in(self.client.post(f"{base}/dynamics/connect/")["Location"], admin)
        self.client.get("/dynamics/callback/", answer)
        self.authorization_codes = [parse_qs(urlsplit(location).query)["code"][0], answer["code"]]  # Xero's, Microsoft's
        org_id = next(o["id"] for o in self.sandbox.manifest["microsoft"]["organisations"] if o["friendly_name"] == ORGANISATION)
        self.client.post(f"{base}/dynamics/select/", {"org_id": org_id})
        self.client.post(f"{base}/solution/install/")
        run_jobs()  # the install's job: the solution imported into Dynamics
        self.client.post(f"{base}/defaults/", {"name": "Alpha Test", "time_zone": "Europe/London"})
        self.client.post(f"{base}/create/")
        run_jobs()  # Create Connection's job: the rows and webhooks in Dynamics, Xero's lists
        connection.refresh_from_db()
        assert connection.status == Connection.Status.CREATED, "the connection was not created"
        # The tests onboard several connections to the sandbox's one organisation on each side: a trial is used once per
        # organisation, so the operator grants each another, as they would in the admin.
        TrialUse.objects.update(allowed=F("used") + 1)
        assert connection.start_trial()
        self.set_settings(
            connection,
            **{
                "stl3_isdefaultconnection": False,
                "stl3_defaultsalesaccountcode": "200",
                "stl3_defaultpurchaseaccountcode": "300",
                **settings,
            },
        )
        return connection

    def dataverse(self, connection: Connection | None = None) -> DataverseClient:
        client = dynamics_client(DynamicsConnection.objects.get(connection=connection or self.connection))
        self._clients.append(client)
        return client

    def xero(self, connection: Connection | None = None, **config: Any) -> XeroClient:
        xero = XeroConnection.objects.get(connection=connection or self.connection)
        return XeroClient(
            replace(XeroApiConfig.from_settings(), **config), DatabaseTokenStore(xero.pk), xero.tenant_id, UNLIMITED
        )

    def clients(self, connection: Connection, **xero_config: Any) -> Clients:
        """What the engine syncs with in these tests: the connection's own clients, without the call budget."""
        return Clients(dynamics_client(connection.dynamics), self.xero(connection, **xero_config))

    def connector_id(self, connection: Connection | None = None) -> str:
        connection = connection or self.connection
        [row] = self.dataverse(connection).list(
            CONNECTION.set_name, select=CONNECTION.primary_id, filter=f"stl3_portalconnectionid eq '{connection.pk}'"
        )
        return row[CONNECTION.primary_id]

    def set_settings(self, connection: Connection | None = None, **columns: Any) -> None:
        client = self.dataverse(connection)
        [row] = client.list(
            SETTINGS.set_name, select=SETTINGS.primary_id, filter=f"_stl3_connectorid_value eq {self.connector_id(connection)}"
        )
        client.update(SETTINGS.set_name, row[SETTINGS.primary_id], columns)

    # --- Dynamics records, made as a Dynamics user (or an integration) makes them ----------------------------
    def make_account(self, name: str | None = None, number: str | None = None, **columns: Any) -> dict[str, Any]:
        client = self.dataverse()
        name = name or unique("Account")
        body = {"name": name, "accountnumber": number if number is not None else f"A-{uuid.uuid4().hex[:8]}", **columns}
        account_id = client.create("accounts", body)
        return {"id": account_id, **body}

    def make_product(
        self, name: str | None = None, number: str | None = None, price: str = "25.00", **columns: Any
    ) -> dict[str, Any]:
        client = self.dataverse()
        [schedule] = client.list("uomschedules", select="uomscheduleid", top="1")
        [unit] = client.list("uoms", select="uomid", filter=f"_uomscheduleid_value eq {schedule['uomscheduleid']}", top="1")
        name = name or unique("Product")
        number = number or f"P-{uuid.uuid4().hex[:8]}"
        product_id = client.create(
            "products",
            {
                "name": name,
                "productnumber": number,
                "price": float(price),
                "defaultuomscheduleid@odata.bind": f"/uomschedules({schedule['uomscheduleid']})",
                "defaultuomid@odata.bind": f"/uoms({unit['uomid']})",
                **columns,
            },
        )
        return {"id": product_id, "name": name, "number": number, "price": Decimal(price)}

    def make_invoice(
        self,
        customer: dict[str, Any],
        lines: list[dict[str, Any]],
        *,
        connection: Connection | None = None,
        delivered: datetime | None = None,
        customer_kind: str = "account",
        assigned: bool = True,
        **columns: Any,
    ) -> str:
        """An invoice for this connection (none with `assigned=False`), its lines made with it (deep insert). A
        line is a dict with `product` (from make_product) or `description`, and `quantity`, `price` and `discount`;
        `columns` adds any other columns of the line (its sequence number, bundle role, account code…)."""
        client = self.dataverse(connection)
        [price_list] = client.list("pricelevels", select="pricelevelid", top="1")
        delivered = delivered or datetime.now(UTC) - timedelta(days=1)
        body = {
            "name": unique("Order"),
            f"customerid_{customer_kind}@odata.bind": f"/{customer_kind}s({customer['id']})",
            "pricelevelid@odata.bind": f"/pricelevels({price_list['pricelevelid']})",
            "datedelivered": delivered.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "invoice_details": [self._line(line) for line in lines],
            **columns,
        }
        if assigned:
            body["stl3_connectorid@odata.bind"] = f"/{CONNECTION.set_name}({self.connector_id(connection)})"
        return client.create("invoices", body)

    @staticmethod
    def _line(line: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "quantity": float(line.get("quantity", 1)),
            "manualdiscountamount": float(line.get("discount", 0)),
        }
        if "product" in line:
            body["productid@odata.bind"] = f"/products({line['product']['id']})"
            if "price" in line:
                body.update(ispriceoverridden=True, priceperunit=float(line["price"]))
        else:
            body.update(isproductoverridden=True, productdescription=line["description"], priceperunit=float(line["price"]))
        return {**body, **line.get("columns", {})}

    # --- Xero's lists as the reference sync keeps them in Dynamics (made here directly) ------------------------
    def account_code(self, code: str) -> dict[str, str]:
        """A chart-of-accounts row for this code; bind it with `stl3_accountcodeid@odata.bind`."""
        row_id = self.dataverse().create(
            CHART_OF_ACCOUNTS.set_name, {"stl3_name": f"{code} - {unique('Account')}", "stl3_code": code}
        )
        return {"stl3_accountcodeid@odata.bind": f"/{CHART_OF_ACCOUNTS.set_name}({row_id})"}

    def tax_rate(self, tax_type: str) -> dict[str, str]:
        row_id = self.dataverse().create(TAX_RATE.set_name, {"stl3_name": unique(tax_type), "stl3_taxtype": tax_type})
        return {"stl3_taxrateid@odata.bind": f"/{TAX_RATE.set_name}({row_id})"}

    def tracking_option(self, category: str, option: str, slot: int = 1) -> dict[str, str]:
        client = self.dataverse()
        category_id = client.create(TRACKING_CATEGORY.set_name, {"stl3_name": category})
        option_id = client.create(
            TRACKING_OPTION.set_name,
            {"stl3_name": option, "stl3_trackingcategoryid@odata.bind": f"/{TRACKING_CATEGORY.set_name}({category_id})"},
        )
        return {f"stl3_trackingoption{slot}id@odata.bind": f"/{TRACKING_OPTION.set_name}({option_id})"}

    def branding_theme(self, xero_theme_id: str) -> dict[str, str]:
        row_id = self.dataverse().create(
            BRANDING_THEME.set_name, {"stl3_name": unique("Theme"), "stl3_xerobrandingthemeid": xero_theme_id}
        )
        return {"stl3_brandingthemeid@odata.bind": f"/{BRANDING_THEME.set_name}({row_id})"}

    def invoice_row(self, invoice_id: str, **query: str) -> dict[str, Any]:
        return self.dataverse().request("GET", f"invoices({invoice_id})", params={f"${k}": v for k, v in query.items()}).json()

    def details(self, invoice_id: str, columns: str) -> list[dict[str, Any]]:
        """The invoice's Xero details rows (ours)."""
        return self.dataverse().list("stl3_xeroinvoices", select=columns, filter=f"_stl3_invoiceid_value eq {invoice_id}")

    def xero_invoice(self, xero_id: str) -> dict[str, Any]:
        body, _ = self.xero().request("get_invoice", xero_id, unitdp=4)
        return body["Invoices"][0]

    def xero_credit_note(self, xero_id: str) -> dict[str, Any]:
        body, _ = self.xero().request("get_credit_note", xero_id, unitdp=4)
        return body["CreditNotes"][0]

    def xero_document(self, invoice_id: str) -> dict[str, Any]:
        """The synced invoice's Xero copy, from Invoices or CreditNotes as the ledger says it went."""
        link = self.link(invoice_id)
        if link.sent_type and link.sent_type.endswith("CREDIT"):
            return self.xero_credit_note(link.xero_id)
        return self.xero_invoice(link.xero_id)

    def lines(self, invoice_id: str, columns: str = "invoicedetailid") -> list[dict[str, Any]]:
        return self.dataverse().list("invoicedetails", select=columns, filter=f"_invoiceid_value eq {invoice_id}")

    def in_xero(self, resource, element: dict[str, Any]) -> dict[str, Any]:
        """A record made directly in Xero (as a bookkeeper would), for the sync to find."""
        [result] = self.xero().write(resource, [element], create_only=True)
        assert result.ok, result.errors
        return result.record

    def xero_invoices_linking_to(self, invoice_id: str) -> list[dict[str, Any]]:
        """Every Xero invoice whose link points at this Dynamics invoice: more than one would be a duplicate."""
        return list(self.xero().records(resources.INVOICES, where=f'Url.EndsWith("id={invoice_id}")'))

    def cancel_invoice(self, invoice_id: str) -> None:
        self.dataverse().update("invoices", invoice_id, {"statecode": 3, "statuscode": 100003})

    def attempts(self, invoice_id: str, direction: str | None = SyncAttempt.Direction.TO_XERO) -> list[SyncAttempt]:
        """The invoice's attempts, oldest first: those towards Xero unless another direction (or None: all) is asked."""
        found = SyncAttempt.objects.filter(connection=self.connection, dynamics_id=invoice_id).order_by("attempted_at")
        return list(found.filter(direction=direction) if direction else found)

    def link(self, invoice_id: str) -> Link:
        return Link.objects.get(connection=self.connection, kind=Link.Kind.INVOICE, dynamics_id=invoice_id)

    def history(self, invoice_id: str) -> list[dict[str, Any]]:
        return self.dataverse().list(
            "stl3_synchistories", filter=f"_stl3_invoiceid_value eq {invoice_id}", orderby="stl3_attemptedon asc"
        )

    def run_once(self, trigger: str = "test", **kwargs: Any) -> SyncRun:
        return run_sync(self.connection.pk, trigger, **{"clients": self.clients, **kwargs})

    def sync(self, trigger: str = "test", **kwargs: Any) -> SyncRun:
        run = self.run_once(trigger, **kwargs)
        assert run.status == SyncRun.Status.SUCCEEDED, (run.status, run.error)
        return run


class SyncTestCase(SyncHelpers, BaseTestCase):
    pass


class IsolatedSyncTestCase(SyncTestCase):
    """On the sync tests' own sandbox (tests/sync/conftest.py)."""

    sandbox_fixture = "isolated_sandbox"


def invoice_choice(column: str, code: str) -> int:
    """An invoice column's choice value by its code, e.g. invoice_choice("stl3_xeroinvoicetype", "ACCPAY")."""
    return option_value("invoice", column, code)


def settings_choice(column: str, code: str) -> int:
    return option_value(SETTINGS.name, column, code)


def lines_of(xero: dict[str, Any]) -> list[tuple]:
    """A Xero document's lines as (description, quantity, unit amount, item code, account code)."""
    return [
        (
            line["Description"],
            _amount(line.get("Quantity")),
            _amount(line.get("UnitAmount")),
            line.get("ItemCode"),
            line.get("AccountCode"),
        )
        for line in xero["LineItems"]
    ]


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
