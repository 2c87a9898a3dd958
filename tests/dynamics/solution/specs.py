"""Where the Dataverse reference material lives: the `shared` folder beside the repository.

It holds Microsoft's solution schemas and real exported solutions. It is not part of the repository, so
tests that need it skip, saying why, when it is absent.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
DATAVERSE_SPECS = REPO_ROOT.parent / "shared" / "specs" / "dataverse"
XSD = DATAVERSE_SPECS / "xsd" / "lxml-patched" / "CustomizationsSolution.xsd"
SAMPLE_DIR = DATAVERSE_SPECS / "sample-solution" / "CodeSiteSample_managed"
SAMPLE_ZIP = SAMPLE_DIR / "CodeSiteSample_1_0_0_1_managed.zip"
UNMANAGED_SAMPLE_DIR = DATAVERSE_SPECS / "sample-solution" / "VDR_unmanaged"


def need(path: Path) -> Path:
    """The path, or skip the test with the reason."""
    if not path.exists():
        pytest.skip(
            f"reference material not found: {path.relative_to(REPO_ROOT.parent)} (the shared folder beside the repository)"
        )
    return path


def sample_zip() -> bytes:
    return need(SAMPLE_ZIP).read_bytes()


def zip_of(folder: Path, names: tuple[str, ...] = ("customizations.xml", "[Content_Types].xml", "solution.xml")) -> bytes:
    """A solution zip made from an unzipped export."""
    need(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.write(folder / name, name)
    return buffer.getvalue()
