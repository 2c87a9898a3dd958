"""What a benchmark syncs: customers, products and invoices made in the sandbox Dynamics through its Web API
(`$batch`, deep inserts: an invoice and its lines in one request), with ids of our own so that the figures
can be checked record by record. Deterministic for a given seed."""

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
    client: DataverseClient, *, invoices: int, lines: int, customers: int, products: int, seed: int = 7, first: int = 0
) -> Seeded:
    """Make the records (`first` numbers them on from an earlier seeding, for a second round)."""
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
) -> dict[str, Any]:
    """One invoice for a seeded customer, on the price list, its lines deep-inserted (one in five written in)."""
    _schedule, unit, price_list = references
    return {
        "invoiceid": invoice_id,
        "name": name,
        "customerid_account@odata.bind": f"/accounts({rng.choice(seeded.customers)})",
        "pricelevelid@odata.bind": f"/pricelevels({price_list})",
        "datedelivered": delivered.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "invoice_details": [_line(rng, seeded.products, unit, number) for number in range(lines)],
    }


def _line(rng: random.Random, product_ids: list[str], unit: str, number: int) -> dict[str, Any]:
    quantity = rng.randrange(1, 12)
    if number % 5 == 4:  # one line in five is written in
        return {
            "isproductoverridden": True,
            "productdescription": f"Call-out fee {number}",
            "quantity": quantity,
            "priceperunit": round(rng.uniform(20, 90), 2),
            "sequencenumber": number + 1,
        }
    return {
        "productid@odata.bind": f"/products({rng.choice(product_ids)})",
        "uomid@odata.bind": f"/uoms({unit})",
        "quantity": quantity,
        "manualdiscountamount": float(rng.choice((0, 0, 0, 5))),
        "sequencenumber": number + 1,
    }
