"""Shared test case: three named users, each with a connection, and assertion helpers."""

from __future__ import annotations

import re
from unittest import mock

from django.core import mail
from django.test import TestCase
from django.utils import timezone

from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.jobs.worker import run_pending_jobs
from dxconnector.portal.models import User

PASSWORD = "correct-horse-battery-staple"


def run_jobs() -> None:
    """Run the queued jobs through the real database-backed worker loop.

    The worker calls close_old_connections() between jobs; inside a test's transaction that would
    close the connection, so here (as Django's test runner does for requests) it is switched off.
    """
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        run_pending_jobs()


def email_of_length(length: int, local: str = "someone") -> str:
    """A valid email address of exactly `length` characters: `local`, then a domain of labels of 50 letters."""
    domain = "example.org"
    while len(local) + 1 + len(domain) < length:
        domain = "d" * min(50, length - len(local) - 1 - len(domain) - 1) + "." + domain
    email = f"{local}@{domain}"
    assert len(email) == length, (len(email), length)
    return email


class BaseTestCase(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice = self.make_user("alice@example.org", "Alice Anders", "Alpha Ltd")
        self.bob = self.make_user("bob@example.org", "Bob Brown", "Beta Ltd")
        self.charlie = self.make_user("charlie@example.org", "Charlie Chen", "Gamma Ltd")
        self.connection = Connection.objects.create(owner=self.alice, name="Alpha Sales", time_zone="Europe/London")

    @staticmethod
    def make_user(email: str, name: str, company: str) -> User:
        return User.objects.create_user(email, PASSWORD, name=name, company=company)

    def run_jobs(self) -> None:
        run_jobs()

    def connect_both_sides(self, connection: Connection | None = None) -> None:
        """Alice's connection (or `connection`) connected to a Dynamics and a Xero organisation, without a sign-in."""
        connection = connection or self.connection
        DynamicsConnection.objects.create(connection=connection, org_url="https://oakwood.crm6.dynamics.com")
        XeroConnection.objects.create(
            connection=connection,
            tenant_id="tenant-1",
            tenant_name="Alpha Ltd",
            access_token="access",
            refresh_token="refresh",
            expires_at=timezone.now(),
        )

    def assertMessage(self, response, text: str) -> None:
        messages = [str(m) for m in response.context["messages"]] if response.context else []
        body = response.content.decode()
        self.assertTrue(any(text in m for m in messages) or text in body, f"{text!r} not shown; messages: {messages}")

    def assertNotFound(self, response) -> None:
        self.assertEqual(response.status_code, 404)

    def last_email_link(self) -> str:
        self.assertTrue(mail.outbox, "no email was sent")
        match = re.search(r"https?://\S+", mail.outbox[-1].body)
        self.assertIsNotNone(match, "the email carries no link")
        return match.group(0)

    def path_of(self, url: str) -> str:
        return re.sub(r"^https?://[^/]+", "", url)
