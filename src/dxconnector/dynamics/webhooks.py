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

from dxconnector.dynamics import batch
from dxconnector.dynamics.client import DataverseClient
from dxconnector.dynamics.errors import PermanentError
from dxconnector.dynamics.ids import derived_id

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


def register(
    client: DataverseClient, connection_id: str, url: str, secret: str, tables: tuple[str, ...] = TABLES
) -> Registration:
    """(Re)register the connection's endpoint and a step for every message of every table.

    Four calls whatever the number of steps: the endpoint, the messages, their filters, and one `$batch`
    writing the steps. Each row's id is derived from what it is for, and written as an upsert: sent again
    after a lost answer, it is the same row again, never a second endpoint or a step that fires twice.
    """
    unregister(client, connection_id)
    endpoint_id = derived_id(connection_id, "endpoint")
    client.upsert(
        "serviceendpoints",
        endpoint_id,
        {
            "name": endpoint_name(connection_id),
            "url": url,
            "contract": WEBHOOK_CONTRACT,
            "messageformat": JSON_FORMAT,
            "authtype": HTTP_HEADER_AUTH,
            "authvalue": _auth_value(secret),
        },
    )
    message_ids = _message_ids(client)
    filter_ids = _filter_ids(client, tables, message_ids)
    wanted = {derived_id(connection_id, "step", table, message): (table, message) for message in MESSAGES for table in tables}
    _all_ok(
        batch.execute(
            client,
            [
                batch.BatchRequest(
                    "PATCH",
                    f"sdkmessageprocessingsteps({step_id})",
                    {
                        "name": f"Dynamics Xero Connector {connection_id}: {message} of {table}",
                        "stage": POST_OPERATION,
                        "mode": ASYNCHRONOUS,
                        "rank": 1,
                        "supporteddeployment": 0,
                        "asyncautodelete": True,
                        "sdkmessageid@odata.bind": f"/sdkmessages({message_ids[message]})",
                        "sdkmessagefilterid@odata.bind": f"/sdkmessagefilters({filter_ids[table, message]})",
                        "eventhandler_serviceendpoint@odata.bind": f"/serviceendpoints({endpoint_id})",
                    },
                )
                for step_id, (table, message) in wanted.items()
            ],
        )
    )
    return Registration(endpoint_id, tuple(wanted))


def _either(column: str, values: list[str], quote: bool = True) -> str:
    return "(" + " or ".join(f"{column} eq '{v}'" if quote else f"{column} eq {v}" for v in values) + ")"


def _message_ids(client: DataverseClient) -> dict[str, str]:
    found = client.list("sdkmessages", select="sdkmessageid,name", filter=_either("name", list(MESSAGES)))
    return {row["name"]: row["sdkmessageid"] for row in found}


def _filter_ids(client: DataverseClient, tables: tuple[str, ...], message_ids: dict[str, str]) -> dict[tuple[str, str], str]:
    """(table, message) → the message filter a step for it needs."""
    names = {message_id: name for name, message_id in message_ids.items()}
    found = client.list(
        "sdkmessagefilters",
        select="sdkmessagefilterid,primaryobjecttypecode,_sdkmessageid_value",
        filter=f"{_either('primaryobjecttypecode', list(tables))} and {_either('_sdkmessageid_value', list(names), quote=False)}",
    )
    return {(row["primaryobjecttypecode"], names[row["_sdkmessageid_value"]]): row["sdkmessagefilterid"] for row in found}


def _all_ok(answers: list[batch.BatchResponse]) -> list[batch.BatchResponse]:
    refused = next((answer for answer in answers if not answer.ok), None)
    if refused is not None:
        raise PermanentError(refused.error, refused.status)
    return answers


def endpoints(client: DataverseClient, connection_id: str) -> list[dict[str, Any]]:
    return client.list(
        "serviceendpoints",
        select="serviceendpointid,name,url,authtype,contract",
        filter=f"name eq '{endpoint_name(connection_id)}'",
    )


def steps(client: DataverseClient, endpoint_id: str) -> list[dict[str, Any]]:
    return client.list(
        "sdkmessageprocessingsteps",
        select="sdkmessageprocessingstepid,name,stage,mode",
        filter=f"_eventhandler_value eq {endpoint_id}",
    )


def unregister(client: DataverseClient, connection_id: str) -> int:
    """Remove the connection's steps, then its endpoint. Returns how many endpoints went."""
    found = endpoints(client, connection_id)
    if not found:
        return 0
    deletes = [
        batch.BatchRequest("DELETE", f"sdkmessageprocessingsteps({step['sdkmessageprocessingstepid']})")
        for endpoint in found
        for step in steps(client, endpoint["serviceendpointid"])
    ]
    deletes += [batch.BatchRequest("DELETE", f"serviceendpoints({endpoint['serviceendpointid']})") for endpoint in found]
    _all_ok(batch.execute(client, deletes))  # in order: the steps go before the endpoint they call
    return len(found)


def parse_context(body: bytes) -> Change:
    """The entity, row id and message of a RemoteExecutionContext."""
    try:
        context = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:  # RecursionError: JSON nested deeper than Python goes
        raise BadContext("not JSON") from error
    if not isinstance(context, dict):
        raise BadContext("not an object")
    entity, record_id, message = (context.get(key) for key in ("PrimaryEntityName", "PrimaryEntityId", "MessageName"))
    if not all(isinstance(value, str) and value for value in (entity, record_id, message)):
        raise BadContext("no entity, id or message")
    return Change(str(entity), str(record_id), str(message))
