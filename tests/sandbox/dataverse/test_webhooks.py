"""Webhooks registered as service endpoints and steps receive a RemoteExecutionContext after changes."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.sandbox.dataverse.conftest import API


class Receiver:
    """A local webhook receiver: records what it is sent, answers with `status`."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.received.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": json.loads(body)}
                )
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/dynamics/webhook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def register(org, receiver, table: str, message: str, *, auth: dict | None = None, filtering: str | None = None) -> dict:
    client = org.client()
    endpoint = client.post(
        f"{API}/serviceendpoints",
        json={
            "name": f"Xero connector {table} {message}",
            "url": receiver.url,
            "contract": 8,
            "messageformat": 2,
            **(auth or {"authtype": 4, "authvalue": "s3cret-key"}),
        },
        headers={"Prefer": "return=representation"},
    ).json()
    assert endpoint["authvalue"] is None  # the secret cannot be read back
    sdk_message = client.get(f"{API}/sdkmessages", params={"$select": "sdkmessageid", "$filter": f"name eq '{message}'"}).json()[
        "value"
    ][0]
    message_filter = client.get(
        f"{API}/sdkmessagefilters",
        params={
            "$select": "sdkmessagefilterid",
            "$filter": f"primaryobjecttypecode eq '{table}' and _sdkmessageid_value eq {sdk_message['sdkmessageid']}",
        },
    ).json()["value"][0]
    step = {
        "name": f"dxc: {message} of {table}",
        "stage": 40,
        "mode": 1,
        "rank": 1,
        "supporteddeployment": 0,
        "asyncautodelete": True,
        "sdkmessageid@odata.bind": f"/sdkmessages({sdk_message['sdkmessageid']})",
        "sdkmessagefilterid@odata.bind": f"/sdkmessagefilters({message_filter['sdkmessagefilterid']})",
        "eventhandler_serviceendpoint@odata.bind": f"/serviceendpoints({endpoint['serviceendpointid']})",
    }
    if filtering:
        step["filteringattributes"] = filtering
    response = client.post(f"{API}/sdkmessageprocessingsteps", json=step)
    assert response.status_code == 204, response.text
    return endpoint


def delivered(org, receiver) -> list[dict]:
    assert org.service.webhooks.flush(10)
    return receiver.received


def test_a_create_posts_the_remote_execution_context_with_the_webhook_key_and_headers(org, receiver):
    register(org, receiver, "account", "Create")
    account = org.api.create("account", {"name": "Hooked Ärzte", "revenue": 1200.5, "customertypecode": 3})
    [call] = delivered(org, receiver)
    assert parse_qs(urlsplit(call["path"]).query) == {"code": ["s3cret-key"]}
    headers = call["headers"]
    assert headers["x-ms-dynamics-entity-name"] == "account" and headers["x-ms-dynamics-request-name"] == "Create"
    assert headers["x-ms-dynamics-organization"] and headers["x-ms-correlation-request-id"]
    context = call["body"]
    assert (
        context["MessageName"],
        context["PrimaryEntityName"],
        context["PrimaryEntityId"],
        context["Stage"],
        context["Mode"],
    ) == ("Create", "account", account["accountid"], 40, 1)
    assert context["OrganizationId"] == "7d1d6a52-3f7e-4c43-9d0a-3c1b2f0e5a01" and context["OrganizationName"] == "orgcontoso"
    assert context["OutputParameters"] == [{"key": "id", "value": account["accountid"]}]
    assert (
        context["OperationCreatedOn"].startswith("/Date(") and context["CorrelationId"] == headers["x-ms-correlation-request-id"]
    )
    target = context["InputParameters"][0]
    assert (
        target["key"] == "Target"
        and target["value"]["__type"].startswith("Entity:")
        and target["value"]["LogicalName"] == "account"
    )
    attributes = {a["key"]: a["value"] for a in target["value"]["Attributes"]}
    assert attributes["name"] == "Hooked Ärzte"
    assert attributes["revenue"] == {"__type": "Money:http://schemas.microsoft.com/xrm/2011/Contracts", "Value": 1200.5}
    assert attributes["customertypecode"]["Value"] == 3 and attributes["ownerid"]["LogicalName"] == "systemuser"
    for key in (
        "BusinessUnitId",
        "Depth",
        "InitiatingUserId",
        "OwningExtension",
        "ParentContext",
        "PostEntityImages",
        "PreEntityImages",
        "SecondaryEntityName",
        "SharedVariables",
        "UserId",
    ):
        assert key in context


def test_an_update_step_fires_only_for_its_filtering_attributes(org, receiver):
    register(org, receiver, "contact", "Update", filtering="emailaddress1")
    contact = org.api.create("contact", {"lastname": "Filter"})
    org.api.update("contact", contact["contactid"], {"jobtitle": "ignored"})
    org.api.update("contact", contact["contactid"], {"emailaddress1": "zoe@example.com"})
    [call] = delivered(org, receiver)
    attributes = {a["key"]: a["value"] for a in call["body"]["InputParameters"][0]["value"]["Attributes"]}
    assert attributes["emailaddress1"] == "zoe@example.com" and "jobtitle" not in attributes


def test_invoice_line_changes_count_as_updates_of_the_invoice(org, receiver):
    register(org, receiver, "invoice", "Update", filtering="totalamount")
    register(org, receiver, "invoicedetail", "Create")
    account = org.api.create("account", {"name": "Totals hook"})
    invoice = org.api.create(
        "invoice", {"name": "Hooked invoice", "customerid_account@odata.bind": f"/accounts({account['accountid']})"}
    )
    org.api.create(
        "invoicedetail",
        {
            "invoiceid@odata.bind": f"/invoices({invoice['invoiceid']})",
            "productdescription": "x",
            "quantity": 2,
            "priceperunit": 25,
        },
    )
    calls = delivered(org, receiver)
    assert [(c["headers"]["x-ms-dynamics-entity-name"], c["body"]["MessageName"]) for c in calls] == [
        ("invoicedetail", "Create"),
        ("invoice", "Update"),
    ]
    attributes = {a["key"]: a["value"] for a in calls[1]["body"]["InputParameters"][0]["value"]["Attributes"]}
    assert attributes["totalamount"]["Value"] == 50.0


def test_a_delete_sends_an_entity_reference_and_http_header_auth_is_applied(org, receiver):
    register(
        org,
        receiver,
        "product",
        "Delete",
        auth={"authtype": 5, "authvalue": '<settings><setting name="X-Connector-Key" value="hdr-secret" /></settings>'},
    )
    product = org.api.create("product", {"name": "Gone soon", "productnumber": "GS-1"})
    org.api.delete("product", product["productid"])
    [call] = delivered(org, receiver)
    assert call["headers"]["x-connector-key"] == "hdr-secret" and "code=" not in call["path"]
    target = call["body"]["InputParameters"][0]["value"]
    assert (
        target["__type"].startswith("EntityReference:")
        and target["Id"] == product["productid"]
        and target["LogicalName"] == "product"
    )


def test_a_failed_delivery_is_recorded_as_a_failed_system_job(org, receiver):
    receiver.status = 500
    register(org, receiver, "account", "Create")
    org.api.create("account", {"name": "Will fail"})
    assert len(delivered(org, receiver)) == 1
    failed = org.api.list("asyncoperation", filter="statuscode eq 31", select=["name", "message"])
    assert len(failed) == 1 and "HTTP 500" in failed[0]["message"]
    assert org.service.webhooks.stats()["failed"] == 1


def test_disabled_steps_do_not_fire(org, receiver):
    register(org, receiver, "account", "Create")
    step = org.api.list("sdkmessageprocessingstep", filter="name eq 'dxc: Create of account'")[0]
    org.api.update("sdkmessageprocessingstep", step["sdkmessageprocessingstepid"], {"statecode": 1, "statuscode": 2})
    org.api.create("account", {"name": "Quiet"})
    assert delivered(org, receiver) == []
