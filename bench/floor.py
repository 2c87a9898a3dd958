"""The floor under `bench sync`: the same kinds and numbers of API calls the connector's run makes, made by a bare
HTTP client with none of the connector's logic (no mapping, ledger, history, retries, pacing), against a fresh pair of
organisations of the same sandboxes in the same run. The connector's end-to-end rate over the floor's
(`ratio_to_floor`) holds on a noisy machine where absolute rates move ±20% between runs.

The pair: the Dynamics organisation "Oakwood Sales (Test)" (the operator's application user, as the benchmark's own
seeding uses), seeded with the same invoices, customers and products as the connector's; and the Xero organisation the
sandbox's first user holds besides the connector's (consented to for this client alone, its tokens exchanged by hand).

Untimed, beforehand: the seeding, the sign-ins, one read of the invoices and the Xero bodies built from it (contacts,
items, invoices). Timed, in the order the connector makes them:
1. the change feeds (`Prefer: odata.track-changes`, pages of 5,000) of the tables the connector follows that the
   floor organisation has: invoices, invoice lines, accounts, contacts, products (the connector's own Xero details
   table is not there: the floor organisation has no connector solution);
2. the changed invoices read in full by id, 200 a query, lines and customer expanded;
3. Xero: contacts, items, then invoices PUT 50 a call (`summarizeErrors=false`);
4. the write-back: `$batch` calls of up to 1,000 requests, three PATCHes per invoice (the connector's write-back
   patches the invoice, its Xero details row and a sync history row; without the solution's tables the floor
   patches the invoice three times).
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.environment import Options, World
from bench.seeding import seed

FLOOR_ORGANISATION = "Oakwood Sales (Test)"
IDS_PER_QUERY = 200
XERO_BATCH = 50
BATCH_REQUESTS = 1000
WRITE_BACK_PER_INVOICE = 3
FEEDS = (
    ("invoices", "invoiceid"),
    ("invoicedetails", "invoicedetailid"),
    ("accounts", "accountid"),
    ("contacts", "contactid"),
    ("products", "productid"),
)
INVOICE_SELECT = "invoiceid,name,description,datedelivered,duedate,totalamount,_customerid_value"
INVOICE_EXPAND = (
    "customerid_account($select=accountid,name,accountnumber,emailaddress1),"
    "invoice_details($select=invoicedetailid,quantity,priceperunit,manualdiscountamount,productdescription,"
    "isproductoverridden,sequencenumber;$expand=productid($select=productid,name,productnumber,price))"
)


def floor_rate(invoices: int, seconds: float) -> float:
    """Invoices a second the floor reached."""
    if seconds <= 0:
        raise ValueError("no time measured")
    return round(invoices / seconds, 1)


def ratio_to_floor(invoices_per_second: float, floor_invoices_per_second: float) -> float:
    """The connector's end-to-end rate over the floor's: 1.0 would be the connector costing nothing above its calls."""
    if floor_invoices_per_second <= 0:
        raise ValueError("no floor rate")
    return round(invoices_per_second / floor_invoices_per_second, 3)


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Floor:
    """The fresh pair, signed in, with its bodies built: ready to time."""

    org_url: str
    dataverse_token: str
    xero_api: str
    xero_tenant: str
    xero_token: str
    ca_file: str
    invoice_ids: list[str] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    invoices: list[dict[str, Any]] = field(default_factory=list)
    dataverse_calls: int = 0
    xero_calls: int = 0

    # --- preparing (untimed) -----------------------------------------------------------------------------------
    @classmethod
    def prepare(cls, world: World, options: Options) -> Floor:
        """Seed the floor's Dynamics organisation like the connector's, sign in on both sides, build the bodies."""
        from django.conf import settings

        from dxconnector.dynamics import auth
        from dxconnector.dynamics.client import DataverseClient

        org = next(o for o in world.manifest["microsoft"]["organisations"] if o["friendly_name"] == FLOOR_ORGANISATION)
        config = auth.DynamicsOAuthConfig.from_settings()
        token = auth.app_token(config, org["tenant_id"], org["url"]).value
        print(f"Floor: seeding {FLOOR_ORGANISATION} as the connector's organisation", file=sys.stderr, flush=True)
        with DataverseClient(
            org["url"],
            auth.TokenSource(lambda: auth.app_token(config, org["tenant_id"], org["url"])),
            settings.CA_BUNDLE,
            timeout=120,
        ) as client:
            seeded = seed(
                client,
                invoices=options.invoices,
                lines=options.lines,
                customers=options.customers,
                products=options.products,
                seed=options.seed,
            )
        tenant, xero_token = _xero_sign_in(world)
        floor = cls(
            org_url=org["url"].rstrip("/"),
            dataverse_token=token,
            xero_api=world.manifest["xero"]["api_url"],
            xero_tenant=tenant,
            xero_token=xero_token,
            ca_file=world.manifest["ca_file"],
            invoice_ids=list(seeded.invoices),
        )
        floor._build_bodies()
        return floor

    def _build_bodies(self) -> None:
        """The Xero bodies, from one untimed read of the seeded invoices: every customer a contact, every product an
        item, every invoice a draft sales invoice naming them."""
        with self._dataverse() as client:
            rows = [row for ids in chunks(self.invoice_ids, IDS_PER_QUERY) for row in self._read_invoices(client, ids)]
        contacts: dict[str, dict[str, Any]] = {}
        items: dict[str, dict[str, Any]] = {}
        for row in rows:
            account = row.get("customerid_account") or {}
            contacts[account["accountid"]] = {
                "Name": account["name"],
                "AccountNumber": account.get("accountnumber"),
                "EmailAddress": account.get("emailaddress1"),
            }
            lines = []
            for line in sorted(row.get("invoice_details") or [], key=lambda each: each.get("sequencenumber") or 0):
                product = line.get("productid")
                entry = {"Quantity": line["quantity"], "UnitAmount": line.get("priceperunit") or 0, "AccountCode": "200"}
                if product:
                    items[product["productid"]] = {
                        "Code": product["productnumber"],
                        "Name": product["name"],
                        "SalesDetails": {"UnitPrice": product.get("price") or 0, "AccountCode": "200"},
                    }
                    entry.update(ItemCode=product["productnumber"], Description=product["name"])
                else:
                    entry["Description"] = line.get("productdescription") or "Written in"
                lines.append(entry)
            self.invoices.append(
                {
                    "Type": "ACCREC",
                    "Contact": {"Name": account["name"]},
                    "Reference": row["name"],
                    "Date": (row.get("datedelivered") or "")[:10] or None,
                    "DueDate": (row.get("duedate") or row.get("datedelivered") or "")[:10] or None,
                    "LineAmountTypes": "Exclusive",
                    "Status": "DRAFT",
                    "LineItems": lines,
                }
            )
        self.contacts, self.items = list(contacts.values()), list(items.values())

    # --- the timed calls ---------------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        """Make the calls, timed from the first to the last; returns the floor's figures."""
        started = time.perf_counter()
        with self._dataverse() as dataverse, self._xero() as xero:
            changed = self._change_feeds(dataverse)
            read = [row for ids in chunks(changed, IDS_PER_QUERY) for row in self._read_invoices(dataverse, ids)]
            refused = self._put(xero, "Contacts", self.contacts)
            refused += self._put(xero, "Items", self.items)
            refused += self._put(xero, "Invoices", self.invoices)
            self._write_back(dataverse, [row["invoiceid"] for row in read])
        seconds = time.perf_counter() - started
        return {
            "floor_seconds": round(seconds, 2),
            "floor_invoices_per_second": floor_rate(len(self.invoice_ids), seconds),
            "floor_xero_calls": self.xero_calls,
            "floor_dataverse_calls": self.dataverse_calls,
            "floor_invoices_read": len(read),
            "floor_xero_refused": refused,
        }

    def _change_feeds(self, client: httpx.Client) -> list[str]:
        """Every followed table's change feed read to its delta link; the changed invoices' ids."""
        changed: dict[str, None] = {}
        for table, key in FEEDS:
            headers = {"Prefer": "odata.track-changes,odata.maxpagesize=5000"}
            for page in self._pages(client, table, {"$select": key}, headers):
                if table == "invoices":
                    changed.update((str(row[key]), None) for row in page.get("value", []) if key in row)
        wanted = set(self.invoice_ids)
        return [invoice_id for invoice_id in changed if invoice_id in wanted]

    def _read_invoices(self, client: httpx.Client, ids: list[str]) -> list[dict[str, Any]]:
        quoted = ",".join(f"'{invoice_id}'" for invoice_id in ids)
        params = {
            "$select": INVOICE_SELECT,
            "$filter": f"Microsoft.Dynamics.CRM.In(PropertyName='invoiceid',PropertyValues=[{quoted}])",
            "$expand": INVOICE_EXPAND,
        }
        headers = {"Prefer": f"odata.maxpagesize={len(ids)}"}
        return [row for page in self._pages(client, "invoices", params, headers) for row in page.get("value", [])]

    def _pages(
        self, client: httpx.Client, path: str, params: dict[str, str] | None, headers: dict[str, str]
    ) -> Iterator[dict[str, Any]]:
        url: str | None = path
        while url:
            self.dataverse_calls += 1
            answer = client.get(url, params=params, headers=headers)
            answer.raise_for_status()
            page = answer.json()
            yield page
            url, params = page.get("@odata.nextLink"), None

    def _put(self, client: httpx.Client, collection: str, bodies: list[dict[str, Any]]) -> int:
        """PUT the bodies 50 a call; returns how many Xero refused (the floor goes on, as the connector would)."""
        refused = 0
        for batch in chunks(bodies, XERO_BATCH):
            self.xero_calls += 1
            answer = client.put(collection, params={"summarizeErrors": "false"}, json={collection: batch})
            if answer.status_code >= 400 and answer.status_code != 400:
                answer.raise_for_status()
            refused += sum(1 for element in answer.json().get(collection, []) if element.get("HasErrors"))
        return refused

    def _write_back(self, client: httpx.Client, invoice_ids: list[str]) -> None:
        from dxconnector.dynamics.batch import BatchRequest, decode, encode

        requests = [
            BatchRequest("PATCH", f"invoices({invoice_id})", {"description": f"Xero write-back {n}"}, {"If-Match": "*"})
            for invoice_id in invoice_ids
            for n in range(WRITE_BACK_PER_INVOICE)
        ]
        for chunk in chunks(requests, BATCH_REQUESTS):
            boundary = f"batch_{uuid.uuid4()}"
            self.dataverse_calls += 1
            answer = client.post(
                "$batch",
                content=encode(chunk, self.org_url + "/api/data/v9.2/", boundary),
                headers={"Content-Type": f'multipart/mixed; boundary="{boundary}"', "Prefer": "odata.continue-on-error"},
            )
            answer.raise_for_status()
            failed = [part for part in decode(answer.content, answer.headers.get("content-type", "")) if not part.ok]
            if failed:
                raise RuntimeError(f"floor write-back: {len(failed)} of {len(chunk)} refused, e.g. {failed[0].error}")

    # --- bare clients ------------------------------------------------------------------------------------------
    def _dataverse(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.org_url + "/api/data/v9.2/",
            headers={
                "Authorization": f"Bearer {self.dataverse_token}",
                "Accept": "application/json",
                "OData-Version": "4.0",
                "OData-MaxVersion": "4.0",
            },
            verify=self.ca_file,
            timeout=120,
        )

    def _xero(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.xero_api.rstrip("/") + "/",
            headers={
                "Authorization": f"Bearer {self.xero_token}",
                "Xero-tenant-id": self.xero_tenant,
                "Accept": "application/json",
            },
            verify=self.ca_file,
            timeout=120,
        )


def _xero_sign_in(world: World) -> tuple[str, str]:
    """The sandbox's first Xero user consents the connector's web app to both its organisations, for this client alone;
    the code is exchanged by hand. Returns the organisation that is not the connector's, and an access token."""
    from dxconnector.connections.models import XeroConnection
    from dxsandbox.consent import xero_consent

    xero = world.manifest["xero"]
    app = next(app for app in xero["apps"] if app["kind"] == "web")
    user = xero["users"][0]
    redirect = app["redirect_uris"][0]
    state = uuid.uuid4().hex
    authorize = httpx.URL(
        xero["authorize_url"],
        params={
            "response_type": "code",
            "client_id": app["client_id"],
            "redirect_uri": redirect,
            "scope": "openid offline_access accounting.transactions accounting.contacts accounting.settings",
            "state": state,
        },
    )
    location = httpx.URL(xero_consent(world.manifest["hosts"]["xero-login"], str(authorize), user, tenants=2))
    answer = httpx.post(
        xero["token_url"],
        data={"grant_type": "authorization_code", "code": location.params["code"], "redirect_uri": redirect},
        auth=(app["client_id"], app["client_secret"]),
        verify=world.manifest["ca_file"],
        timeout=60,
    )
    answer.raise_for_status()
    token = answer.json()["access_token"]
    taken = set(XeroConnection.objects.values_list("tenant_id", flat=True))
    tenant = next(t for t in user["organisations"] if t not in taken)
    return tenant, token
