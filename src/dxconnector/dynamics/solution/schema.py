"""Checking customizations.xml against Microsoft's published solution schema (CustomizationsSolution.xsd).

The schema files are Microsoft's, not ours, so they are not shipped: the caller says where they are
(a copy whose regular expressions libxml2 understands; see the project's docs/solution.md).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree


def schema_errors(customizations_xml: bytes, xsd_path: Path) -> list[str]:
    """Every validation error as 'line N: message'; an empty list means the file is valid."""
    schema = etree.XMLSchema(etree.parse(str(xsd_path)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    document = etree.fromstring(customizations_xml, parser).getroottree()
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]
