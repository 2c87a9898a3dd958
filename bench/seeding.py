"""What a benchmark syncs: customers, products and invoices made in the sandbox Dynamics through its Web API
(`$batch`, deep inserts: an invoice and its lines in one request), with ids of our own so that the figures
can be checked record by record. Deterministic for a given seed.

A customer or product is linked to Xero by its first invoice sent there, and only linked ones have their edits
synced: `every_one_invoiced` makes each seeded customer the customer of an invoice, and each product the product
of a line, before the rest are drawn at random. `edit_requests` are the edits a user makes to them afterwards."""

from __future__ import annotations

import random
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dxconnector.dynamics.batch import MAX_REQUESTS, BatchRequest, execute
from dxconnector.dynamics.client import DataverseClient

NAMESPACE = uuid.UUID("6f1d1b7e-4c7a-4a35-9d55-0b0b00000000")
NAMES = ("Harbour", "Oak", "Summit", "Riverside", "Meadow", "Granite", "Willow", "Beacon", "Orchard", "Kōwhai", "Zoë's", "Ærø")
TRADES = ("Bakery", "Joinery", "Logistics", "Dental", "Café", "Studio", "Plumbing", "Florist", "Books", "Engineering")
GOODS = (
    "Oak desk",
    "Steel shelf",
    "LED panel",
    "Service hour",
    "Paint 5 L",
    "Cable 10 m",
    "Chair",
    "Tile box",
    "Filter",
    "Valve",
)


@dataclass(frozen=True)
class Seeded:
    customers: list[str]
    products: list[str]
    invoices: list[str]


def _id(kind: str, number: int, seed: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{seed}:{kind}:{number}"))


def _chunks(items: list[BatchRequest], size: int = MAX_REQUESTS) -> Iterator[list[BatchRequest]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _send(client: DataverseClient, what: str, requests: list[BatchRequest]) -> None:
    done = 0
    for chunk in _chunks(requests):
        answers = execute(client, chunk)
        failed = [answer for answer in answers if not answer.ok]
        if failed:
            raise RuntimeError(f"seeding {what}: {len(failed)} of {len(chunk)} refused, e.g. {failed[0].error}")
        done += len(chunk)
        print(f"  seeded {done}/{len(requests)} {what}", file=sys.stderr, flush=True)


def reference_ids(client: DataverseClient) -> tuple[str, str, str]:
    [schedule] = client.list("uomschedules", select="uomscheduleid", top="1")
    [unit] = client.list("uoms", select="uomid", filter=f"_uomscheduleid_value eq {schedule['uomscheduleid']}", top="1")
    [price_list] = client.list("pricelevels", select="pricelevelid", top="1")
    return schedule["uomscheduleid"], unit["uomid"], price_list["pricelevelid"]


def seed(
    client: DataverseClient,
    *,
    invoices: int,
    lines: int,
    customers: int,
    products: int,
    seed: int = 7,
    first: int = 0,
    every_one_invoiced: bool = False,
) -> Seeded:
    """Make the records (`first` numbers them on from an earlier seeding, for a second round). With
    `every_one_invoiced`, each customer has an invoice and each product a line, as far as the invoices go."""
    rng = random.Random(seed + first)
    schedule, unit, price_list = reference_ids(client)
    customer_ids = [_id("account", n, seed) for n in range(customers)]
    product_ids = [_id("product", n, seed) for n in range(products)]
    invoice_ids = [_id("invoice", first + n, seed) for n in range(invoices)]
    if first == 0:
        _send(
            client,
            "customers",
            [
                BatchRequest(
                    "PATCH",
                    f"accounts({account_id})",
                    {
                        "name": f"{NAMES[n % len(NAMES)]} {TRADES[n // len(NAMES) % len(TRADES)]} {n:05d}",
                        "accountnumber": f"BA-{n:05d}",
                        "emailaddress1": f"accounts{n}@example.org",
                        "address1_city": "Wellington",
                    },
                )
                for n, account_id in enumerate(customer_ids)
            ],
        )
        _send(
            client,
            "products",
            [
                BatchRequest(
                    "PATCH",
                    f"products({product_id})",
                    {
                        "name": f"{GOODS[n % len(GOODS)]} {n:04d}",
                        "productnumber": f"BP-{n:04d}",
                        "price": round(5 + (n * 7.31) % 400, 2),
                        "defaultuomscheduleid@odata.bind": f"/uomschedules({schedule})",
                        "defaultuomid@odata.bind": f"/uoms({unit})",
                    },
                )
                for n, product_id in enumerate(product_ids)
            ],
        )
    seeded = Seeded(customer_ids, product_ids, invoice_ids)
    delivered = datetime.now(UTC) - timedelta(days=3)
    unused_products = list(product_ids) if every_one_invoiced else []
    _send(
        client,
        "invoices",
        [
            BatchRequest(
                "POST",
                "invoices",
                invoice_body(
                    invoice_id,
                    f"Order {first + n:06d}",
                    seeded,
                    (schedule, unit, price_list),
                    rng,
                    lines,
                    delivered - timedelta(hours=rng.randrange(0, 240)),
                    customer=customer_ids[n] if every_one_invoiced and n < len(customer_ids) else None,
                    unused_products=unused_products,
                ),
            )
            for n, invoice_id in enumerate(invoice_ids)
        ],
    )
    return seeded


def invoice_body(
    invoice_id: str,
    name: str,
    seeded: Seeded,
    references: tuple[str, str, str],
    rng: random.Random,
    lines: int,
    delivered: datetime,
    *,
    customer: str | None = None,
    unused_products: list[str] | None = None,
) -> dict[str, Any]:
    """One invoice for a seeded customer (`customer`, or one drawn), on the price list, its lines deep-inserted (one
    in five written in). A product line takes the first of `unused_products` while there are any (and removes it)."""
    _schedule, unit, price_list = references
    return {
        "invoiceid": invoice_id,
        "name": name,
        "customerid_account@odata.bind": f"/accounts({customer or rng.choice(seeded.customers)})",
        "pricelevelid@odata.bind": f"/pricelevels({price_list})",
        "datedelivered": delivered.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "invoice_details": [_line(rng, seeded.products, unit, number, unused_products) for number in range(lines)],
    }


def _line(rng: random.Random, product_ids: list[str], unit: str, number: int, unused: list[str] | None = None) -> dict[str, Any]:
    quantity = rng.randrange(1, 12)
    if number % 5 == 4:  # one line in five is written in
        return {
            "isproductoverridden": True,
            "productdescription": f"Call-out fee {number}",
            "quantity": quantity,
            "priceperunit": round(rng.uniform(20, 90), 2),
            "sequencenumber": number + 1,
        }
    product = unused.pop(0) if unused else rng.choice(product_ids)
    return {
        "productid@odata.bind": f"/products({product})",
        "uomid@odata.bind": f"/uoms({unit})",
        "quantity": quantity,
        "manualdiscountamount": float(rng.choice((0, 0, 0, 5))),
        "sequencenumber": number + 1,
    }


# --- edits, as a user makes them ---------------------------------------------------------------------------


def customer_edit(number: int, round_: int) -> dict[str, Any]:
    """A new email address and phone number for an account (or a contact: the same columns)."""
    return {"emailaddress1": f"edited{round_}.{number}@example.org", "telephone1": f"+64 4 {round_:02d}{number:05d}"}


def product_edit(number: int, round_: int) -> dict[str, Any]:
    """A new name and price for a product."""
    return {"name": f"{GOODS[number % len(GOODS)]} {number:04d} mk{round_}", "price": round(10 + round_ + number * 0.37, 2)}


def edit_requests(accounts: list[str], products: list[str], round_: int = 1) -> list[BatchRequest]:
    """PATCHes of the given accounts and products, each with `customer_edit`/`product_edit` of its place in the
    list; `If-Match: *` so a missing record fails instead of being made."""
    match = {"If-Match": "*"}
    return [
        *(
            BatchRequest("PATCH", f"accounts({row_id})", customer_edit(n, round_), headers=match)
            for n, row_id in enumerate(accounts)
        ),
        *(
            BatchRequest("PATCH", f"products({row_id})", product_edit(n, round_), headers=match)
            for n, row_id in enumerate(products)
        ),
    ]


def apply_edits(client: DataverseClient, requests: list[BatchRequest]) -> None:
    """The edits in `$batch` calls of up to 1,000 requests."""
    _send(client, "edits", requests)
