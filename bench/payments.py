"""`dxconnector bench sync --pay N`: after the initial sync (invoices sent approved), N of the linked sales invoices are
paid in Xero — two in three in full, the others in part, one payment in `REVERSE_EVERY` then deleted (reversed) —
through the admin's Xero app in batches of 50, as a bank feed's reconciliation would. Then the sync runs again until
done (with `--faults`, under them too), and what that cost (the sandboxes' counts, from after the payments were made) per changed invoice, how many
payment rows Dynamics holds against the payments Xero has, and verify's verdict are added under `pay_…`."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

from bench.environment import Options, World

REVERSE_EVERY = 25  # one payment in 25 is deleted after it was made: "a few reversed"
FULL_EVERY = 3  # of three invoices, the first is paid in part, the other two in full


def approved_sales_invoices() -> dict[str, int]:
    """The settings row's column that sends sales invoices approved: payable in Xero."""
    from dxconnector.domain.mapping.choices import option_value
    from dxconnector.domain.names import ConnectorSettingsTable as Settings

    column = Settings.DEFAULT_SALES_INVOICE_STATUS
    return {column: option_value(Settings.TABLE, column, "AUTHORISED")}


def payable(connection_id: Any, wanted: int) -> list[tuple[str, str]]:
    """The first `wanted` linked sales invoices (Dynamics id, Xero id), in ledger order."""
    from dxconnector.sync.models import Link

    links = list(
        Link.objects.filter(connection_id=connection_id, kind=Link.Kind.INVOICE, sent_type="ACCREC")
        .exclude(xero_id="")
        .order_by("dynamics_id")
        .values_list("dynamics_id", "xero_id")[:wanted]
    )
    if len(links) < wanted:
        raise RuntimeError(f"only {len(links)} sales invoices are linked to Xero, {wanted} to pay")
    return links


def pay(xero: Any, invoices: list[tuple[str, str]]) -> dict[str, int]:
    """Pay the invoices in Xero (read in full first: their totals), reverse some; what was done, counted."""
    from dxconnector.sync.xero_io import current_copies
    from dxconnector.xero.resources import INVOICES, PAYMENTS

    copies = current_copies(xero, INVOICES, [xero_id for _, xero_id in invoices])
    payments = []
    for number, (_, xero_id) in enumerate(invoices):
        due = Decimal(str(copies[xero_id].amount_due or 0))
        amount = due if number % FULL_EVERY else (due / 2).quantize(Decimal("0.01"))
        if amount > 0:
            payments.append(
                {
                    "Invoice": {"InvoiceID": xero_id},
                    "Account": {"Code": "090"},
                    "Amount": str(amount),
                    "Reference": f"bench {number}",
                }
            )
    made = [answer for answer in xero.write(PAYMENTS, payments, create_only=True) if answer.ok]
    reversed_ = 0
    for answer in made[::REVERSE_EVERY]:
        xero.request("delete_payment", answer.record["PaymentID"], {"Status": "DELETED"})
        reversed_ += 1
    return {"payments_made": len(made), "payments_refused": len(payments) - len(made), "payments_reversed": reversed_}


def payment_rows(world: World, connection_id: Any) -> dict[str, int]:
    """The connection's rows of the Xero payments table in Dynamics, by status."""
    from dxconnector.domain.mapping.choices import option_code
    from dxconnector.domain.names import XeroPaymentTable as Table

    with world.dataverse() as client:
        rows = client.list("stl3_xeropayments", select=Table.STATUS, filter=f"{Table.KIND} eq {_kind_payment()}")
    counts: dict[str, int] = {}
    for row in rows:
        code = option_code(Table.TABLE, Table.STATUS, row.get(Table.STATUS)) or "none"
        counts[code] = counts.get(code, 0) + 1
    return counts


def _kind_payment() -> int:
    from dxconnector.domain.mapping.choices import option_value
    from dxconnector.domain.names import XeroPaymentTable as Table

    return option_value(Table.TABLE, Table.KIND, "PAYMENT")


def pay_and_sync(options: Options, world: World, connection: Any, sync_again: Any, verify_figures: Any) -> dict[str, Any]:
    """Pay linked invoices in Xero, sync until done, and say what that cost and what Dynamics then shows."""
    from dxconnector.connections.clients import xero_client
    from dxconnector.sync.verify import verify

    invoices = payable(connection.pk, options.pay)
    connection.refresh_from_db()
    print(f"Paying {len(invoices)} invoices in Xero", file=sys.stderr, flush=True)
    done = pay(xero_client(connection.xero), invoices)
    runs, wall, _peak, stats = sync_again(options, world, connection.pk)  # not the payments' own calls: the bookkeeper's
    rows = payment_rows(world, connection.pk)
    report = verify(connection.pk)
    xero_calls, dataverse_calls = int(stats["xero"].get("calls", 0)), int(stats["dataverse"].get("calls", 0))
    return {
        "paid_invoices": len(invoices),
        **done,
        "pay_xero_calls": xero_calls,
        "pay_dynamics_calls": dataverse_calls,
        "xero_calls_per_changed_invoice": round(xero_calls / len(invoices), 4),
        "dynamics_calls_per_changed_invoice": round(dataverse_calls / len(invoices), 4),
        "pay_seconds": round(wall, 2),
        "pay_runs": runs,
        "payment_rows_in_dynamics": rows,
        "pay_verify": verify_figures(report),
    }
