import pytest

from dxconnector.connections.models import DynamicsConnection
from dxconnector.domain.access import REQUIRED_ACCESS, AccessCheck, check_access, privileges_for
from dxconnector.domain.names import ChartOfAccountsTable, XeroPaymentTable
from dxconnector.dynamics.errors import PermanentError
from dxconnector.dynamics.solution import DYNAMICS_XERO_CONNECTOR
from dxconnector.portal import checklist
from tests.base import BaseTestCase
from tests.dynamics.dataverse_sandbox import control_client
from tests.portal.test_dynamics_connect import DynamicsSteps
from tests.sandboxes import start_sandbox


class ChecklistTestCase(BaseTestCase):
    def test_it_is_not_done_until_every_line_is(self):
        lines = checklist.evaluate(self.connection)
        self.assertFalse(checklist.all_done(lines))
        self.assertTrue(all(line.tip for line in lines if not line.done))

    def test_defaults_line_names_what_is_missing(self):
        self.connection.time_zone = ""
        line = checklist.defaults_set(self.connection, checklist.Live(self.connection))
        self.assertFalse(line.done)
        self.assertEqual(line.tip, "Fill in the time zone under Defaults: Create Connection saves them.")

    def test_defaults_line_shows_the_values(self):
        line = checklist.defaults_set(self.connection, checklist.Live(self.connection))
        self.assertTrue(line.done)
        self.assertEqual(line.detail, "Alpha Sales · Europe/London")


class RefusalsInWordsTestCase(BaseTestCase):
    def test_a_missing_privilege_is_said_in_plain_words_without_dataverses_ids(self):
        error = PermanentError(
            "Principal user (Id=4f6e1a2b-0000-4000-8000-000000000001, type=8, roleCount=1), is missing prvReadSolution "
            "privilege (Id=a1b2c3d4-0000-4000-8000-000000000002) on OTC=7100 for entity 'solution'.",
            403,
            "0x80040220",
        )
        tip = checklist._problem(error)
        self.assertEqual(
            tip,
            "Give the user's security role Read access to Solutions (on the role's Customization tab), then reload this page.",
        )
        self.assertNotIn("4f6e1a2b", tip)

    def test_a_refusal_naming_no_privilege_points_to_the_required_access(self):
        tip = checklist._problem(PermanentError("Forbidden", 403, ""))
        self.assertEqual(
            tip,
            "Dynamics refused the question for this user: give the user's security role the access listed under "
            "Required access, then reload this page.",
        )


class AccessTipTestCase(BaseTestCase):
    def test_missing_access_is_one_sentence_by_the_tables_names_people_know(self):
        by_table = {item.table: item for item in REQUIRED_ACCESS}
        failing = [
            AccessCheck(by_table["account"], ("prvWriteAccount",)),
            AccessCheck(by_table["contact"], ("prvWriteContact",)),
            AccessCheck(by_table[ChartOfAccountsTable.TABLE], tuple(privileges_for(by_table[ChartOfAccountsTable.TABLE]))),
        ]
        self.assertEqual(
            checklist.access_tip(failing),
            "Give the user's security role Write access on the Account and Contact tables, and Read, Write and Create "
            "access on the Chart of accounts table (Settings › Security › Security Roles, the user's role: Account and "
            "Contact on its Core Records tab; Chart of accounts on its Custom Entities tab; at Organization level), "
            "then click “Check again”.",
        )

    def test_before_the_solution_is_installed_only_dynamics_own_tables_are_checked(self):
        checks = tuple(check_access(set()))
        facts = checklist.DynamicsFacts(solution=None, access=checks)
        checked = {check.item.table for check in checklist.access_to_check(facts)}
        self.assertEqual(checked, {"invoice", "invoicedetail", "product", "systemuser", "account", "contact"})
        installed = checklist.DynamicsFacts(solution={"version": "1.0.0.0"}, access=checks)
        self.assertEqual(len(checklist.access_to_check(installed)), len(REQUIRED_ACCESS))


class RequiredAccessCoversTheSolutionTestCase(BaseTestCase):
    def test_every_table_of_the_solution_is_checked_read_write_with_a_tip_naming_where_to_grant_it(self):
        ours = {item.table: item for item in REQUIRED_ACCESS if checklist.comes_with_the_solution(item)}
        self.assertEqual(set(ours), {table.name for table in DYNAMICS_XERO_CONNECTOR.tables})
        self.assertTrue(all(item.write for item in ours.values()))
        self.assertEqual(
            ours[XeroPaymentTable.TABLE].tip,
            "In Settings › Security › Security Roles open the user's role; on its Custom Entities tab (or by name in the "
            "new role editor) set Read, Write and Create on Xero payment to Organization, then save.",
        )
        self.assertTrue(all(item.tip and item.why for item in REQUIRED_ACCESS))


@pytest.fixture(scope="module")
def roles_sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("roles-sandbox"), "--limits", "off")
    yield running
    running.stop()


class PaymentsAccessTestCase(DynamicsSteps, BaseTestCase):
    """Against the Microsoft sandbox: the solution installed, then a role edited so it lacks one privilege."""

    @pytest.fixture(autouse=True)
    def _use_sandbox(self, roles_sandbox):
        with self.using(roles_sandbox):
            yield

    def withhold(self, *privileges: str) -> None:
        control = control_client(self.sandbox, self.org("Oakwood Sales"))
        self.addCleanup(control.close)
        control.put("/roles/System Administrator", json={"withhold": list(privileges)}).raise_for_status()

    def test_a_user_without_write_on_the_payments_table_fails_the_access_line_naming_it(self):
        self.connect()
        self.select("Oakwood Sales")
        self.client.post(f"/connections/{self.connection.pk}/solution/install/")
        self.run_jobs()
        self.addCleanup(self.withhold)  # the role as it was, for the next test
        self.withhold("prvWritestl3_xeropayment")

        page = self.client.get(f"/connections/{self.connection.pk}/")
        line = self.lines(page)["permissions"]
        self.assertTrue(self.lines(page)["solution"].done, self.lines(page)["solution"].tip)
        self.assertFalse(line.done)
        self.assertEqual(
            line.tip,
            "Give the user's security role Write access on the Xero payment table (Settings › Security › Security Roles, "
            "the user's role: Xero payment on its Custom Entities tab; at Organization level), then click “Check again”.",
        )
        self.assertContains(page, 'class="missing" data-table="stl3_xeropayment"')
        self.assertContains(page, 'class="ok" data-table="stl3_xeroinvoice"')

        self.withhold()
        line = self.lines(self.client.get(f"/connections/{self.connection.pk}/"))["permissions"]
        self.assertTrue(line.done, line.tip)
        self.assertEqual(line.detail, f"All {len(REQUIRED_ACCESS)} tables")


class NextStepTestCase(BaseTestCase):
    def test_the_next_step_is_the_first_not_done_in_the_order_they_can_be_done(self):
        lines = checklist.evaluate(self.connection)
        self.assertEqual(checklist.next_line(lines).key, "xero")
        self.assertEqual(checklist.next_step(lines), "Next: connect to Xero.")

    def test_with_every_line_done_the_next_step_is_create_connection(self):
        done = [checklist.ChecklistLine(check.__name__, check.__name__, True) for check in checklist.CHECKS]
        self.assertIsNone(checklist.next_line(done))
        self.assertEqual(checklist.next_step(done), "Next: click “Create Connection”.")

    def test_a_microsoft_account_in_no_organisation_is_not_connected(self):
        DynamicsConnection.objects.create(connection=self.connection, username="newstarter@harbourlights.sandbox")
        line = checklist.dynamics_connected(self.connection, checklist.Live(self.connection))
        self.assertFalse(line.done)
        self.assertEqual(
            line.tip,
            "newstarter@harbourlights.sandbox belongs to no Dynamics organisation: click “Sign in again” and sign in with an "
            "account of your organisation.",
        )
