"""Singer's tap-xero (PyPI `tap-xero`, the Xero source of Stitch and Meltano), a data-pipeline connector nobody here
wrote, extracting from the sandbox as it extracts from Xero: a refresh-token grant at Xero's token endpoint, then each
selected stream read with `If-Modified-Since` from its bookmark, `order=UpdatedDateUTC ASC` and `page=1, 2, …` until
a page has fewer than 100 records; its output is Singer messages (SCHEMA, RECORD, STATE) on stdout.

tap-xero pins old dependencies, so it is installed at test time into a virtualenv of its own in a temporary folder
(never the repository's); the test skips only when the package registry cannot be reached. It writes Xero's hosts
into its code (https://identity.xero.com/connect/token, https://api.xero.com/api.xro/2.0) with no setting to change
them: tests/sandbox/tap_xero/sitecustomize.py, on the tap's PYTHONPATH alone, sends those two hosts to the
sandbox's in `requests` and trusts the sandbox's CA and nothing else.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sandbox.xero_helpers import connect
from tests.sandboxes import RunningSandbox, start_sandbox

REDIRECTION = Path(__file__).resolve().parent / "tap_xero" / "sitecustomize.py"
# tap-xero 2.6.0 imports six without declaring it (python-dateutil used to bring it along, and no longer does).
TAP_PACKAGES = ("tap-xero==2.6.0", "six")
KEYS = {
    "bank_transactions": "BankTransactionID",
    "contacts": "ContactID",
    "credit_notes": "CreditNoteID",
    "invoices": "InvoiceID",
    "payments": "PaymentID",
}
STREAMS = tuple(KEYS)  # in tap-xero's own order
START_DATE = "2020-01-01T00:00:00Z"
PAGE_SIZE = 100  # tap-xero asks for the next page while a page is full
TAP_SECONDS = 60
# What pip prints when it cannot reach the registry at all (then the test skips; any other failure fails it).
UNREACHABLE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|"
    r"Name or service not known|Network is unreachable|ConnectTimeoutError|Max retries exceeded|Could not fetch URL"
)


# --- tap-xero, installed where it cannot touch the repository -------------------------------------------------------
@dataclass(frozen=True)
class TapInstall:
    venv: Path
    redirection: Path  # a folder holding only sitecustomize.py, for the tap's PYTHONPATH

    @property
    def executable(self) -> Path:
        return self.venv / "bin" / "tap-xero"


@pytest.fixture(scope="module")
def tap_xero(tmp_path_factory: pytest.TempPathFactory) -> TapInstall:
    """tap-xero from the package registry, into a fresh virtualenv in a temporary folder, with its redirection."""
    place = tmp_path_factory.mktemp("tap-xero")
    venv = place / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--timeout", "20", "--retries", "1", *TAP_PACKAGES],
        env=_outside_env(venv),
        capture_output=True,
        text=True,
        timeout=240,
    )
    if installed.returncode != 0:
        output = installed.stdout + installed.stderr
        if UNREACHABLE.search(output):
            pytest.skip(f"the package registry is unreachable, so tap-xero cannot be installed:\n{output[-2000:]}")
        pytest.fail(f"pip could not install {' '.join(TAP_PACKAGES)}:\n{output}")
    redirection = place / "redirection"
    redirection.mkdir()
    shutil.copy(REDIRECTION, redirection / "sitecustomize.py")  # copied: the tap's Python writes no bytecode beside ours
    return TapInstall(venv, redirection)


def _outside_env(venv: Path, **values: str) -> dict[str, str]:
    """A process of that virtualenv alone: none of the repository's paths, and the machine's pip settings."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR", "PIP_CERT", "PIP_FIND_LINKS", "PIP_DEFAULT_TIMEOUT", "SSL_CERT_FILE")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return {**env, "VIRTUAL_ENV": str(venv), "PYTHONUNBUFFERED": "1", **values}


# --- the sandbox and the records made in it through the Accounting API -----------------------------------------------
@pytest.fixture(scope="module")
def tap_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A sandbox of this module's own: the second sync's "only what changed" is exact only if nobody else writes."""
    running = start_sandbox(tmp_path_factory.mktemp("tap-xero-sandbox"), "--limits", "off")
    yield running
    running.stop()


class Books:
    """Oakwood Trading's Accounting API over HTTPS, as the web app connected to it: where the test makes the records."""

    def __init__(self, sandbox: RunningSandbox):
        connection = connect(sandbox, app_kind="web", tenant_index=0)
        self.tenant_id = connection.tenant_id
        self.http = httpx.Client(
            base_url=sandbox.xero["api_url"],
            verify=sandbox.tls,
            timeout=10,
            headers={
                "Authorization": f"Bearer {connection.access_token}",
                "xero-tenant-id": connection.tenant_id,
                "Accept": "application/json",
                "Connection": "close",  # an idle keep-alive connection would hold up the sandbox's shutdown
            },
        )

    def put(self, collection: str, elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
        answer = self.http.put(f"/{collection}", json={collection: elements})
        assert answer.status_code == 200, answer.text
        created: list[dict[str, Any]] = answer.json()[collection]
        return created

    def post(self, path: str, collection: str, element: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.post(path, json={collection: [element]})
        assert answer.status_code == 200, answer.text
        saved: dict[str, Any] = answer.json()[collection][0]
        return saved

    def pay(self, invoice_id: str, amount: float) -> dict[str, Any]:
        payment = {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Amount": amount, "Date": "2026-03-10"}
        return self.put("Payments", [payment])[0]

    def receive_ahead(self, contact_id: str, bank_type: str, amount: float) -> dict[str, Any]:
        """Money received into the bank account before (a prepayment) or beyond (an overpayment) an invoice."""
        transaction = {
            "Type": bank_type,
            "Contact": {"ContactID": contact_id},
            "BankAccount": {"Code": "090"},
            "Date": "2026-03-04",
            "LineAmountTypes": "NoTax",
            "LineItems": [{"Description": "Paid ahead", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}],
        }
        return self.put("BankTransactions", [transaction])[0]


@pytest.fixture(scope="module")
def books(tap_sandbox: RunningSandbox) -> Iterator[Books]:
    made = Books(tap_sandbox)
    yield made
    made.http.close()


@dataclass
class Made:
    contact_ids: list[str]
    invoice_id: str
    payment_id: str
    credit_note_id: str
    bank_transaction_id: str


def make_records(books: Books) -> Made:
    """More contacts than one of tap-xero's pages holds, an invoice part paid, a credit note and a prepayment."""
    contacts = [
        contact
        for _ in range(3)
        for contact in books.put("Contacts", [{"Name": f"Pipeline {uuid.uuid4().hex[:10]}"} for _ in range(36)])
    ]
    assert len(contacts) > PAGE_SIZE
    line = {"Description": "Consulting", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}
    (invoice,) = books.put(
        "Invoices",
        [
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": contacts[0]["ContactID"]},
                "Date": "2026-03-02",
                "Status": "AUTHORISED",
                "LineItems": [line],
            }
        ],
    )
    payment = books.pay(invoice["InvoiceID"], 50)
    (credit_note,) = books.put(
        "CreditNotes",
        [
            {
                "Type": "ACCRECCREDIT",
                "Contact": {"ContactID": contacts[1]["ContactID"]},
                "Date": "2026-03-03",
                "Status": "AUTHORISED",
                "LineItems": [{**line, "UnitAmount": 20}],
            }
        ],
    )
    prepayment = books.receive_ahead(contacts[0]["ContactID"], "RECEIVE-PREPAYMENT", 40)
    return Made(
        [contact["ContactID"] for contact in contacts],
        invoice["InvoiceID"],
        payment["PaymentID"],
        credit_note["CreditNoteID"],
        prepayment["BankTransactionID"],
    )


# --- running the tap --------------------------------------------------------------------------------------------------
@dataclass
class Tap:
    """tap-xero configured for one connection to the sandbox; its config file is rewritten by the tap (the rotated
    refresh token), as Singer taps do."""

    install: TapInstall
    sandbox: RunningSandbox
    folder: Path

    @property
    def config_path(self) -> Path:
        return self.folder / "config.json"

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = json.loads(self.config_path.read_text())
        return config

    def run(self, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
        done = self.attempt(*arguments)
        assert done.returncode == 0, f"tap-xero failed:\n{done.stderr[-4000:]}"
        return done

    def attempt(self, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.install.executable), "--config", str(self.config_path), *map(str, arguments)],
            cwd=self.folder,
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=TAP_SECONDS,
        )

    def discover(self) -> dict[str, Any]:
        catalog: dict[str, Any] = json.loads(self.run("--discover").stdout)
        return catalog

    def sync(self, catalog: dict[str, Any], state: dict[str, Any] | None = None) -> SingerOutput:
        lines = self.run(*self.sync_arguments(catalog, state)).stdout.splitlines()
        return SingerOutput([json.loads(line) for line in lines if line.strip()])

    def sync_arguments(self, catalog: dict[str, Any], state: dict[str, Any] | None = None) -> list[str | Path]:
        catalog_path = self.folder / "catalog.json"
        catalog_path.write_text(json.dumps(catalog))
        arguments: list[str | Path] = ["--catalog", catalog_path]
        if state is not None:
            state_path = self.folder / "state.json"
            state_path.write_text(json.dumps(state))
            arguments += ["--state", state_path]
        return arguments

    def _env(self) -> dict[str, str]:
        ca_file = self.sandbox.ca_file
        hosts = {"identity.xero.com": self.sandbox.url("xero-identity"), "api.xero.com": self.sandbox.url("xero-api")}
        return _outside_env(
            self.install.venv,
            PYTHONPATH=str(self.install.redirection),
            PYTHONDONTWRITEBYTECODE="1",
            SANDBOX_XERO_HOSTS=json.dumps(hosts),
            SANDBOX_CA_FILE=ca_file,
            REQUESTS_CA_BUNDLE=ca_file,
            SSL_CERT_FILE=ca_file,
        )


@dataclass
class SingerOutput:
    messages: list[dict[str, Any]]

    def records(self, stream: str) -> list[dict[str, Any]]:
        return [message["record"] for message in self.messages if message["type"] == "RECORD" and message["stream"] == stream]

    def ids(self, stream: str) -> list[str]:
        return [record[KEYS[stream]] for record in self.records(stream)]

    def record(self, stream: str, record_id: str) -> dict[str, Any]:
        (found,) = [record for record in self.records(stream) if record[KEYS[stream]] == record_id]
        return found

    def schemas(self) -> list[str]:
        return [message["stream"] for message in self.messages if message["type"] == "SCHEMA"]

    def states(self) -> list[dict[str, Any]]:
        return [message["value"] for message in self.messages if message["type"] == "STATE"]

    @property
    def final_state(self) -> dict[str, Any]:
        return self.states()[-1]


@pytest.fixture(scope="module")
def tap(tap_xero: TapInstall, tap_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> Tap:
    """tap-xero's OAuth2 config: the web app's client id and secret, a refresh token and the organisation it was granted."""
    connection = connect(tap_sandbox, app_kind="web", tenant_index=0)
    configured = Tap(tap_xero, tap_sandbox, tmp_path_factory.mktemp("tap-xero-run"))
    config = {
        "client_id": connection.app["client_id"],
        "client_secret": connection.app["client_secret"],
        "refresh_token": connection.tokens["refresh_token"],
        "tenant_id": connection.tenant_id,
        "start_date": START_DATE,
    }
    configured.config_path.write_text(json.dumps(config))
    return configured


def selecting(catalog: dict[str, Any], streams: tuple[str, ...]) -> dict[str, Any]:
    """The discovered catalog with those streams selected, as a Singer runner's catalog editor marks them."""
    chosen: dict[str, Any] = json.loads(json.dumps(catalog))
    for entry in chosen["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == [] and entry["tap_stream_id"] in streams:
                item["metadata"]["selected"] = True
    return chosen


# --- the tests --------------------------------------------------------------------------------------------------------
def test_tap_xero_discovers_its_streams_after_a_refresh_token_grant_and_a_call_to_the_organisation(tap: Tap) -> None:
    first_refresh_token = tap.config()["refresh_token"]
    catalog = tap.discover()  # refreshes the token, then GET /Currencies to check its access to the organisation
    streams = {entry["tap_stream_id"]: entry for entry in catalog["streams"]}
    assert set(STREAMS) <= set(streams)
    assert streams["invoices"]["key_properties"] == ["InvoiceID"]
    assert tap.config()["refresh_token"] not in ("", first_refresh_token), "the tap kept no rotated refresh token"


def test_tap_xero_syncs_what_was_made_then_only_what_changed_since_its_bookmarks(tap: Tap, books: Books) -> None:
    made = make_records(books)
    catalog = selecting(tap.discover(), STREAMS)

    first = tap.sync(catalog)
    assert_everything_made_was_read(first, made)
    bookmarks = {stream: first.final_state["bookmarks"][stream]["UpdatedDateUTC"] for stream in STREAMS}
    assert first.final_state["currently_syncing"] is None
    assert START_DATE not in bookmarks.values(), bookmarks
    assert bookmarks["contacts"] == max(record["UpdatedDateUTC"] for record in first.records("contacts"))
    at_the_bookmark = {
        record["ContactID"] for record in first.records("contacts") if record["UpdatedDateUTC"] == bookmarks["contacts"]
    }

    renamed = books.post(f"/Contacts/{made.contact_ids[5]}", "Contacts", {"Name": f"Renamed {uuid.uuid4().hex[:10]}"})
    final_payment = books.pay(made.invoice_id, 65)
    overpayment = books.receive_ahead(made.contact_ids[0], "RECEIVE-OVERPAYMENT", 12)

    second = tap.sync(catalog, state=first.final_state)
    assert_read_since(second, bookmarks)
    contact = second.record("contacts", made.contact_ids[5])
    assert contact["Name"] == renamed["Name"]
    # Read again: the renamed contact, the one at the bookmark itself, and the paid invoice's contact (its balance moved).
    assert set(second.ids("contacts")) <= {made.contact_ids[5], made.contact_ids[0], *at_the_bookmark}
    assert final_payment["PaymentID"] in second.ids("payments")
    assert set(second.ids("payments")) <= {made.payment_id, final_payment["PaymentID"]}
    paid = second.record("invoices", made.invoice_id)
    assert (paid["Status"], paid["AmountPaid"], paid["AmountDue"]) == ("PAID", 115, 0)
    assert set(second.ids("credit_notes")) <= {made.credit_note_id}
    assert overpayment["BankTransactionID"] in second.ids("bank_transactions")
    assert set(second.ids("bank_transactions")) <= {made.bank_transaction_id, overpayment["BankTransactionID"]}
    read = second.record("bank_transactions", overpayment["BankTransactionID"])
    assert (read["Type"], read["Total"], read["OverpaymentID"]) == ("RECEIVE-OVERPAYMENT", 12, overpayment["OverpaymentID"])
    assert second.final_state["bookmarks"]["contacts"]["UpdatedDateUTC"] == contact["UpdatedDateUTC"]
    assert second.final_state["bookmarks"]["payments"]["UpdatedDateUTC"] > bookmarks["payments"]


def assert_everything_made_was_read(output: SingerOutput, made: Made) -> None:
    assert output.schemas() == list(STREAMS)
    assert set(made.contact_ids) <= set(output.ids("contacts"))
    assert made.credit_note_id in output.ids("credit_notes")
    invoice = output.record("invoices", made.invoice_id)
    assert (invoice["Status"], invoice["Total"], invoice["AmountPaid"], invoice["AmountDue"]) == ("AUTHORISED", 115, 50, 65)
    payment = output.record("payments", made.payment_id)
    assert payment["Invoice"]["InvoiceID"] == made.invoice_id and payment["Amount"] == 50
    prepayment = output.record("bank_transactions", made.bank_transaction_id)
    assert (prepayment["Type"], prepayment["Total"], prepayment["BankAccount"]["Code"]) == ("RECEIVE-PREPAYMENT", 40, "090")
    assert prepayment["PrepaymentID"] and prepayment["Contact"]["ContactID"] == made.contact_ids[0]
    contact_pages = [
        state["bookmarks"]["contacts"]["offset"]["page"]
        for state in output.states()
        if "offset" in state.get("bookmarks", {}).get("contacts", {})
    ]
    assert contact_pages == [1, 2], "tap-xero did not page through the contacts"


def assert_read_since(output: SingerOutput, bookmarks: dict[str, str]) -> None:
    """Every record of an incremental sync was modified at or after its stream's bookmark: Xero's "since", the
    bookmark's own record included (tap-xero sends the bookmark itself as If-Modified-Since)."""
    for stream, bookmark in bookmarks.items():
        older = [
            (record[KEYS[stream]], record["UpdatedDateUTC"])
            for record in output.records(stream)
            if record["UpdatedDateUTC"] < bookmark
        ]
        assert not older, f"{stream}: {len(older)} records older than the bookmark {bookmark} were read again: {older[:5]}"


def test_tap_xero_stops_at_a_stream_the_sandbox_does_not_emulate_instead_of_reading_nothing(tap: Tap) -> None:
    """GET /LinkedTransactions is not emulated: the sandbox answers Xero's 501 (ApiMethodNotImplementedException),
    so the pipeline fails loudly where an empty 200 would have passed for "no linked transactions"."""
    catalog = selecting(tap.discover(), ("linked_transactions",))
    failed = tap.attempt(*tap.sync_arguments(catalog))
    assert failed.returncode != 0
    assert "HTTP-error-code: 501" in failed.stderr, failed.stderr[-2000:]
    assert '"type": "RECORD"' not in failed.stdout
