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
        self.assertEqual(line.tip, "Fill in the time zone under Defaults and save.")

    def test_defaults_line_shows_the_values(self):
        line = checklist.defaults_set(self.connection, checklist.Live(self.connection))
        self.assertTrue(line.done)
        self.assertEqual(line.detail, "Alpha Sales · Europe/London")
