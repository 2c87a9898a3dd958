"""Solutions: the installed solutions, and importing one from a zip.

The upload is sent as the Web API's `ImportSolution` action (the zip base64-encoded in
`CustomizationFile`), so it is checked and applied exactly as an API import is: the caller needs
prvImportCustomization, the tables and columns appear at once, and `solutions` gets its row.
"""

from __future__ import annotations

import base64
import uuid
from html import escape

from starlette.responses import Response

from dxsandbox.microsoft.dataverse.errors import DataverseError
from dxsandbox.microsoft.dataverse.solutions import parse_manifest, read_package
from dxsandbox.microsoft.ui.forms import Input
from dxsandbox.microsoft.ui.gateway import Refused, formatted
from dxsandbox.microsoft.ui.layout import cells, grid, refusal
from dxsandbox.microsoft.ui.visits import Handler, Visit

AREA = "solutions"
FILE_FIELD = "solution_file"


def routes() -> list[tuple[str, list[str], Handler]]:
    return [
        (f"/{AREA}", ["GET"], list_page),
        (f"/{AREA}/import", ["GET"], import_page),
        (f"/{AREA}/import", ["POST"], import_solution),
    ]


def list_page(visit: Visit, data: Input) -> Response:
    rows = visit.api.rows(
        AREA,
        select=["friendlyname", "uniquename", "version", "ismanaged", "installedon"],
        filter="isvisible eq true",
        orderby="friendlyname asc",
    )
    lines = (
        f"<tr data-solution='{escape(row['uniquename'])}'>"
        + cells(
            escape(formatted(row, "friendlyname")),
            escape(row["uniquename"]),
            escape(formatted(row, "version")),
            "Yes" if row.get("ismanaged") else "No",
            escape(formatted(row, "installedon")),
        )
        + "</tr>"
        for row in rows
    )
    body = (
        "<h1>Solutions</h1>"
        f"<div class='commands'><a class='button' href='{escape(visit.path(AREA, 'import'))}'>Import solution</a></div>"
        + grid(["Display Name", "Name", "Version", "Managed", "Installed On"], lines, grid_id="solutions")
    )
    return visit.page(AREA, "Solutions", body)


def import_page(visit: Visit, data: Input, error: Refused | None = None) -> Response:
    body = (
        "<h1>Import a solution</h1>"
        + (refusal(error) if error else "")
        + "<p>Select the compressed (.zip) file that contains the solution you want to import.</p>"
        f"<form method='post' action='{escape(visit.path(AREA, 'import'))}' enctype='multipart/form-data' id='import-form'>"
        f"<label for='{FILE_FIELD}'>Solution file</label>"
        f"<input id='{FILE_FIELD}' name='{FILE_FIELD}' type='file' accept='.zip,application/zip'>"
        "<button type='submit'>Import</button></form>"
        f"<p><a href='{escape(visit.path(AREA))}'>Back to solutions</a></p>"
    )
    return visit.page(AREA, "Import a solution", body, status=error.status if error else 200)


def import_solution(visit: Visit, data: Input) -> Response:
    upload = data.files.get(FILE_FIELD)
    try:
        if upload is None or not upload.data:
            raise Refused("Solution file: choose the solution's .zip file to import.")
        encoded = base64.b64encode(upload.data).decode()
        visit.api.action(
            "ImportSolution",
            {
                "CustomizationFile": encoded,
                "OverwriteUnmanagedCustomizations": False,
                "PublishWorkflows": True,
                "ImportJobId": str(uuid.uuid4()),
            },
        )
    except Refused as error:
        return import_page(visit, data, error)
    return visit.redirect(AREA, notice=f"The solution {describe(encoded)} was imported.")


def describe(encoded: str) -> str:
    """`Dynamics Xero Connector 1.2.0.0 (managed)`, from the package's solution.xml (already imported, so readable)."""
    try:
        manifest = parse_manifest(read_package(encoded)[0])
    except DataverseError:
        return "package"
    return f"{manifest.friendly_name} {manifest.version} ({'managed' if manifest.managed else 'unmanaged'})"
