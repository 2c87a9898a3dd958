"""$batch: change sets are atomic, Content-IDs refer to earlier rows, errors stop or continue the batch."""

from __future__ import annotations

import json
import uuid

from tests.sandbox.dataverse.conftest import API


def request_part(method: str, url: str, body: dict | None = None, content_id: str | None = None) -> str:
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id:
        lines.append(f"Content-ID: {content_id}")
    inner = [f"{method} {url} HTTP/1.1"]
    if body is not None:
        inner.append("Content-Type: application/json; type=entry")
    return (
        "\r\n".join(lines)
        + "\r\n\r\n"
        + "\r\n".join(inner)
        + "\r\n\r\n"
        + (json.dumps(body) if body is not None else "")
        + "\r\n"
    )


def batch_body(items: list, boundary: str = "batch_test") -> str:
    chunks = []
    for item in items:
        if isinstance(item, list):  # a change set
            inner = "".join(f"--changeset_x\r\n{part}" for part in item) + "--changeset_x--\r\n"
            chunks.append(f"--{boundary}\r\nContent-Type: multipart/mixed; boundary=changeset_x\r\n\r\n{inner}")
        else:
            chunks.append(f"--{boundary}\r\n{item}")
    return "".join(chunks) + f"--{boundary}--\r\n"


def send(org, items, *, prefer: str | None = None):
    headers = {"Content-Type": "multipart/mixed; boundary=batch_test"}
    if prefer:
        headers["Prefer"] = prefer
    return org.client().post(f"{API}/$batch", content=batch_body(items).encode(), headers=headers)


def statuses(response) -> list[int]:
    return [int(line.split(" ")[1]) for line in response.text.splitlines() if line.startswith("HTTP/1.1 ")]


def names_like(org, tag):
    return sorted(row["name"] for row in org.api.list("account", filter=f"startswith(name,'{tag}')", select=["name"]))


def test_a_change_set_creates_related_rows_through_content_id_references(org):
    tag = uuid.uuid4().hex[:6]
    response = send(
        org,
        [
            [
                request_part("POST", f"{API}/accounts", {"name": f"{tag} parent"}, "1"),
                request_part(
                    "POST", f"{API}/contacts", {"lastname": f"{tag} child", "parentcustomerid_account@odata.bind": "$1"}, "2"
                ),
                request_part("PATCH", "$1", {"telephone1": "+34 1"}, "3"),
            ],
            request_part("GET", f"{API}/accounts?$select=name&$filter=startswith(name,'{tag}')"),
        ],
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("multipart/mixed; boundary=batchresponse_")
    assert statuses(response) == [204, 204, 204, 200]
    assert "Content-ID: 2" in response.text and "OData-EntityId: https://testserver/api/data/v9.2/contacts(" in response.text
    contact = org.api.list("contact", filter=f"lastname eq '{tag} child'", select=["_parentcustomerid_value"])[0]
    parent = org.api.list("account", filter=f"name eq '{tag} parent'", select=["telephone1"])[0]
    assert contact["_parentcustomerid_value"] == parent["accountid"] and parent["telephone1"] == "+34 1"


def test_a_failing_change_set_rolls_back_entirely_and_answers_with_its_one_error(org):
    tag = uuid.uuid4().hex[:6]
    response = send(
        org,
        [
            [
                request_part("POST", f"{API}/accounts", {"name": f"{tag} a"}, "1"),
                request_part("POST", f"{API}/accounts", {"name": f"{tag} b", "nosuchcolumn": 1}, "2"),
            ]
        ],
    )
    assert response.status_code == 400
    assert statuses(response) == [400]
    assert names_like(org, tag) == []


def test_without_continue_on_error_the_batch_stops_at_the_first_failure(org):
    tag = uuid.uuid4().hex[:6]
    response = send(
        org,
        [
            request_part("POST", f"{API}/accounts", {"name": f"{tag} 1"}),
            request_part("POST", f"{API}/accounts", {"bad": True}),
            request_part("POST", f"{API}/accounts", {"name": f"{tag} 3"}),
        ],
    )
    assert response.status_code == 400 and statuses(response) == [204, 400]
    assert names_like(org, tag) == [f"{tag} 1"]


def test_with_continue_on_error_every_item_runs(org):
    tag = uuid.uuid4().hex[:6]
    response = send(
        org,
        [
            request_part("POST", f"{API}/accounts", {"name": f"{tag} 1"}),
            [
                request_part("POST", f"{API}/accounts", {"name": f"{tag} 2"}, "1"),
                request_part("POST", f"{API}/accounts", {"name": f"{tag} 2b", "revenue": "lots"}, "2"),
            ],
            request_part("PATCH", f"{API}/accounts({uuid.uuid4()})", {"name": f"{tag} 3"}),
        ],
        prefer="odata.continue-on-error",
    )
    assert response.status_code == 200 and response.headers["preference-applied"] == "odata.continue-on-error"
    assert statuses(response) == [204, 400, 204]  # the failed change set answers once; a PATCH to a new id creates it
    assert names_like(org, tag) == [f"{tag} 1", f"{tag} 3"]


def test_change_sets_refuse_gets_and_batches_refuse_more_than_1000_requests(org):
    refused = send(org, [[request_part("GET", f"{API}/accounts")]])
    assert refused.status_code == 400
    too_many = send(org, [request_part("GET", f"{API}/WhoAmI") for _ in range(1001)])
    assert too_many.status_code == 400 and "1000" in too_many.json()["error"]["message"]


def test_relative_urls_and_lf_line_ends_are_understood(org):
    tag = uuid.uuid4().hex[:6]
    body = batch_body([request_part("POST", "accounts", {"name": f"{tag} relative"})]).replace("\r\n", "\n")
    response = org.client().post(
        f"{API}/$batch", content=body.encode(), headers={"Content-Type": 'multipart/mixed; boundary="batch_test"'}
    )
    assert response.status_code == 200 and statuses(response) == [204]
