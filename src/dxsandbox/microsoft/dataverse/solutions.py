"""ImportSolution: read a solution zip (`solution.xml` + `customizations.xml`), create its tables,
columns and alternate keys so the API can use them at once, and record the `solutions` row.

Handled from customizations.xml: `<Entities>` (new custom tables, or custom columns and keys added to
existing tables) with their attributes (text, memo, whole and decimal numbers, money, float, yes/no,
date and time, choice, status, lookup) and `<EntityKeys>`, plus `<EntityRelationships>` for lookup
targets. Forms, views, ribbons, web resources, roles and workflows are accepted and ignored.
"""

from __future__ import annotations

import base64
import binascii
import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dxsandbox.microsoft.dataverse.errors import DataverseError, bad_request
from dxsandbox.microsoft.dataverse.records import utc_now
from dxsandbox.microsoft.dataverse.security import Caller
from dxsandbox.microsoft.dataverse.tables import (
    ACTIVE_INACTIVE,
    BIGINT,
    BOOLEAN,
    CUSTOMER,
    DATETIME,
    DECIMAL,
    DOUBLE,
    GUID,
    INTEGER,
    LOOKUP,
    MEMO,
    MONEY,
    OWNER,
    PICKLIST,
    STATE,
    STATUS,
    STRING,
    USER_OWNED,
    AlternateKey,
    Column,
    Option,
    Table,
    make_table,
)

if TYPE_CHECKING:
    from dxsandbox.microsoft.dataverse.service import DataverseService

INVALID_FILE = "0x80048060"

TYPE_MAP = {
    "nvarchar": STRING,
    "ntext": MEMO,
    "memo": MEMO,
    "int": INTEGER,
    "bigint": BIGINT,
    "decimal": DECIMAL,
    "money": MONEY,
    "float": DOUBLE,
    "bit": BOOLEAN,
    "datetime": DATETIME,
    "lookup": LOOKUP,
    "customer": CUSTOMER,
    "owner": OWNER,
    "primarykey": GUID,
    "uniqueidentifier": GUID,
    "picklist": PICKLIST,
    "state": STATE,
    "status": STATUS,
}
SYSTEM_COLUMN_NAMES = {
    "createdon",
    "createdby",
    "modifiedon",
    "modifiedby",
    "createdonbehalfby",
    "modifiedonbehalfby",
    "ownerid",
    "owningbusinessunit",
    "owninguser",
    "owningteam",
    "versionnumber",
    "importsequencenumber",
    "overriddencreatedon",
    "timezoneruleversionnumber",
    "utcconversiontimezonecode",
    "organizationid",
    "transactioncurrencyid",
    "exchangerate",
}


@dataclass
class Manifest:
    unique_name: str
    friendly_name: str
    version: str
    managed: bool
    description: str = ""
    publisher: dict[str, Any] = field(default_factory=dict)


@dataclass
class EntityCustomisation:
    logical_name: str
    schema_name: str
    entity_set: str | None
    display_name: str
    display_collection_name: str | None
    ownership: str
    change_tracking: bool
    columns: list[Column]
    primary_name: str | None
    keys: list[AlternateKey]
    navigation_names: dict[str, str]
    relationships: dict[str, str]


def pluralise(name: str) -> str:
    """Dataverse's default entity set names: `…s`, `…es` after s/x/z/ch/sh, `…ies` after a consonant + y."""
    lowered = name.lower()
    if lowered.endswith(("s", "x", "z", "ch", "sh")):
        return lowered + "es"
    if lowered.endswith("y") and len(lowered) > 1 and lowered[-2] not in "aeiou":
        return lowered[:-1] + "ies"
    return lowered + "s"


def read_package(encoded: str) -> tuple[ET.Element, ET.Element]:
    try:
        data = base64.b64decode(encoded, validate=True)
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (binascii.Error, ValueError, zipfile.BadZipFile):
        raise bad_request(
            "The import file is invalid: CustomizationFile must be a base64-encoded solution zip.", INVALID_FILE
        ) from None
    names = {name.lower(): name for name in archive.namelist()}
    parts = []
    for wanted in ("solution.xml", "customizations.xml"):
        if wanted not in names:
            raise bad_request(f"The import file is invalid: {wanted} is missing from the solution zip.", INVALID_FILE)
        try:
            parts.append(ET.fromstring(archive.read(names[wanted])))
        except ET.ParseError as error:
            raise bad_request(f"The import file is invalid: {wanted} is not well-formed XML ({error}).", INVALID_FILE) from None
    return parts[0], parts[1]


def _localized(element: ET.Element | None, fallback: str) -> str:
    if element is None:
        return fallback
    for child in element:
        if child.get("description"):
            return child.get("description") or fallback
    return fallback


def parse_manifest(root: ET.Element) -> Manifest:
    manifest = root.find("SolutionManifest")
    if manifest is None:
        raise bad_request("The import file is invalid: solution.xml has no SolutionManifest.", INVALID_FILE)
    unique_name = (manifest.findtext("UniqueName") or "").strip()
    if not unique_name:
        raise bad_request("The import file is invalid: the solution has no UniqueName.", INVALID_FILE)
    publisher = manifest.find("Publisher")
    publisher_info: dict[str, Any] = {}
    if publisher is not None:
        prefix = (publisher.findtext("CustomizationOptionValuePrefix") or "").strip()
        publisher_info = {
            "uniquename": (publisher.findtext("UniqueName") or "").strip() or "DefaultPublisher",
            "friendlyname": _localized(publisher.find("LocalizedNames"), (publisher.findtext("UniqueName") or "").strip()),
            "customizationprefix": (publisher.findtext("CustomizationPrefix") or "").strip() or None,
            "customizationoptionvalueprefix": int(prefix) if prefix.isdigit() else None,
        }
    return Manifest(
        unique_name,
        _localized(manifest.find("LocalizedNames"), unique_name),
        (manifest.findtext("Version") or "1.0").strip(),
        (manifest.findtext("Managed") or "0").strip() in ("1", "true"),
        _localized(manifest.find("Descriptions"), ""),
        publisher_info,
    )


def parse_customisations(root: ET.Element) -> list[EntityCustomisation]:
    relationships = _lookup_relationships(root)
    entities = []
    for entity in root.findall("./Entities/Entity"):
        info = entity.find("./EntityInfo/entity")
        name = (entity.findtext("Name") or (info.get("Name") if info is not None else "") or "").strip()
        if not name:
            continue
        entities.append(_entity(name, info, relationships))
    return entities


def _lookup_relationships(root: ET.Element) -> dict[tuple[str, str], tuple[str, str, str | None, bool]]:
    """(referencing table, lookup column) → (referenced table, relationship name, navigation property name, whether
    deleting the referenced row deletes the referencing rows: CascadeDelete "Cascade")."""
    found = {}
    for relationship in root.findall("./EntityRelationships/EntityRelationship"):
        if (relationship.findtext("EntityRelationshipType") or "OneToMany") != "OneToMany":
            continue
        referencing = (relationship.findtext("ReferencingEntityName") or "").lower()
        attribute = (relationship.findtext("ReferencingAttributeName") or "").lower()
        referenced = (relationship.findtext("ReferencedEntityName") or "").lower()
        navigation = None
        # Role type 1 (the one with the navigation-pane settings) names the lookup's own navigation
        # property, as Microsoft's exports write it; role type 0 names the collection on the other side.
        for role in relationship.findall("./EntityRelationshipRoles/EntityRelationshipRole"):
            if role.findtext("NavigationPropertyName") and (role.findtext("RelationshipRoleType") or "0") == "1":
                navigation = role.findtext("NavigationPropertyName")
        cascade = (relationship.findtext("CascadeDelete") or "").strip() == "Cascade"
        found[(referencing, attribute)] = (referenced, relationship.get("Name") or "", navigation, cascade)
    return found


def _entity(
    name: str, info: ET.Element | None, relationships: dict[tuple[str, str], tuple[str, str, str | None, bool]]
) -> EntityCustomisation:
    logical = name.lower()
    info = info if info is not None else ET.Element("entity")
    columns, primary_name, navigation_names, lookup_relationships = [], None, {}, {}
    for attribute in info.findall("./attributes/attribute"):
        column = _column(logical, attribute, relationships)
        if column is None:
            continue
        if "PrimaryName" in (attribute.findtext("DisplayMask") or ""):
            primary_name = column.name
        if column.is_lookup and column.name not in SYSTEM_COLUMN_NAMES:
            referenced = relationships.get((logical, column.name))
            navigation_names[column.name] = (
                (referenced[2] if referenced and referenced[2] else None) or attribute.get("PhysicalName") or column.name
            )
            if referenced and referenced[1]:
                lookup_relationships[column.name] = referenced[1]
        columns.append(column)
    keys = [
        AlternateKey(
            key.findtext("Name") or key.findtext("LogicalName") or "key",
            tuple((a.text or "").strip().lower() for a in key.findall("./EntityKeyAttributes/AttributeName")),
            logical_name=(key.findtext("LogicalName") or key.findtext("Name") or "").lower(),
            display_name=_localized(key.find("displaynames"), key.findtext("Name") or ""),
        )
        for key in info.findall("./EntityKeys/EntityKey")
    ]
    ownership = (info.findtext("OwnershipTypeMask") or "UserOwned").strip()
    return EntityCustomisation(
        logical,
        name,
        (info.findtext("EntitySetName") or "").strip() or None,
        _localized(info.find("LocalizedNames"), name),
        _localized(info.find("LocalizedCollectionNames"), "") or None,
        "OrganizationOwned" if ownership == "OrgOwned" or ownership == "OrganizationOwned" else USER_OWNED,
        (info.findtext("ChangeTrackingEnabled") or "0").strip() == "1",
        columns,
        primary_name,
        keys,
        navigation_names,
        lookup_relationships,
    )


def _column(
    table: str, attribute: ET.Element, relationships: dict[tuple[str, str], tuple[str, str, str | None, bool]]
) -> Column | None:
    kind = TYPE_MAP.get((attribute.findtext("Type") or "").strip().lower())
    name = (attribute.findtext("LogicalName") or attribute.findtext("Name") or "").strip().lower()
    if kind is None or not name:
        return None  # virtual, image, file, multi-select and party-list columns are not emulated
    max_length = attribute.findtext("MaxLength")
    precision = attribute.findtext("Precision") or attribute.findtext("Accuracy")
    required = {"systemrequired": "SystemRequired", "required": "ApplicationRequired"}.get(
        (attribute.findtext("RequiredLevel") or "").lower(), "None"
    )
    settings: dict[str, Any] = {
        "schema_name": attribute.get("PhysicalName") or name,
        "display_name": _localized(attribute.find("displaynames"), name),
        "required": required,
        "creatable": (attribute.findtext("ValidForCreateApi") or "1").strip() == "1",
        "updatable": (attribute.findtext("ValidForUpdateApi") or "1").strip() == "1",
        "custom": (attribute.findtext("IsCustomField") or "0").strip() == "1",
    }
    if max_length and max_length.isdigit() and kind in (STRING, MEMO):
        settings["max_length"] = int(max_length)
    if precision and precision.isdigit() and kind in (DECIMAL, MONEY, DOUBLE):
        settings["precision"] = int(precision)
    if kind == DATETIME:
        settings["date_only"] = (attribute.findtext("Format") or "").lower() == "date" and (
            attribute.findtext("Behavior") or "2"
        ) in ("2", "DateOnly")
    if kind in (LOOKUP, CUSTOMER, OWNER):
        referenced = relationships.get((table, name))
        targets: list[str] = []
        if referenced:
            targets = [referenced[0]]
            settings["cascade_delete"] = referenced[3]
        if kind == CUSTOMER:
            targets = ["account", "contact"]
        if kind == OWNER:
            targets = ["systemuser", "team"]
        if not targets:
            return None
        settings["targets"] = tuple(targets)
    if kind in (PICKLIST, STATE, STATUS, BOOLEAN):
        options = _options(attribute, kind)
        if options:
            settings["options"] = options
    return Column(name, kind, **settings)


def _options(attribute: ET.Element, kind: str) -> tuple[Option, ...]:
    optionset = attribute.find("optionset")
    if optionset is None:
        return ()
    found = []
    for element in optionset.iter():
        if element.tag not in ("option", "state", "status") or element.get("value") is None:
            continue
        text = _localized(element.find("labels"), element.get("invariantname") or element.get("value") or "")
        value = int(element.get("value") or 0)
        if element.tag == "state":
            found.append(Option(value, text, default_status=int(element.get("defaultstatus") or 0)))
        elif element.tag == "status":
            found.append(Option(value, text, state=int(element.get("state") or 0)))
        else:
            found.append(Option(value, text))
    return tuple(found)


def build_table(entity: EntityCustomisation, object_type_code: int, managed: bool) -> Table:
    own = [c for c in entity.columns if c.name not in SYSTEM_COLUMN_NAMES and c.name not in ("statecode", "statuscode")]
    states = _states(entity.columns) or ACTIVE_INACTIVE
    primary_id = next(
        (c.name for c in entity.columns if c.type == GUID and c.name == f"{entity.logical_name}id"), f"{entity.logical_name}id"
    )
    table = make_table(
        entity.logical_name,
        entity.schema_name,
        entity.entity_set or pluralise(entity.logical_name),
        primary_name=entity.primary_name,
        own=own,
        ownership=entity.ownership,
        states=states,
        primary_id=primary_id,
        object_type_code=object_type_code,
        display_name=entity.display_name,
        change_tracking=entity.change_tracking,
        custom=True,
        managed=managed,
        navigation_names=dict(entity.navigation_names),
        relationships=dict(entity.relationships),
    )
    if entity.display_collection_name:
        table.display_collection_name = entity.display_collection_name
    for column in own:
        table.columns[column.name].custom = True
    for key in entity.keys:
        table.keys.append(key)
    return table


def _states(columns: list[Column]) -> list[tuple[int, str, list[tuple[int, str]]]] | None:
    state = next((c for c in columns if c.name == "statecode" and c.options), None)
    status = next((c for c in columns if c.name == "statuscode" and c.options), None)
    if state is None or status is None:
        return None
    return [
        (
            s.value,
            s.label,
            [(o.value, o.label) for o in status.options if o.state == s.value] or [(s.default_status or 0, s.label)],
        )
        for s in state.options
    ]


class Solutions:
    def __init__(self, service: DataverseService):
        self.service = service

    def import_solution(self, body: Any, caller: Caller) -> str:
        if not isinstance(body, dict) or not isinstance(body.get("CustomizationFile"), str):
            raise bad_request("The parameter 'CustomizationFile' (a base64-encoded solution zip) is required.")
        solution_xml, customizations_xml = read_package(body["CustomizationFile"])
        manifest = parse_manifest(solution_xml)
        entities = parse_customisations(customizations_xml)
        self._check_upgrade(manifest)
        with self.service.storage.transaction():
            publisher_id = self._publisher(manifest)
            for entity in entities:
                self._apply_entity(entity, manifest)
            solution_id = self._solution_row(manifest, publisher_id)
            if body.get("ImportJobId"):
                self._import_job(str(body["ImportJobId"]), manifest, solution_id, entities)
        return solution_id

    def import_solution_async(self, body: Any, caller: Caller) -> tuple[str, str]:
        job_id = str((body or {}).get("ImportJobId") or uuid.uuid4()).lower() if isinstance(body, dict) else str(uuid.uuid4())
        operation_id = str(uuid.uuid4())
        started = utc_now()
        try:
            self.import_solution({**body, "ImportJobId": job_id}, caller)
            status, message = 30, None
        except DataverseError as error:
            status, message = 31, error.message
            self._failed_job(job_id, message)
        with self.service.storage.transaction():
            jobs = self.service.catalog.require("asyncoperation")
            system = self.service.system_caller()
            record = self.service.records.create(
                jobs,
                {
                    "asyncoperationid": operation_id,
                    "name": "Import Solution",
                    "operationtype": 41,
                    "startedon": started,
                    "completedon": utc_now(),
                    "message": message,
                    "friendlymessage": message,
                },
                system,
            )
            self.service.records.apply_update(jobs, record, {"statecode": 3, "statuscode": status}, system, system=True)
        return job_id, operation_id

    def _check_upgrade(self, manifest: Manifest) -> None:
        existing = self._existing(manifest.unique_name)
        if existing is None:
            return
        if bool(existing.get("ismanaged")) != manifest.managed:
            state = "managed" if existing.get("ismanaged") else "unmanaged"
            raise bad_request(
                f"The solution {manifest.unique_name} is already installed as {state}; import it as {state} or remove it first."
            )
        if manifest.managed and _version(manifest.version) < _version(str(existing.get("version") or "0")):
            raise bad_request(
                f"The solution {manifest.unique_name} {existing.get('version')} is installed; version {manifest.version} "
                f"is older and cannot be imported."
            )

    def _existing(self, unique_name: str) -> dict[str, Any] | None:
        rows = self.service.storage.equal("solution", "uniquename", "String", unique_name)
        return rows[0] if rows else None

    def _publisher(self, manifest: Manifest) -> str:
        info = manifest.publisher or {"uniquename": "DefaultPublisher", "friendlyname": "Default Publisher"}
        rows = self.service.storage.equal("publisher", "uniquename", "String", info["uniquename"])
        table = self.service.catalog.require("publisher")
        if rows:
            return rows[0]["publisherid"]
        values = {k: v for k, v in info.items() if v is not None}
        return self.service.records.create(table, values, self.service.system_caller())["publisherid"]

    def _apply_entity(self, entity: EntityCustomisation, manifest: Manifest) -> None:
        catalog = self.service.catalog
        existing = catalog.get(entity.logical_name)
        if existing is None:
            code = 10000 + self.service.storage.store.next_sequence(f"dv:{self.service.org_id}:objecttypecode")
            table = build_table(entity, code, manifest.managed)
            catalog.add_table(table)
            self.service.register_table(table)
            return
        new_columns = [c for c in entity.columns if c.name not in existing.columns]
        for column in new_columns:
            column.custom = True
        catalog.add_columns(existing, new_columns, navigation_names=entity.navigation_names, relationships=entity.relationships)
        for key in entity.keys:
            if not any(k.logical_name == key.logical_name for k in existing.keys):
                catalog.add_key(existing, key)
        self.service.register_table(existing)

    def _solution_row(self, manifest: Manifest, publisher_id: str) -> str:
        table = self.service.catalog.require("solution")
        system = self.service.system_caller()
        values = {
            "uniquename": manifest.unique_name,
            "friendlyname": manifest.friendly_name,
            "version": manifest.version,
            "description": manifest.description or None,
            "isvisible": True,
            "solutionpackageversion": "9.2",
            "publisherid@odata.bind": f"/publishers({publisher_id})",
        }
        existing = self._existing(manifest.unique_name)
        now = utc_now()
        if existing is None:
            record = self.service.records.create(table, values, system)
            self.service.records.apply_update(
                table, record, {"ismanaged": manifest.managed, "installedon": now, "updatedon": now}, system, system=True
            )
            return record["solutionid"]
        record = self.service.records.update(table, existing["solutionid"], values, system)
        self.service.records.apply_update(table, record, {"updatedon": now}, system, system=True)
        return existing["solutionid"]

    def _import_job(self, job_id: str, manifest: Manifest, solution_id: str, entities: list[EntityCustomisation]) -> None:
        table = self.service.catalog.require("importjob")
        data = "".join(f'<entity name="{e.logical_name}" result="success"/>' for e in entities)
        now = utc_now()
        values = {
            "importjobid": job_id,
            "name": manifest.unique_name,
            "solutionname": manifest.unique_name,
            "solutionid": solution_id,
            "progress": 100.0,
            "startedon": now,
            "completedon": now,
            "data": f'<importexportxml><solutionManifests><solutionManifest result="success"/></solutionManifests>'
            f"<entities>{data}</entities></importexportxml>",
        }
        existing = self.service.records.get(table, job_id)
        if existing is None:
            self.service.records.create(table, values, self.service.system_caller())
        else:
            self.service.records.update(
                table, job_id, {k: v for k, v in values.items() if k != "importjobid"}, self.service.system_caller()
            )

    def _failed_job(self, job_id: str, message: str) -> None:
        table = self.service.catalog.require("importjob")
        with self.service.storage.transaction():
            values = {
                "importjobid": job_id,
                "name": "Import failed",
                "progress": 0.0,
                "completedon": utc_now(),
                "data": f'<importexportxml><solutionManifests><solutionManifest result="failure" errortext="{_xml_escape(message)}"/>'
                f"</solutionManifests></importexportxml>",
            }
            if self.service.records.get(table, job_id) is None:
                self.service.records.create(table, values, self.service.system_caller())


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in text.split("."))


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
