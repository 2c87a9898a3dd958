"""`dxconnector solution build -o FILE.zip` writes the solution zip."""

import io
import zipfile

from dxconnector.dynamics.solution import read_solution, solution_zip_bytes
from dxconnector.dynamics.solution.schema import schema_errors
from tests.clirun import run_cli
from tests.dynamics.solution.specs import XSD


def test_build_writes_the_zip(tmp_path):
    target = tmp_path / "out" / "DynamicsXeroConnector.zip"
    result = run_cli("solution", "build", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout
    data = target.read_bytes()
    assert data == solution_zip_bytes()
    package = read_solution(data)
    assert (package.unique_name, package.managed) == ("DynamicsXeroConnector", True)
    if XSD.exists():  # the schema lives beside the repository; the schema test says so when it is absent
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert schema_errors(archive.read("customizations.xml"), XSD) == []


def test_build_needs_an_output_file():
    result = run_cli("solution", "build")
    assert result.returncode == 2
    assert "-o" in result.stderr
