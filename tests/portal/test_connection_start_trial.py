from datetime import UTC, datetime, timedelta
from unittest import mock

from django.contrib.messages import get_messages
from django.test import override_settings
from django.utils import timezone

from dxconnector.connections.models import Connection, DynamicsConnection, TrialUse, XeroConnection
from dxconnector.domain.trial import TrialState
from dxconnector.portal import checklist
from tests.base import BaseTestCase

ONLY_DEFAULTS = [checklist.defaults_set]


class StartTrialTestCase(BaseTestCase):
    def url(self):
        return f"/connections/{self.connection.pk}/start-trial/"

    def make_ready(self):
        Connection.objects.filter(pk=self.connection.pk).update(status=Connection.Status.CREATED)

    def test_it_refuses_while_steps_are_missing(self):
        self.make_ready()
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), {"next": "/home/"}, follow=True)
        self.assertContains(response, "The free trial starts once every checklist step is green.")
        self.connection.refresh_from_db()
        self.assertIsNone(self.connection.trial_started_at)

    def test_back_to_home_starts_the_trial(self):
        self.make_ready()
        self.client.force_login(self.alice)
        with mock.patch.object(checklist, "CHECKS", ONLY_DEFAULTS):
            response = self.client.post(self.url(), {"next": "/home/"}, follow=True)
        self.assertEqual(response.redirect_chain[-1][0], "/home/")
        self.assertContains(response, "30 days left")
        self.assertContains(response, "Your free trial of “Alpha Sales” has started.")
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.trial_state(), TrialState.RUNNING)

    def test_the_cross_starts_it_too_and_it_never_restarts(self):
        self.make_ready()
        self.client.force_login(self.alice)
        with mock.patch.object(checklist, "CHECKS", ONLY_DEFAULTS):
            self.client.post(self.url(), {"next": f"/connections/{self.connection.pk}/"})
            self.connection.refresh_from_db()
            first = self.connection.trial_started_at
            self.client.post(self.url(), {"next": "/home/"})
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.trial_started_at, first)

    def test_it_ignores_an_offsite_next(self):
        self.make_ready()
        self.client.force_login(self.alice)
        with mock.patch.object(checklist, "CHECKS", ONLY_DEFAULTS):
            response = self.client.post(self.url(), {"next": "https://evil.example.com/"})
        self.assertRedirects(response, "/home/")

    def test_another_user_cannot_start_it(self):
        self.make_ready()
        self.client.force_login(self.bob)
        with mock.patch.object(checklist, "CHECKS", ONLY_DEFAULTS):
            self.assertNotFound(self.client.post(self.url()))


class OneTrialPerOrganisationTestCase(BaseTestCase):
    """A trial is used once per Xero organisation and once per Dynamics organisation, whatever connection it was in."""

    def join(self, connection, tenant="xero-tenant-1", org_id="dyn-org-1", org_url="https://oakwood.crm6.dynamics.com"):
        XeroConnection.objects.create(connection=connection, tenant_id=tenant, tenant_name="Oakwood", expires_at=timezone.now())
        DynamicsConnection.objects.create(connection=connection, org_id=org_id, org_url=org_url)
        Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.CREATED)
        return connection

    def end_the_trials(self) -> None:
        """Move every trial started so far into the past: it has ended."""
        past = timezone.now() - timedelta(days=1)
        TrialUse.objects.update(ends_at=past)
        Connection.objects.exclude(trial_started_at=None).update(trial_started_at=past - timedelta(days=30), trial_ends_at=past)

    def start(self, connection) -> str:
        """Close the pop-up; the messages the owner is shown."""
        with mock.patch.object(checklist, "CHECKS", ONLY_DEFAULTS):
            response = self.client.post(f"/connections/{connection.pk}/start-trial/", {"next": "/home/"})
        return " ".join(str(message) for message in get_messages(response.wsgi_request))

    def test_a_new_connection_to_the_same_organisations_starts_no_second_trial(self):
        self.client.force_login(self.alice)
        self.start(self.join(self.connection))
        self.end_the_trials()
        again = self.join(Connection.objects.create(owner=self.alice, name="Alpha again", time_zone="Europe/London"))
        self.assertIn("has had its free trial already", self.start(again))
        again.refresh_from_db()
        self.assertIsNone(again.trial_started_at)
        self.assertFalse(again.may_sync())

    def test_deleting_the_connection_does_not_give_the_organisation_another_trial(self):
        self.client.force_login(self.alice)
        self.start(self.join(self.connection))
        self.end_the_trials()
        self.connection.delete()
        again = self.join(Connection.objects.create(owner=self.alice, name="Alpha again", time_zone="Europe/London"))
        self.start(again)
        again.refresh_from_db()
        self.assertIsNone(again.trial_started_at)

    def test_another_user_with_the_same_xero_organisation_and_a_new_dynamics_one_gets_no_trial(self):
        self.client.force_login(self.alice)
        self.start(self.join(self.connection))
        self.end_the_trials()
        self.client.force_login(self.bob)
        bobs = self.join(
            Connection.objects.create(owner=self.bob, name="Beta", time_zone="Europe/London"),
            org_id="dyn-org-2",
            org_url="https://beta.crm6.dynamics.com",
        )
        self.start(bobs)
        bobs.refresh_from_db()
        self.assertIsNone(bobs.trial_started_at)

    def test_the_same_dynamics_organisation_by_url_with_a_new_xero_one_gets_no_trial(self):
        self.client.force_login(self.alice)
        self.start(self.join(self.connection, org_id=""))
        self.end_the_trials()
        again = self.join(
            Connection.objects.create(owner=self.alice, name="Alpha again", time_zone="Europe/London"),
            tenant="xero-tenant-2",
            org_id="",
            org_url="https://OAKWOOD.crm6.dynamics.com/",
        )
        self.start(again)
        again.refresh_from_db()
        self.assertIsNone(again.trial_started_at)

    def test_a_second_connection_during_the_trial_joins_it_and_ends_with_it(self):
        self.client.force_login(self.alice)
        self.start(self.join(self.connection))
        self.connection.refresh_from_db()
        second = self.join(
            Connection.objects.create(owner=self.alice, name="Second Xero", time_zone="Europe/London"), tenant="xero-tenant-2"
        )
        self.assertIn("has started", self.start(second))
        second.refresh_from_db()
        self.assertEqual(second.trial_ends_at, self.connection.trial_ends_at)
        self.assertTrue(second.may_sync())
        # joining used nothing up: the Dynamics organisation had one trial, the new Xero one none
        self.assertEqual(
            sorted(TrialUse.objects.values_list("organisation", "used")),
            [("dyn-org-1", 1), ("xero-tenant-1", 1), ("xero-tenant-2", 0)],
        )

    def test_other_organisations_get_their_own_trial(self):
        self.client.force_login(self.alice)
        self.start(self.join(self.connection))
        other = self.join(
            Connection.objects.create(owner=self.alice, name="Other", time_zone="Europe/London"),
            tenant="xero-tenant-2",
            org_id="dyn-org-2",
            org_url="https://other.crm6.dynamics.com",
        )
        self.assertIn("has started", self.start(other))

    def test_the_operator_can_grant_another_trial(self):
        self.client.force_login(self.alice)
        self.start(self.join(self.connection))
        self.end_the_trials()
        TrialUse.objects.update(allowed=2)  # what the operator does in the admin for both organisations
        again = self.join(Connection.objects.create(owner=self.alice, name="Alpha again", time_zone="Europe/London"))
        self.assertIn("has started", self.start(again))
        self.assertEqual(sorted(TrialUse.objects.values_list("side", "used")), [("dynamics", 2), ("xero", 2)])


class TrialModelTestCase(BaseTestCase):
    NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def test_a_new_connection_has_not_started_its_trial(self):
        self.assertEqual(self.connection.trial_state(self.NOW), TrialState.NOT_STARTED)
        self.assertFalse(self.connection.may_sync(self.NOW))

    @override_settings(TRIAL_DAYS=14)
    def test_start_trial_uses_the_configured_length_once(self):
        self.assertTrue(self.connection.start_trial(self.NOW))
        self.assertFalse(self.connection.start_trial(self.NOW + timedelta(days=3)))
        self.assertEqual(self.connection.trial_ends_at, self.NOW + timedelta(days=14))
        self.assertEqual(self.connection.trial_days_left(self.NOW + timedelta(days=4)), 10)

    def test_an_ended_trial_pauses_syncing_until_the_operator_marks_a_subscription(self):
        self.connection.start_trial(self.NOW)
        later = self.NOW + timedelta(days=31)
        self.assertEqual(self.connection.trial_state(later), TrialState.ENDED)
        self.assertFalse(self.connection.may_sync(later))
        self.connection.subscription_active = True
        self.assertTrue(self.connection.may_sync(later))
