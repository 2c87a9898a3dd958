from datetime import UTC, datetime, timedelta
from unittest import mock

from django.test import override_settings

from dxconnector.connections.models import Connection
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
