"""An invoice moves between its states as Dynamics moves it, and one that is not active is read-only.

The states and status reasons and the PATCH of statecode+statuscode are Microsoft's documentation; which moves are
taken and that a Paid, Canceled or Closed invoice takes no other change is our reading of Dynamics (see
`dxsandbox.microsoft.dataverse.invoice_states` and docs/sandbox.md)."""

from __future__ import annotations

import pytest

from dxsandbox.microsoft.dataverse.invoice_states import (
    ACTIVE,
    BILLED,
    CANCELED,
    CANCELED_STATUS,
    CLOSED,
    COMPLETE,
    NEW,
    PAID,
    PARTIAL,
    move_allowed,
)
from tests.sandbox.dataverse.conftest import API

BOOKED = 5
CLOSED_STATUS = 3


@pytest.fixture
def invoice(org):
    account = org.api.create("account", {"name": "Paid Up Ltd"})
    return org.api.create("invoice", {"name": "States", "customerid_account@odata.bind": f"/accounts({account['accountid']})"})[
        "invoiceid"
    ]


def patch(org, invoice, **values):
    return org.client().patch(f"{API}/invoices({invoice})", json=values)


def state_of(org, invoice):
    row = org.client().get(f"{API}/invoices({invoice})", params={"$select": "statecode,statuscode,name,description"}).json()
    return row["statecode"], row["statuscode"]


def moved(org, invoice, state, status):
    response = patch(org, invoice, statecode=state, statuscode=status)
    assert response.status_code == 204, response.text


def refused_with(response, *words):
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "0x80040203"
    assert all(word in error["message"] for word in words), error["message"]


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        ((ACTIVE, NEW), (PAID, COMPLETE), True),
        ((ACTIVE, BILLED), (PAID, PARTIAL), True),
        ((ACTIVE, NEW), (CANCELED, CANCELED_STATUS), True),
        ((ACTIVE, NEW), (ACTIVE, BILLED), True),  # a status reason of an active invoice is an ordinary edit
        ((PAID, PARTIAL), (PAID, COMPLETE), True),
        ((PAID, COMPLETE), (ACTIVE, BILLED), True),  # reopened
        ((PAID, PARTIAL), (ACTIVE, NEW), True),
        ((CANCELED, CANCELED_STATUS), (ACTIVE, NEW), True),
        ((CANCELED, CANCELED_STATUS), (ACTIVE, BILLED), True),
        ((PAID, COMPLETE), (PAID, COMPLETE), True),  # no move
        ((PAID, COMPLETE), (PAID, PARTIAL), False),
        ((PAID, COMPLETE), (CANCELED, CANCELED_STATUS), False),
        ((CANCELED, CANCELED_STATUS), (PAID, COMPLETE), False),
        ((PAID, COMPLETE), (ACTIVE, BOOKED), False),  # reopened only as New or Billed
        ((ACTIVE, NEW), (CLOSED, CLOSED_STATUS), False),  # Closed is deprecated
        ((CLOSED, CLOSED_STATUS), (ACTIVE, NEW), False),
    ],
)
def test_the_moves_an_invoice_makes(before, after, allowed):
    assert move_allowed(*before, *after) is allowed


def test_an_active_invoice_is_paid_by_a_patch_of_its_state_and_status(org, invoice):
    moved(org, invoice, PAID, PARTIAL)
    assert state_of(org, invoice) == (PAID, PARTIAL)
    moved(org, invoice, PAID, COMPLETE)
    assert state_of(org, invoice) == (PAID, COMPLETE)


def test_an_active_invoice_takes_its_columns_and_a_new_state_in_one_patch(org, invoice):
    assert patch(org, invoice, description="Paid by transfer", statecode=PAID, statuscode=COMPLETE).status_code == 204
    row = org.client().get(f"{API}/invoices({invoice})", params={"$select": "statecode,description"}).json()
    assert (row["statecode"], row["description"]) == (PAID, "Paid by transfer")


@pytest.mark.parametrize(("state", "status"), [(PAID, COMPLETE), (CANCELED, CANCELED_STATUS)])
def test_an_invoice_that_is_not_active_refuses_any_change_but_its_state(org, invoice, state, status):
    moved(org, invoice, state, status)
    refused_with(patch(org, invoice, description="Too late"), "not active", "description")
    refused_with(patch(org, invoice, statecode=state, statuscode=status, name="Renamed"), "name")
    row = org.client().get(f"{API}/invoices({invoice})", params={"$select": "name,description"}).json()
    assert (row["name"], row["description"]) == ("States", None)


def test_reopening_and_a_change_in_one_patch_is_refused_so_a_client_reopens_first(org, invoice):
    moved(org, invoice, PAID, COMPLETE)
    refused_with(patch(org, invoice, statecode=ACTIVE, statuscode=BILLED, description="Reopened"), "description")
    moved(org, invoice, ACTIVE, BILLED)
    assert patch(org, invoice, description="Reopened").status_code == 204
    assert state_of(org, invoice) == (ACTIVE, BILLED)


def test_a_reopened_invoice_without_a_status_reason_is_new(org, invoice):
    moved(org, invoice, CANCELED, CANCELED_STATUS)
    assert patch(org, invoice, statecode=ACTIVE).status_code == 204
    assert state_of(org, invoice) == (ACTIVE, NEW)


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ((PAID, COMPLETE), (PAID, PARTIAL)),
        ((PAID, COMPLETE), (CANCELED, CANCELED_STATUS)),
        ((CANCELED, CANCELED_STATUS), (PAID, COMPLETE)),
        ((PAID, PARTIAL), (ACTIVE, BOOKED)),
    ],
)
def test_a_move_dynamics_does_not_make_is_refused_and_the_invoice_stays(org, invoice, first, then):
    moved(org, invoice, *first)
    refused_with(patch(org, invoice, statecode=then[0], statuscode=then[1]), "cannot move")
    assert state_of(org, invoice) == first


def test_an_active_invoice_is_not_closed_and_a_closed_one_is_left_as_it_is(org, invoice):
    refused_with(patch(org, invoice, statecode=CLOSED, statuscode=CLOSED_STATUS), "cannot move")
    table = org.service.catalog.require("invoice")
    current = org.service.records.require(table, invoice)
    with org.service.storage.transaction():  # an invoice closed long ago, before the state was deprecated
        org.service.records.apply_update(
            table, current, {"statecode": CLOSED, "statuscode": CLOSED_STATUS}, org.service.system_caller(), system=True
        )
    refused_with(patch(org, invoice, statecode=ACTIVE, statuscode=NEW), "cannot move")
    refused_with(patch(org, invoice, description="Closed"), "not active")


def test_the_lines_of_an_invoice_that_is_not_active_are_neither_added_nor_removed(org, invoice):
    line = org.client().post(
        f"{API}/invoicedetails",
        json={"invoiceid@odata.bind": f"/invoices({invoice})", "productdescription": "Survey", "quantity": 1, "priceperunit": 10},
        headers={"Prefer": "return=representation"},
    )
    assert line.status_code == 201, line.text
    moved(org, invoice, PAID, COMPLETE)
    added = org.client().post(
        f"{API}/invoicedetails",
        json={"invoiceid@odata.bind": f"/invoices({invoice})", "productdescription": "Extra", "quantity": 1, "priceperunit": 5},
    )
    refused_with(added, "not active")
    refused_with(org.client().delete(f"{API}/invoicedetails({line.json()['invoicedetailid']})"), "not active")
