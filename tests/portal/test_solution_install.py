"""Install into Dynamics (the solution-install view): the page queues the import as a job and answers at once; the job
imports the managed solution into the organisation, over HTTPS against the Microsoft sandbox; a failed import says why
and can be tried again.

A sandbox of each test's own, so the solution is in an organisation only once that test installed it (what the page
shows depends on it: an installed solution is shown as installed, whatever was queued)."""

from __future__ import annotations

import dataclasses
import time

import pytest
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.clients import dynamics_client
from dxconnector.connections.models import DynamicsConnection
from dxconnector.dynamics.solution import DYNAMICS_XERO_CONNECTOR
from dxconnector.dynamics.solution.package import build_solution_zip
from tests.base import BaseTestCase
from tests.dynamics.dataverse_sandbox import control_client
from tests.portal.test_dynamics_connect import DynamicsSteps
from tests.sandboxes import start_sandbox

JOB = "dxconnector.portal.tasks.install_solution"


@pytest.fixture
def install_sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("install-sandbox"), "--limits", "off")
    yield running
    running.stop()


class SolutionInstallTestCase(DynamicsSteps, BaseTestCase):
    @pytest.fixture(autouse=True)
    def _use_sandbox(self, install_sandbox):
        with self.using(install_sandbox):
            yield

    def install(self):
        return self.client.post(f"/connections/{self.connection.pk}/solution/install/", follow=True)

    def queued_installs(self) -> int:
        return DBTaskResult.objects.filter(task_path=JOB).count()

    def dataverse(self, friendly_name: str):
        control = control_client(self.sandbox, self.org(friendly_name))
        self.addCleanup(control.close)
        return control

    def test_the_page_answers_at_once_and_queues_one_install_without_asking_dynamics(self):
        self.connect()
        self.select("Oakwood Sales")
        control = self.dataverse("Oakwood Sales")
        control.post("/reset-stats").raise_for_status()
        started = time.monotonic()
        answer = self.client.post(f"/connections/{self.connection.pk}/solution/install/")
        self.assertLess(time.monotonic() - started, 2.0, "the page waited on Dynamics")
        self.assertEqual(answer.status_code, 302)
        self.assertEqual(control.get("/stats").json()["calls"], 0, "the page asked Dynamics itself")
        response = self.client.get(answer["Location"])
        self.assertMessage(response, "Installing the solution into Dynamics…")
        self.assertContains(response, "Installing the solution into Dynamics…")
        self.assertContains(response, 'data-look-again="3"')
        self.assertNotContains(response, ">Install into Dynamics</button>")
        self.assertEqual(self.queued_installs(), 1)

    def test_a_second_click_while_it_is_queued_queues_nothing_more(self):
        self.connect()
        self.select("Oakwood Sales")
        self.install()
        response = self.install()
        self.assertContains(response, "The solution is being installed into Dynamics already.")
        self.assertEqual(self.queued_installs(), 1)

    def test_the_job_imports_the_solution_and_the_access_checks_pass(self):
        self.connect()
        self.select("Oakwood Sales")
        self.install()
        self.run_jobs()
        response = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(response, "The managed solution was imported into Dynamics.")
        self.assertNotContains(response, "data-look-again")
        lines = self.lines(response)
        self.assertTrue(lines["solution"].done, lines["solution"].tip)
        self.assertEqual(lines["solution"].detail, "Version 1.2.0.0 (managed)")
        self.assertTrue(lines["permissions"].done, lines["permissions"].tip)
        self.assertContains(response, 'class="ok" data-table="stl3_chartofaccounts"')
        self.assertEqual(DynamicsConnection.objects.get(connection=self.connection).install_state, "done")

    def test_a_failed_import_says_why_and_try_again_installs_it(self):
        self.connect()
        self.select("Oakwood Sales (Test)")
        control = self.dataverse("Oakwood Sales (Test)")
        self.addCleanup(lambda: control.put("/faults", json={}).raise_for_status())
        control.put("/faults", json={"rates": {"503": 1.0}}).raise_for_status()
        self.install()
        self.run_jobs()
        control.put("/faults", json={}).raise_for_status()

        failed = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(failed, "The solution was not installed.")
        self.assertContains(failed, "Dynamics did not answer, even after several tries")
        self.assertContains(failed, ">Try again</button>")
        self.assertNotContains(failed, "data-look-again")
        line = self.lines(failed)["solution"]
        self.assertFalse(line.done)
        self.assertIn("Dynamics did not answer, even after several tries", line.tip)

        trying_again = self.install()
        self.assertContains(trying_again, 'id="solution-install"')
        self.assertEqual(self.lines(trying_again)["solution"].tip, "Installing the solution into Dynamics…")
        self.assertNotContains(trying_again, "The solution was not installed.")
        self.run_jobs()
        installed = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(installed, "The managed solution was imported into Dynamics.")
        self.assertNotContains(installed, "The solution was not installed.")
        self.assertTrue(self.lines(installed)["solution"].done)

    def test_an_older_version_installed_is_offered_the_update_and_installing_brings_it(self):
        self.connect()
        self.select("Oakwood Sales")
        older = dataclasses.replace(DYNAMICS_XERO_CONNECTOR, version="1.0.0.0")
        dynamics_client(DynamicsConnection.objects.get(connection=self.connection)).import_solution(build_solution_zip(older))
        page = self.client.get(f"/connections/{self.connection.pk}/")
        line = self.lines(page)["solution"]
        self.assertFalse(line.done)
        self.assertIn(f"Version 1.0.0.0 is installed; this connector needs {DYNAMICS_XERO_CONNECTOR.version}", line.tip)
        self.assertContains(page, ">Install into Dynamics</button>")
        self.install()
        self.run_jobs()
        line = self.lines(self.client.get(f"/connections/{self.connection.pk}/"))["solution"]
        self.assertTrue(line.done, line.tip)
        self.assertEqual(line.detail, f"Version {DYNAMICS_XERO_CONNECTOR.version} (managed)")

    def test_without_an_organisation_nothing_is_queued(self):
        self.connect()
        response = self.install()
        self.assertContains(response, "Connect to Dynamics and select the organisation first, then install.")
        self.assertEqual(self.queued_installs(), 0)
