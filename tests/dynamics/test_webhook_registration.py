"""Registering the connection's webhook in Dynamics stays single when Dataverse's answers are lost: the
endpoint and its steps are written by ids of our own, so a write sent again is the same row again."""

from __future__ import annotations

import uuid

import pytest

from dxconnector.dynamics import webhooks
from dxconnector.dynamics.client import DataverseClient
from tests.dynamics.dataverse_sandbox import control, control_routes, dataverse_org, seed_for, token  # noqa: F401 (fixtures)
from tests.sandboxes import start_sandbox

DROPS = {"rates": {"drop_after_commit": 0.5}}
# Registering a new connection: is one there already (no), the endpoint, the messages, their filters, the steps'
# `$batch`. The endpoint's answer and the `$batch`'s are lost after Dataverse applied them; each retry is served.
FATES = [None, "drop_after_commit", None, None, None, "drop_after_commit", None]


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("dataverse-webhooks"), "--time-scale", "60")
    yield running
    running.stop()


@pytest.fixture
def client(own_sandbox, dataverse_org, token):
    made = DataverseClient(dataverse_org["url"], lambda: token, own_sandbox.ca_file)
    yield made
    made.close()


def test_answers_lost_after_the_endpoint_and_the_steps_were_written_leave_one_endpoint_and_one_step_each(client, control):
    connection_id = str(uuid.uuid4())
    control.put("/faults", json={**DROPS, "seed": seed_for(FATES, DROPS)}).raise_for_status()
    registration = webhooks.register(client, connection_id, "https://connector.example/webhooks/dynamics/", "secret")
    control.put("/faults", json={}).raise_for_status()
    assert control.get("/stats").json()["faults"]["injected"]["drop_after_commit"] == 2
    [endpoint] = webhooks.endpoints(client, connection_id)
    assert endpoint["serviceendpointid"] == registration.endpoint_id
    steps = webhooks.steps(client, registration.endpoint_id)
    assert len(steps) == len(webhooks.TABLES) * len(webhooks.MESSAGES) == len(registration.step_ids)
    assert {step["sdkmessageprocessingstepid"] for step in steps} == set(registration.step_ids)


def test_registering_again_keeps_the_same_ids(client, control):
    connection_id = str(uuid.uuid4())
    first = webhooks.register(client, connection_id, "https://connector.example/webhooks/dynamics/", "one")
    again = webhooks.register(client, connection_id, "https://connector.example/webhooks/dynamics/", "two")
    assert again == first
    assert len(webhooks.endpoints(client, connection_id)) == 1
    assert len(webhooks.steps(client, first.endpoint_id)) == len(first.step_ids)
