"""read_solution says clearly when the bytes are not a solution zip."""

import io
import zipfile

import pytest

from dxconnector.dynamics.solution import SolutionFormatError, read_solution


def zip_with(**files: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name.replace("CT", "[Content_Types]") + ".xml", data)
    return buffer.getvalue()


def test_bytes_that_are_not_a_zip():
    with pytest.raises(SolutionFormatError, match="not a zip"):
        read_solution(b"PK? not really")


def test_a_zip_without_the_solution_files():
    with pytest.raises(SolutionFormatError, match=r"customizations\.xml missing"):
        read_solution(zip_with(CT=b"<Types/>", solution=b"<ImportExportXml/>"))


def test_xml_that_does_not_parse():
    with pytest.raises(SolutionFormatError, match=r"solution\.xml is not well-formed"):
        read_solution(zip_with(CT=b"<Types/>", solution=b"<ImportExportXml>", customizations=b"<ImportExportXml/>"))
