"""The solution zip, laid out as Dataverse exports it, and reproducible to the byte."""

from __future__ import annotations

import functools
import io
import zipfile

from dxconnector.dynamics.solution.customizations import customizations_xml
from dxconnector.dynamics.solution.definition import DYNAMICS_XERO_CONNECTOR
from dxconnector.dynamics.solution.manifest import CONTENT_TYPES_XML, solution_xml
from dxconnector.dynamics.solution.model import Solution

# Every entry gets this timestamp, so the same solution always zips to the same bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
MS_DOS = 0  # the "made by" system Dataverse's own zips declare


def zip_name(solution: Solution) -> str:
    """The file name Dataverse gives an export: DynamicsXeroConnector_1_2_0_0_managed.zip."""
    kind = "managed" if solution.managed else "unmanaged"
    return f"{solution.unique_name}_{solution.version.replace('.', '_')}_{kind}.zip"


def solution_parts(solution: Solution) -> list[tuple[str, bytes]]:
    """The three files, in the order of a real export."""
    return [
        ("customizations.xml", customizations_xml(solution)),
        ("[Content_Types].xml", CONTENT_TYPES_XML),
        ("solution.xml", solution_xml(solution)),
    ]


def build_solution_zip(solution: Solution = DYNAMICS_XERO_CONNECTOR) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in solution_parts(solution):
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = MS_DOS
            entry.external_attr = 0
            archive.writestr(entry, data, compresslevel=9)
    return buffer.getvalue()


@functools.cache
def solution_zip_bytes() -> bytes:
    """Our managed solution as a zip, built once per process: what the portal offers as a download."""
    return build_solution_zip(DYNAMICS_XERO_CONNECTOR)
