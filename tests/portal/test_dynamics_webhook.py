"""The Dynamics webhook receiver: the connection's secret or 401, then one queued sync however many calls
arrive before it starts; and Xero's webhook events queue a sync of their organisation's connections."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from unittest import mock

from django.db import connection as db
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import (
    Connection,
    DynamicsConnection,
    XeroConnection,
)
from dxconnector.dynamics.webhooks import SECRET_HEADER, BadContext, parse_context
from dxconnector.sync import engine, triggers
from dxconnector.sync.models import QueuedSync, XeroWebhookEvent
from tests.base import BaseTestCase

SECRET = "a-secret-only-dynamics-knows"
TASK = "dxconnector.sync.tasks.sync_connection"


def context(entity: str = "invoice", message: str = "Create", record_id: str | None = None) -> bytes:
    record_id = record_id or str(uuid.uuid4())
    return json.dumps(
        {
            "MessageName": message,
            "PrimaryEntityName": entity,
            "PrimaryEntityId": record_id,
            "Stage": 40,
            "Mode": 1,
            "InputParameters": [],
            "OutputParameters": [{"key": "id", "value": record_id}],
        }
    ).encode()


def created(owner, *, tenant_id: str = "tenant-1", secret: str = SECRET, **fields) -> Connection:
    connection = Connection.objects.create(owner=owner, name="Hooked", status=Connection.Status.CREATED, **fields)
    connection.start_trial()
    DynamicsConnection.objects.create(connection=connection, org_url="https://org.example.com", webhook_secret=secret)
    XeroConnection.objects.create(
        connection=connection,
        tenant_id=tenant_id,
        access_token="a",
        refresh_token="r",
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    return connection


class DynamicsWebhookTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.hooked = created(self.alice)
        self.url = f"/webhooks/dynamics/{self.hooked.pk}/"

    def post(self, body: bytes | None = None, secret: str | None = SECRET, url: str | None = None):
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        return self.client.post(
            url or self.url, body if body is not None else context(), content_type="application/json", headers=headers
        )

    def queued(self) -> list[DBTaskResult]:
        return list(DBTaskResult.objects.filter(task_path=TASK))

    def test_a_call_with_the_secret_queues_a_webhook_sync_of_the_connection(self):
        response = self.post()
        self.assertEqual((response.status_code, response.content), (200, b""))
        [job] = self.queued()
        self.assertEqual(job.args_kwargs["args"], [str(self.hooked.pk), "webhook"])
        self.assertEqual(QueuedSync.objects.get().connection_id, self.hooked.pk)

    def test_the_secret_is_stored_encrypted(self):
        with db.cursor() as cursor:
            cursor.execute("SELECT webhook_secret FROM portal_dynamicsconnection WHERE connection_id = %s", [self.hooked.pk.hex])
            [stored] = cursor.fetchone()
        self.assertNotIn(SECRET, stored)
        self.assertEqual(DynamicsConnection.objects.get(connection=self.hooked).webhook_secret, SECRET)

    def test_a_wrong_or_missing_secret_is_refused_with_401_and_nothing_is_queued(self):
        for secret in ("wrong", "", None, SECRET + "x"):
            response = self.post(secret=secret)
            self.assertEqual((response.status_code, response.content), (401, b""), secret)
        self.assertEqual(self.queued(), [])
        self.assertFalse(QueuedSync.objects.exists())

    def test_a_connection_without_a_secret_or_unknown_refuses_every_call(self):
        DynamicsConnection.objects.filter(connection=self.hooked).update(webhook_secret="")
        self.assertEqual(self.post(secret="").status_code, 401)
        self.assertEqual(self.post(url=f"/webhooks/dynamics/{uuid.uuid4()}/").status_code, 401)
        self.assertEqual(self.queued(), [])

    def test_a_body_of_json_nested_100000_deep_is_a_400_not_a_500(self):
        response = self.post(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.queued(), [])

    def test_a_body_that_is_no_execution_context_is_a_400(self):
        for body in (b"not json", b"[]", json.dumps({"MessageName": "Create"}).encode()):
            self.assertEqual(self.post(body).status_code, 400)
        self.assertEqual(self.queued(), [])

    def test_get_is_not_allowed(self):
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_calls_while_a_sync_is_queued_add_nothing_and_the_next_call_after_it_starts_queues_again(self):
        for entity in ("invoice", "invoicedetail", "invoice"):
            self.assertEqual(self.post(context(entity)).status_code, 200)
        self.assertEqual(len(self.queued()), 1)
        with mock.patch.object(engine, "run_sync") as run_sync:
            self.run_jobs()
        run_sync.assert_called_once_with(str(self.hooked.pk), "webhook")
        self.assertFalse(QueuedSync.objects.exists())
        self.post()
        self.assertEqual(DBTaskResult.objects.filter(task_path=TASK, status="READY").count(), 1)

    def test_a_stale_marker_does_not_block_syncing_forever(self):
        QueuedSync.objects.create(connection=self.hooked, trigger="webhook", queued_at=timezone.now() - timedelta(hours=2))
        self.post()
        self.assertEqual(len(self.queued()), 1)

    def test_a_paused_connection_queues_nothing_but_answers_200(self):
        Connection.objects.filter(pk=self.hooked.pk).update(trial_ends_at=datetime(2020, 1, 1, tzinfo=UTC))
        self.assertEqual(self.post().status_code, 200)
        self.assertEqual(self.queued(), [])

    def test_the_execution_context_is_read_down_to_entity_id_and_message(self):
        change = parse_context(context("invoicedetail", "Delete", "abc"))
        self.assertEqual((change.entity, change.record_id, change.message), ("invoicedetail", "abc", "Delete"))
        with self.assertRaises(BadContext):
            parse_context(b"\xff")


class XeroEventsQueueSyncsTestCase(BaseTestCase):
    def test_events_queue_one_xero_webhook_sync_per_connection_of_the_tenant_and_the_run_marks_them_processed(self):
        first, second = created(self.alice), created(self.bob)
        other = created(self.charlie, tenant_id="tenant-2")
        self.assertEqual(triggers.xero_events_arrived(["tenant-1"]), 2)
        self.assertEqual(triggers.xero_events_arrived(["tenant-1"]), 0)  # queued already
        jobs = {tuple(job.args_kwargs["args"]) for job in DBTaskResult.objects.filter(task_path=TASK)}
        self.assertEqual(jobs, {(str(first.pk), "xero_webhook"), (str(second.pk), "xero_webhook")})
        self.assertNotIn(other.pk, QueuedSync.objects.values_list("connection_id", flat=True))
        event = XeroWebhookEvent.objects.create(
            tenant_id="tenant-1",
            category="INVOICE",
            event_type="UPDATE",
            resource_id=str(uuid.uuid4()),
            event_date=timezone.now(),
        )
        with mock.patch.object(engine, "run_sync"):
            self.run_jobs()
        event.refresh_from_db()
        self.assertIsNotNone(event.processed_at)
