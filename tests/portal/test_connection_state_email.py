"""The owner's email when a connection starts needing attention, and when it recovers: queued by the engine after a
run whose outcome the owner has not heard of, sent once per change however many runs queue it."""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection
from dxconnector.domain.health import Cause
from dxconnector.portal import emails
from dxconnector.sync import attention
from tests.base import BaseTestCase

EMAIL_JOB = "dxconnector.portal.tasks.send_connection_state_email"
NOWHERE = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": 9}


class ConnectionStateEmailTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        Connection.objects.filter(pk=self.connection.pk).update(status=Connection.Status.CREATED)

    def needs(self, cause: Cause | str) -> None:
        Connection.objects.filter(pk=self.connection.pk).update(attention=cause, attention_since=timezone.now())

    def queued(self) -> int:
        return DBTaskResult.objects.filter(task_path=EMAIL_JOB).count()

    def test_a_run_that_finds_the_connection_needing_attention_queues_the_owners_email_once_it_is_news(self):
        attention.run_failed(self.connection.pk, Cause.XERO_CONSENT)
        self.assertEqual(self.queued(), 1)
        self.run_jobs()
        [email] = mail.outbox
        self.assertEqual((email.to, email.subject), (["alice@example.org"], "Alpha Sales needs your attention"))
        self.assertIn("Xero no longer accepts this connection's sign-in: connect to Xero again.", email.body)
        self.assertIn(f"{settings.BASE_URL}/connections/{self.connection.pk}/", email.body)
        [(html, kind)] = email.alternatives
        self.assertEqual(kind, "text/html")
        self.assertIn("Xero no longer accepts this connection&#x27;s sign-in", html)

        attention.run_failed(self.connection.pk, Cause.XERO_CONSENT)  # the owner knows: nothing more is queued
        self.assertEqual(self.queued(), 1)

    def test_a_run_failing_for_a_passing_reason_queues_nothing(self):
        attention.run_failed(self.connection.pk, Cause.XERO_UNAVAILABLE)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.attention, "")
        self.assertEqual(self.queued(), 0)

    def test_a_run_that_goes_through_after_the_owner_was_told_queues_the_recovery_email(self):
        self.needs(Cause.PRIVILEGE_LOST)
        emails.send_connection_state_email(str(self.connection.pk))
        attention.run_succeeded(self.connection.pk)
        self.assertEqual(self.queued(), 1)
        self.run_jobs()
        self.assertEqual(
            [email.subject for email in mail.outbox], ["Alpha Sales needs your attention", "Alpha Sales is syncing again"]
        )
        self.connection.refresh_from_db()
        self.assertFalse(self.connection.attention_emailed)
        attention.run_succeeded(self.connection.pk)
        self.assertEqual(self.queued(), 1)

    def test_however_many_jobs_run_the_owner_gets_one_email_per_change(self):
        self.needs(Cause.XERO_DISCONNECTED)
        for _ in range(3):
            emails.send_connection_state_email(str(self.connection.pk))
        Connection.objects.filter(pk=self.connection.pk).update(attention="", attention_since=None)
        for _ in range(3):
            emails.send_connection_state_email(str(self.connection.pk))
        self.assertEqual(len(mail.outbox), 2)

    def test_a_cause_changing_while_it_needs_attention_sends_no_second_email(self):
        attention.run_failed(self.connection.pk, Cause.XERO_CONSENT)
        self.run_jobs()
        since = Connection.objects.get(pk=self.connection.pk).attention_since
        attention.run_failed(self.connection.pk, Cause.DYNAMICS_SIGN_IN)
        self.run_jobs()
        self.connection.refresh_from_db()
        self.assertEqual((self.connection.attention, self.connection.attention_since), (Cause.DYNAMICS_SIGN_IN, since))
        self.assertEqual(len(mail.outbox), 1)

    def test_nothing_to_tell_sends_nothing(self):
        emails.send_connection_state_email(str(self.connection.pk))
        self.assertEqual(mail.outbox, [])

    def test_an_email_that_cannot_be_sent_is_tried_again_by_the_next_job(self):
        self.needs(Cause.SOLUTION_REMOVED)
        with override_settings(**NOWHERE), self.assertRaises(OSError):
            emails.send_connection_state_email(str(self.connection.pk))
        self.connection.refresh_from_db()
        self.assertFalse(self.connection.attention_emailed)
        emails.send_connection_state_email(str(self.connection.pk))
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(Cause.SOLUTION_REMOVED.words, mail.outbox[0].body)

    def test_each_owner_hears_of_their_own_connection_only(self):
        bobs = Connection.objects.create(owner=self.bob, name="Beta Wholesale", status=Connection.Status.CREATED)
        attention.run_failed(bobs.pk, Cause.DYNAMICS_SIGN_IN)
        self.run_jobs()
        [email] = mail.outbox
        self.assertEqual((email.to, email.subject), (["bob@example.org"], "Beta Wholesale needs your attention"))
