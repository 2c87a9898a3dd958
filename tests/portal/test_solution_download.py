import io
import zipfile

from dxconnector.dynamics.solution import read_solution
from tests.base import BaseTestCase


class SolutionDownloadTestCase(BaseTestCase):
    def url(self):
        return f"/connections/{self.connection.pk}/solution.zip"

    def test_it_serves_the_managed_solution_zip(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="DynamicsXeroConnector_1_2_0_0_managed.zip"')
        self.assertEqual(
            sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist()),
            ["[Content_Types].xml", "customizations.xml", "solution.xml"],
        )
        package = read_solution(response.content)
        self.assertTrue(package.managed)
        self.assertEqual(package.unique_name, "DynamicsXeroConnector")

    def test_the_connection_page_links_to_it(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(f"/connections/{self.connection.pk}/"), self.url())

    def test_another_user_gets_404(self):
        self.client.force_login(self.bob)
        self.assertNotFound(self.client.get(self.url()))
