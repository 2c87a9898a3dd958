"""Main forms (`<FormXml>`): one tab, one section per group of fields, one field per row.

Cells carry no label text of their own, so Dynamics shows each column's display name, as in the real export.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from dxconnector.dynamics.solution.ids import stable_id
from dxconnector.dynamics.solution.model import Form, Kind, Section, Subgrid
from dxconnector.dynamics.solution.views import view_id
from dxconnector.dynamics.solution.xmltext import child, children, element, labels

# The control class of each kind of column (FormXml `classid`s, fixed by Dynamics).
CONTROL_CLASS = {
    Kind.TEXT: "{4273EDBD-AC1D-40d3-9FB2-095C621B552D}",
    Kind.URL: "{71716B6C-711E-476c-8AB8-5D11542BFB47}",
    Kind.MEMO: "{E0DECE4B-6FC8-4a8f-A065-082708572369}",
    Kind.WHOLE_NUMBER: "{C6D124CA-7EDA-4a60-AEA9-7FB8D318B68F}",
    Kind.DECIMAL: "{C3EFE0C3-0EC6-42be-8349-CBD9079DFD8E}",
    Kind.MONEY: "{533B9E00-756B-4312-95A0-DC888637AC78}",
    Kind.YES_NO: "{67FAC785-CD58-4f9f-ABB3-4B7DDC6ED5ED}",
    Kind.DATE_TIME: "{5B773807-9FB2-42db-97C3-7A91EFF8ADFF}",
    Kind.DATE_ONLY: "{5B773807-9FB2-42db-97C3-7A91EFF8ADFF}",
    Kind.CHOICE: "{3EF39988-22BB-4f0b-BBBE-64B5A3748AEE}",
    Kind.LOOKUP: "{270BD3DB-D9AF-4782-9025-509E298DEC0A}",
}
SUBGRID_CLASS = "{E7A81278-8635-4d9e-8D4D-59480B391C5B}"


def form_id(table: str, form: Form) -> str:
    return stable_id(table, "form", form.name)


def main_forms(table: str, forms: tuple[Form, ...], fields: dict[str, tuple[Kind, bool]], language: int) -> Element:
    """`<forms type="main">` holding each form; `fields` maps a column name to (kind, read-only)."""
    node = element("forms", type="main")
    for form in forms:
        node.append(_system_form(table, form, fields, language))
    return node


def _system_form(table: str, form: Form, fields: dict[str, tuple[Kind, bool]], language: int) -> Element:
    key = (table, "form", form.name)
    node = element("systemform")
    children(
        node,
        [("formid", form_id(table, form)), ("IntroducedVersion", "1.0.0.0"), ("FormPresentation", 1), ("FormActivationState", 1)],
    )
    tabs = child(child(node, "form"), "tabs")
    tab = child(tabs, "tab", name="general", verticallayout="true", id=stable_id(*key, "tab"), IsUserDefined="1")
    labels(tab, "labels", "label", "General", language)
    sections = child(child(child(tab, "columns"), "column", width="100%"), "sections")
    for section in form.sections:
        sections.append(_section(key, section, fields, language))
    children(node, [("IsCustomizable", "1"), ("CanBeDeleted", "1")])
    labels(node, "LocalizedNames", "LocalizedName", form.name, language)
    labels(node, "Descriptions", "Description", form.description or f"The {form.name} form.", language)
    return node


def _section(key: tuple[str, ...], section: Section, fields: dict[str, tuple[Kind, bool]], language: int) -> Element:
    node = element(
        "section",
        name=_slug(section.label),
        showlabel="true",
        showbar="false",
        IsUserDefined="0",
        id=stable_id(*key, "section", section.label),
    )
    labels(node, "labels", "label", section.label, language)
    rows = child(node, "rows")
    for name in section.fields:
        kind, read_only = fields[name]
        cell = child(child(rows, "row"), "cell", id=stable_id(*key, "cell", name))
        labels(cell, "labels", "label", "", language)
        attributes = {"disabled": "true"} if read_only else {}
        child(cell, "control", id=name, classid=CONTROL_CLASS[kind], datafieldname=name, **attributes)
    if section.subgrid:
        rows.append(_subgrid_row(key, section.subgrid, language))
    return node


def _subgrid_row(key: tuple[str, ...], grid: Subgrid, language: int) -> Element:
    row = element("row")
    cell = child(row, "cell", id=stable_id(*key, "cell", grid.name), showlabel="true", rowspan=8, colspan=1, auto="false")
    labels(cell, "labels", "label", grid.label, language)
    control = child(cell, "control", id=grid.name, classid=SUBGRID_CLASS, indicationOfSubgrid="true")
    children(
        child(control, "parameters"),
        [
            ("ViewId", view_id(grid.target, grid.view)),
            ("IsUserView", "false"),
            ("RelationshipName", grid.relationship),
            ("TargetEntityType", grid.target),
            ("AutoExpand", "Fixed"),
            ("EnableQuickFind", "false"),
            ("EnableViewPicker", "false"),
            ("EnableJumpBar", "false"),
            ("ChartGridMode", "Grid"),
            ("VisualizationId", None),
            ("IsUserChart", "false"),
            ("EnableChartPicker", "false"),
            ("RecordsPerPage", 10),
        ],
    )
    return row


def _slug(label: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in label.lower())
