"""Dataverse webhooks the connector registers for itself: a service endpoint (contract "webhook") per
connection, and asynchronous post-operation steps that call it when a watched table changes; and the
`RemoteExecutionContext` those calls carry, read down to what the receiver needs.

The endpoint is found again by its name (which carries the portal's connection id), so registering twice
replaces the first registration and unregistering needs nothing stored but the connection id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

from dxconnector.dynamics.client import DataverseClient

WEBHOOK_CONTRACT = 8
HTTP_HEADER_AUTH = 5
JSON_FORMAT = 2
POST_OPERATION = 40
ASYNCHRONOUS = 1
SECRET_HEADER = "X-Connector-Key"
TABLES = ("invoice", "invoicedetail", "account", "contact", "product")
MESSAGES = ("Create", "Update", "Delete")


class BadContext(ValueError):
    """The body is not a RemoteExecutionContext."""


@dataclass(frozen=True)
class Change:
    """What a webhook call says happened: a message on one row."""

    entity: str
    record_id: str
    message: str


@dataclass(frozen=True)
class Registration:
    endpoint_id: str
    step_ids: tuple[str, ...]


def endpoint_name(connection_id: str) -> str:
    return f"Dynamics Xero Connector {connection_id}"


def _auth_value(secret: str) -> str:
    return f"<settings><setting name={quoteattr(SECRET_HEADER)} value={quoteattr(secret)}/></settings>"


def register(client: DataverseClient, connection_id: str, url: str, secret: str,
             tables: tuple[str, ...] = TABLES) -> Registration:
    """(Re)register the connection's endpoint and a step for every message of every table."""
    unregister(client, connection_id)
    endpoint_id = client.create("serviceendpoints", {
        "name": endpoint_name(connection_id), "url": url, "contract": WEBHOOK_CONTRACT, "messageformat": JSON_FORMAT,
        "authtype": HTTP_HEADER_AUTH, "authvalue": _auth_value(secret),
    })
    message_ids = {message: _message_id(client, message) for message in MESSAGES}
    step_ids = tuple(_add_step(client, endpoint_id, connection_id, table, message, message_ids[message])
                     for message in MESSAGES for table in tables)
    return Registration(endpoint_id, step_ids)


def _message_id(client: DataverseClient, message: str) -> str:
    [found] = client.list("sdkmessages", select="sdkmessageid", filter=f"name eq '{message}'")
    return found["sdkmessageid"]


def _filter_id(client: DataverseClient, table: str, message_id: str) -> str:
    [found] = client.list("sdkmessagefilters", select="sdkmessagefilterid",
                          filter=f"primaryobjecttypecode eq '{table}' and _sdkmessageid_value eq {message_id}")
    return found["sdkmessagefilterid"]


def _add_step(client: DataverseClient, endpoint_id: str, connection_id: str, table: str, message: str, message_id: str) -> str:
    return client.create("sdkmessageprocessingsteps", {
        "name": f"Dynamics Xero Connector {connection_id}: {message} of {table}",
        "stage": POST_OPERATION, "mode": ASYNCHRONOUS, "rank": 1, "supporteddeployment": 0, "asyncautodelete": True,
        "sdkmessageid@odata.bind": f"/sdkmessages({message_id})",
        "sdkmessagefilterid@odata.bind": f"/sdkmessagefilters({_filter_id(client, table, message_id)})",
        "eventhandler_serviceendpoint@odata.bind": f"/serviceendpoints({endpoint_id})",
    })


def endpoints(client: DataverseClient, connection_id: str) -> list[dict[str, Any]]:
    return client.list("serviceendpoints", select="serviceendpointid,name,url,authtype,contract",
                       filter=f"name eq '{endpoint_name(connection_id)}'")


def steps(client: DataverseClient, endpoint_id: str) -> list[dict[str, Any]]:
    return client.list("sdkmessageprocessingsteps", select="sdkmessageprocessingstepid,name,stage,mode",
                       filter=f"_eventhandler_value eq {endpoint_id}")


def unregister(client: DataverseClient, connection_id: str) -> int:
    """Remove the connection's steps, then its endpoint. Returns how many endpoints went."""
    found = endpoints(client, connection_id)
    for endpoint in found:
        for step in steps(client, endpoint["serviceendpointid"]):
            client.request("DELETE", f"sdkmessageprocessingsteps({step['sdkmessageprocessingstepid']})")
        client.request("DELETE", f"serviceendpoints({endpoint['serviceendpointid']})")
    return len(found)


def parse_context(body: bytes) -> Change:
    """The entity, row id and message of a RemoteExecutionContext."""
    try:
        context = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadContext("not JSON") from error
    if not isinstance(context, dict):
        raise BadContext("not an object")
    entity, record_id, message = (context.get(key) for key in ("PrimaryEntityName", "PrimaryEntityId", "MessageName"))
    if not all(isinstance(value, str) and value for value in (entity, record_id, message)):
        raise BadContext("no entity, id or message")
    return Change(str(entity), str(record_id), str(message))
