"""Our Dataverse managed solution, built from code, and a reader for any solution zip.

- `DYNAMICS_XERO_CONNECTOR` describes the solution (tables, columns, lookups, choices, forms, views).
- `build_solution_zip(solution)` makes the zip; `solution_zip_bytes()` is ours, built once per process.
- `read_solution(zip_bytes)` reads any solution zip back into plain data (`SolutionPackage`).
"""

from dxconnector.dynamics.solution.definition import DYNAMICS_XERO_CONNECTOR
from dxconnector.dynamics.solution.package import build_solution_zip, solution_parts, solution_zip_bytes, zip_name
from dxconnector.dynamics.solution.reader import (
    ColumnInfo,
    Option,
    RelationshipInfo,
    SolutionFormatError,
    SolutionPackage,
    TableInfo,
    read_solution,
)

__all__ = [
    "DYNAMICS_XERO_CONNECTOR",
    "ColumnInfo",
    "Option",
    "RelationshipInfo",
    "SolutionFormatError",
    "SolutionPackage",
    "TableInfo",
    "build_solution_zip",
    "read_solution",
    "solution_parts",
    "solution_zip_bytes",
    "zip_name",
]
