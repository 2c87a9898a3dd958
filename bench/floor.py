"""The floor under `bench sync`: the same API calls the connector's run makes, made by a bare HTTP client with none of
the connector's logic (no decisions, ledger, history, retries, pacing), against a fresh pair of organisations of the
same sandboxes in the same run. The connector's end-to-end rate over the floor's (`ratio_to_floor`) holds on a noisy
machine where absolute rates move ±20% between runs.

"The same calls" is meant literally: the queries are the connector's own (its streams' change feeds, its `$select`
and `$expand` of invoices, customers and products, its page sizes and ids per query, imported from `dxconnector`
rather than copied, so that they cannot drift); the Xero bodies and the write-back requests are built with the
connector's own mapping and request builders. Only building them happens beforehand, untimed.

The pair: the Dynamics organisation "Oakwood Sales (Test)" (the operator's application user, as the benchmark's own
seeding uses), seeded with the same invoices, customers and products as the connector's, the connector's solution
imported and a connector row of its own made (its details, history, contact and item rows need their tables); and the
Xero organisation the sandbox's first user holds besides the connector's (consented to for this client alone, its
tokens exchanged by hand).

Untimed, beforehand: the seeding, the solution, the sign-ins, one read of the invoices, customers and products with the
connector's reader, and from it the Xero bodies (contacts, items, invoices: the connector's mapping) and the
write-back requests (the connector's builders, onto a made-up Xero answer of the same shape). Timed, in the order the
connector's run makes them:
1. the connector row and its settings (one query);
2. the invoice stream's change feeds (`Prefer: odata.track-changes`, the connector's page size);
3. the changed invoices read in full, the stream's batches of 500 read 200 ids a query;
4. Xero: the contact list (one page), contacts PUT 50 a call, the item list, items POSTed 50 a call;
5. per batch of 500 invoices: invoices PUT 50 a call (`summarizeErrors=false`, `unitdp=4`; each names the contact
   Xero just made), then the write-back in `$batch` calls of up to 1,000 requests (each invoice's details row, the
   invoice itself and a sync history row);
6. the customers' and products' change feeds, their rows read by id, and their Xero contact and item rows written
   back in one `$batch` each.

Each call is counted by kind (`floor_calls`), beside the sandboxes' own count of the floor's calls; `run_calls` says
what the connector's run made of each kind, as its stream design makes them, from what it recorded.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import httpx

from bench.environment import Options, World
from bench.seeding import seed

FLOOR_ORGANISATION = "Oakwood Sales (Test)"
FLOOR_PORTAL_CONNECTION = "00000000-0000-4000-8000-00000000f100"  # the floor's connector row names no real connection


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
class Prepared:
    """What the floor sends, built beforehand with the connector's mapping and request builders."""

    invoice_ids: list[str]
    customer_ids: list[str]
    product_ids: list[str]
    contacts: list[dict[str, Any]]  # in the order of `customer_ids`
    items: list[dict[str, Any]]
    invoices: list[dict[str, Any]]  # in the order of `invoice_ids`; Contact.ContactID is the customer's id till sent
    invoice_write_back: list[list[Any]]  # per invoice: its details row, the invoice, its history row
    customer_write_back: list[Any]
    product_write_back: list[Any]


@dataclass
class Floor:
    """The fresh pair, signed in, with its bodies built: ready to time."""

    org_url: str
    dataverse_token: str
    xero_api: str
    xero_tenant: str
    xero_token: str
    ca_file: str
    dataverse_control: str  # the floor organisation's control base: the sandbox counts its calls there
    prepared: Prepared | None = None
    calls: Counter[str] = field(default_factory=Counter)

    # --- preparing (untimed) -----------------------------------------------------------------------------------
    @classmethod
    def prepare(cls, world: World, options: Options) -> Floor:
        """Seed the floor's Dynamics organisation like the connector's, import the connector's solution and make a
        connector row there, sign in on both sides, build the bodies and the write-back."""
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
            connector_id = _install(client)
            prepared = _build(client, connector_id, list(seeded.invoices))
        tenant, xero_token = _xero_sign_in(world)
        return cls(
            org_url=org["url"].rstrip("/"),
            dataverse_token=token,
            xero_api=world.manifest["xero"]["api_url"],
            xero_tenant=tenant,
            xero_token=xero_token,
            ca_file=world.manifest["ca_file"],
            dataverse_control=org["control_url"],
            prepared=prepared,
        )

    # --- the timed calls ---------------------------------------------------------------------------------------
    def run(self, world: World) -> dict[str, Any]:
        """Make the calls, timed from the first to the last; returns the floor's figures, its calls by kind as it
        counted them and as the sandboxes counted them."""
        from dxconnector.sync import streams

        assert self.prepared is not None
        work = self.prepared
        for host in (world.xero_api, self.dataverse_control):
            world.control(host, "POST", "/reset-stats")
        started = time.perf_counter()
        with self._dataverse() as dataverse, self._xero() as xero:
            self._connector_row(dataverse)
            self._feeds(dataverse, streams.INVOICES_TO_XERO)
            for batch in chunks(work.invoice_ids, streams.INVOICES_TO_XERO.batch_size):
                self._read(dataverse, "invoices", batch)
            contact_ids = self._contacts(xero, work.contacts)
            self._items(xero, work.items)
            refused = 0
            for start in range(0, len(work.invoices), streams.INVOICES_TO_XERO.batch_size):
                batch = work.invoices[start : start + streams.INVOICES_TO_XERO.batch_size]
                for body in batch:  # the contact Xero just made for the customer: all the floor knows of it
                    body["Contact"] = {"ContactID": contact_ids[body["Contact"]["ContactID"]]}
                refused += self._put_invoices(xero, batch)
                requests = work.invoice_write_back[start : start + len(batch)]
                self._batch(dataverse, [request for each in requests for request in each])
            self._feeds(dataverse, streams.CUSTOMERS)
            self._read(dataverse, "accounts", work.customer_ids)
            self._batch(dataverse, work.customer_write_back)
            self._feeds(dataverse, streams.PRODUCTS_TO_XERO)
            self._read(dataverse, "products", work.product_ids)
            self._batch(dataverse, work.product_write_back)
        seconds = time.perf_counter() - started
        counted = {
            "xero": world.control(world.xero_api, "GET", "/stats"),
            "dataverse": world.control(self.dataverse_control, "GET", "/stats"),
        }
        return {
            "floor_seconds": round(seconds, 2),
            "floor_invoices_per_second": floor_rate(len(work.invoice_ids), seconds),
            "floor_xero_calls": int(counted["xero"].get("calls", 0)),  # as the sandboxes counted them
            "floor_dataverse_calls": int(counted["dataverse"].get("calls", 0)),
            "floor_calls": dict(sorted(self.calls.items())),  # as the floor counted them, by kind
            "floor_dataverse_writes": sum(len(each) for each in work.invoice_write_back)
            + len(work.customer_write_back)
            + len(work.product_write_back),
            "floor_invoices": len(work.invoice_ids),
            "floor_xero_refused": refused,
        }

    def _connector_row(self, client: httpx.Client) -> None:
        """The connector's first call of a run: its connector row and settings (`connection_rows`' query)."""
        from dxconnector.domain.names import ConnectorTable
        from dxconnector.dynamics.changes import SETTINGS_NAVIGATION
        from dxconnector.dynamics.solution.definition import CONNECTION

        params = {
            "$select": CONNECTION.primary_id,
            "$filter": f"{ConnectorTable.PORTAL_CONNECTION_ID} eq '{FLOOR_PORTAL_CONNECTION}'",
            "$expand": SETTINGS_NAVIGATION,
        }
        for _ in self._pages(client, "dataverse GET connector row", CONNECTION.set_name, params, {}):
            pass

    def _feeds(self, client: httpx.Client, stream: Any) -> None:
        """A stream's change feeds from the start, read to their delta links (`changes._tracked`'s query)."""
        from dxconnector.dynamics.changes import PAGE_SIZE

        headers = {"Prefer": f"odata.track-changes,odata.maxpagesize={PAGE_SIZE}"}
        for watch in stream.watch:
            for _ in self._pages(client, "dataverse GET change feed", watch.entity_set, {"$select": watch.select}, headers):
                pass

    def _read(self, client: httpx.Client, entity_set: str, ids: list[str]) -> None:
        """Rows read in full by id, the connector's columns and expansions, 200 ids a query."""
        from dxconnector.dynamics import changes

        for chunk in chunks(ids, changes.IDS_PER_QUERY):
            params, headers = _read_query(entity_set, chunk)
            for _ in self._pages(client, f"dataverse GET {entity_set} by id", entity_set, params, headers):
                pass

    def _pages(
        self, client: httpx.Client, kind: str, path: str, params: dict[str, str] | None, headers: dict[str, str]
    ) -> Iterator[dict[str, Any]]:
        url: str | None = path
        while url:
            self.calls[kind] += 1
            answer = client.get(url, params=params, headers=headers)
            answer.raise_for_status()
            page = answer.json()
            yield page
            url, params = page.get("@odata.nextLink"), None

    def _contacts(self, client: httpx.Client, contacts: list[dict[str, Any]]) -> dict[str, str]:
        """The contact list's first page (the connector's `every_contact`), then the contacts PUT 50 a call; each
        customer's new ContactID, by the customer's id (the order they went in)."""
        from dxconnector.sync.xero_io import SCAN_PAGE_SIZE

        self._xero_get(
            client, "Contacts", {"page": "1", "includeArchived": "True", "summaryOnly": "True", "pageSize": str(SCAN_PAGE_SIZE)}
        )
        assert self.prepared is not None
        made = self._write(client, "PUT", "Contacts", contacts, {})
        return {
            customer_id: str(answer.get("ContactID"))
            for customer_id, answer in zip(self.prepared.customer_ids, made, strict=True)
        }

    def _items(self, client: httpx.Client, items: list[dict[str, Any]]) -> None:
        """The item list, then the items POSTed 50 a call (POST finds an item by its code: the connector's create)."""
        self._xero_get(client, "Items", {})
        self._write(client, "POST", "Items", items, {"unitdp": "4"})

    def _put_invoices(self, client: httpx.Client, invoices: list[dict[str, Any]]) -> int:
        """PUT 50 a call; returns how many Xero refused (the floor goes on, as the connector would)."""
        return sum(1 for answer in self._write(client, "PUT", "Invoices", invoices, {"unitdp": "4"}) if answer.get("HasErrors"))

    def _xero_get(self, client: httpx.Client, collection: str, params: dict[str, str]) -> None:
        self.calls[f"xero GET {collection}"] += 1
        client.get(collection, params=params).raise_for_status()

    def _write(
        self, client: httpx.Client, method: str, collection: str, bodies: list[dict[str, Any]], params: dict[str, str]
    ) -> list[dict[str, Any]]:
        from dxconnector.xero.resources import BATCH_SIZE

        answers: list[dict[str, Any]] = []
        for batch in chunks(bodies, BATCH_SIZE):
            self.calls[f"xero {method} {collection}"] += 1
            answer = client.request(method, collection, params={"summarizeErrors": "false", **params}, json={collection: batch})
            if answer.status_code >= 400 and answer.status_code != 400:
                answer.raise_for_status()
            answers += answer.json().get(collection, [])
        return answers

    def _batch(self, client: httpx.Client, requests: list[Any]) -> None:
        """The requests in `$batch` calls of up to 1,000 (`dynamics.batch.execute`'s), each part answered on its own."""
        from dxconnector.dynamics.batch import MAX_REQUESTS, decode, encode

        for chunk in chunks(requests, MAX_REQUESTS):
            boundary = f"batch_{uuid.uuid4()}"
            self.calls["dataverse POST $batch"] += 1
            self.calls["dataverse $batch requests"] += len(chunk)
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


def _read_query(entity_set: str, ids: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The connector's query reading these rows in full (`changes._invoice_rows`, `customers._rows`)."""
    from dxconnector.dynamics import changes

    if entity_set == "invoices":
        params = {
            "$select": ",".join(changes.INVOICE_COLUMNS),
            "$filter": changes.in_filter("invoiceid", ids),
            "$expand": changes.INVOICE_EXPAND,
        }
        return params, {"Prefer": f"odata.maxpagesize={len(ids)}", "If-None-Match": "null"}
    key, columns, expand = {
        "accounts": ("accountid", changes.ACCOUNT_COLUMNS, ""),
        "products": ("productid", changes.PRODUCT_COLUMNS, changes.PRODUCT_EXPAND),
    }[entity_set]
    params = {"$select": ",".join((key, *columns)), "$filter": changes.in_filter(key, ids)}
    if expand:
        params["$expand"] = expand
    return params, {"Prefer": f"odata.maxpagesize={len(ids)}"}


def _install(client: Any) -> str:
    """The connector's solution imported into the floor's organisation, and a connector row of its own there (its
    details, history, contact and item rows name one). Returns the row's id."""
    from dxconnector.domain.names import ConnectorTable
    from dxconnector.dynamics.solution import solution_zip_bytes
    from dxconnector.dynamics.solution.definition import CONNECTION

    client.import_solution(solution_zip_bytes())
    return str(
        client.create(
            CONNECTION.set_name, {CONNECTION.primary_name: "Floor", ConnectorTable.PORTAL_CONNECTION_ID: FLOOR_PORTAL_CONNECTION}
        )
    )


def _build(client: Any, connector_id: str, invoice_ids: list[str]) -> Prepared:
    """Read the seeded invoices, their customers and products with the connector's reader; build what goes to Xero
    with its mapping, and the write-back with its request builders onto a made-up Xero answer of the same shape."""
    from django.utils import timezone

    from dxconnector.connections.models import Connection
    from dxconnector.domain.mapping.item import catalogue_products, xero_item
    from dxconnector.domain.mapping.settings import settings_from_row
    from dxconnector.dynamics import links
    from dxconnector.dynamics.changes import connection_rows, read_invoices

    now = timezone.now()
    connection = Connection.objects.get()  # the connector's: the floor maps with the same settings
    with _connector_dynamics() as connector_dynamics:
        found = connection_rows(connector_dynamics, str(connection.pk))
    assert found is not None, "the connector's rows are not in its organisation"
    settings = settings_from_row(found[1])
    records = read_invoices(client, invoice_ids, connector_id)
    customers = {record.customer.id: record.customer for record in records if record.customer is not None}
    products = dict(catalogue_products(record.invoice for record in records))
    codes = frozenset(product.number.strip() for product in products.values())
    ctx = SimpleNamespace(connector_id=connector_id, now=now)
    invoices, write_back = [], []
    for number, record in enumerate(records, start=1):
        sending = _invoice(record, settings, codes, links.record_url(client.org_url, "invoice", record.invoice.id))
        invoices.append(_plain(sending.to_xero()))
        write_back.append(_invoice_write_back(ctx, record, sending, number))
    return Prepared(
        invoice_ids=[record.invoice.id for record in records],
        customer_ids=list(customers),
        product_ids=list(products),
        contacts=[_plain(_contact(customer).to_xero()) for customer in customers.values()],
        items=[_plain(xero_item(product, settings).to_xero()) for product in products.values()],
        invoices=invoices,
        invoice_write_back=write_back,
        customer_write_back=[_customer_row(ctx, customer) for customer in customers.values()],
        product_write_back=[_product_row(ctx, product) for product in products.values()],
    )


def _plain(body: dict[str, Any]) -> dict[str, Any]:
    """A body as JSON carries it (amounts as the strings the Xero SDK sends): encoded once, beforehand."""
    return dict(json.loads(json.dumps(body, default=str)))


def _connector_dynamics() -> Any:
    from dxconnector.connections.clients import dynamics_client
    from dxconnector.connections.models import DynamicsConnection

    return dynamics_client(DynamicsConnection.objects.get())


def _contact(customer: Any) -> Any:
    from dxconnector.domain.mapping.contact import xero_contact

    return xero_contact(customer)


def _invoice(record: Any, settings: Any, codes: frozenset[str], source_url: str) -> Any:
    """The connector's invoice for Xero, naming the customer's id where the contact's will go once Xero made it."""
    from dxconnector.domain.mapping.invoice import xero_invoice

    assert record.customer is not None
    return xero_invoice(record.invoice, settings, record.customer.id, xero_item_codes=codes, source_url=source_url)


def _invoice_write_back(ctx: Any, record: Any, sending: Any, number: int) -> list[Any]:
    """What the connector writes back for an invoice Xero made (`writeback._requests_for` and `history_request`),
    onto a made-up answer: Xero's id and number, its status and amounts as sent."""
    from dxconnector.domain.documents import XeroDocument
    from dxconnector.domain.mapping.invoice import xero_details_columns, xero_invoice_url
    from dxconnector.sync import writeback
    from dxconnector.sync.models import SyncAttempt

    body = sending.to_xero()
    answer = XeroDocument.read(
        {
            **body,
            "InvoiceID": str(uuid.uuid4()),
            "InvoiceNumber": f"INV-{number:05d}",
            "Status": body.get("Status") or "DRAFT",
        }
    )
    columns = xero_details_columns(
        answer, exported_on=ctx.now, online_invoice_url=None, invoice_url=xero_invoice_url(answer.type, answer.id)
    )
    attempt = SyncAttempt(
        id=uuid.uuid4(),
        record_kind="invoice",
        direction=SyncAttempt.Direction.TO_XERO,
        dynamics_id=record.invoice.id,
        xero_id=answer.id,
        outcome=SyncAttempt.Outcome.SUCCEEDED,
        reason="Created in Xero.",
        attempted_at=ctx.now,
    )
    return [
        writeback._details_request(ctx, record, columns),
        *writeback._invoice_requests(record, answer),
        writeback.history_request(ctx, attempt),
    ]


def _customer_row(ctx: Any, customer: Any) -> Any:
    """The customer's Xero contact row, as the customers stream writes it (`customers._row_request`)."""
    from dxconnector.domain.mapping import contact as mapping
    from dxconnector.dynamics.customers import customer_table
    from dxconnector.sync import customers, edits

    table = customer_table(customer)
    plan = SimpleNamespace(
        link=SimpleNamespace(dynamics_id=customer.id, xero_id=str(uuid.uuid4())),
        xero_body=None,
        dynamics=mapping.customer_values(customer),
        table=table,
    )
    return customers._row_request(ctx, plan, edits.Outcome())  # type: ignore[arg-type]


def _product_row(ctx: Any, product: Any) -> Any:
    """The product's Xero item row, as the products stream writes it (`products._row_request`)."""
    from dxconnector.domain.mapping import item as mapping
    from dxconnector.sync import edits, products

    plan = SimpleNamespace(
        link=SimpleNamespace(dynamics_id=product.id, xero_id=str(uuid.uuid4())),
        dynamics={mapping.NAME: product.name, mapping.CODE: product.number},
    )
    return products._row_request(ctx, plan, edits.Outcome())  # type: ignore[arg-type]


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
