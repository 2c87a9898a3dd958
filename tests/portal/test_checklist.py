from dxconnector.dynamics.errors import PermanentError
from dxconnector.portal import checklist
from tests.base import BaseTestCase


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
