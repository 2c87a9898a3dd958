"""The organisation's tables: the standard ones plus those solutions and the Keys API added.

Custom tables, custom columns on standard tables and alternate keys are stored as documents (kind
`dv-table`), so an organisation keeps its customisations across sandbox restarts.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dxsandbox.common.store import DocumentStore
from dxsandbox.microsoft.dataverse.errors import DataverseError, bad_request, segment_not_found
from dxsandbox.microsoft.dataverse.standard_tables import standard_tables
from dxsandbox.microsoft.dataverse.tables import AlternateKey, Collection, Column, Option, Table, metadata_id

CUSTOMISATION_KIND = "dv-table"


class Catalog:
    def __init__(self, store: DocumentStore, tenant: str):
        self.store = store
        self.tenant = tenant
        self.tables: dict[str, Table] = standard_tables()
        self._by_set: dict[str, Table] = {}
        for document in store.list(CUSTOMISATION_KIND, tenant):
            self._apply(document)
        self._reindex()

    # --- lookups ----------------------------------------------------------------------------
    def get(self, logical_name: str) -> Table | None:
        return self.tables.get(logical_name.lower())

    def require(self, logical_name: str) -> Table:
        table = self.get(logical_name)
        if table is None:
            raise DataverseError(404, "0x80040217", f"Could not find a table with logical name '{logical_name}'.")
        return table

    def by_entity_set(self, entity_set: str) -> Table:
        table = self._by_set.get(entity_set)
        if table is None:
            raise segment_not_found(entity_set)
        return table

    def has_entity_set(self, entity_set: str) -> bool:
        return entity_set in self._by_set

    def _reindex(self) -> None:
        self._by_set = {table.entity_set: table for table in self.tables.values()}
        for table in self.tables.values():
            self._link_collections(table)

    def _link_collections(self, table: Table) -> None:
        """A custom lookup to a table gives that table a collection navigation (`<relationship>`)."""
        for column in table.columns.values():
            if not column.is_lookup or not column.custom:
                continue
            for target in column.targets:
                referenced = self.tables.get(target)
                if referenced is None:
                    continue
                name = table.relationships.get(column.name) or f"{table.logical_name}_{column.name}_{target}"
                referenced.collections.setdefault(name, Collection(name, table.logical_name, column.name))

    # --- customisation ------------------------------------------------------------------------
    def add_table(self, table: Table, *, solution: str | None = None) -> None:
        if table.logical_name in self.tables and not self.tables[table.logical_name].custom:
            raise bad_request(f"A standard table named '{table.logical_name}' already exists.")
        self.tables[table.logical_name] = table
        self._save(table)
        self._reindex()

    def add_columns(
        self,
        table: Table,
        new_columns: list[Column],
        *,
        navigation_names: dict[str, str] | None = None,
        relationships: dict[str, str] | None = None,
    ) -> None:
        table.navigation_names.update(navigation_names or {})
        table.relationships.update(relationships or {})
        for column in new_columns:
            if column.name not in table.columns:
                table.add_column(column)
        self._save(table)
        self._reindex()

    def add_key(self, table: Table, key: AlternateKey) -> AlternateKey:
        for attribute in key.attributes:
            if table.by_value_name(attribute) is None and table.column(attribute) is None:
                raise bad_request(f"The attribute '{attribute}' does not exist on the table '{table.logical_name}'.")
        if any(existing.logical_name == key.logical_name for existing in table.keys):
            raise DataverseError(400, "0x80048403", f"An entity key with the name '{key.schema_name}' already exists.")
        key.metadata_id = key.metadata_id or metadata_id("key", table.logical_name, key.logical_name)
        key.custom = True
        table.keys.append(key)
        self._save(table)
        return key

    def remove_key(self, table: Table, key_id: str) -> bool:
        before = len(table.keys)
        table.keys = [key for key in table.keys if key.metadata_id != key_id.lower()]
        self._save(table)
        return len(table.keys) != before

    def _save(self, table: Table) -> None:
        """Store what differs from the standard definition: the whole table if custom, else added parts."""
        if table.custom:
            document = {"table": table_to_json(table)}
        else:
            standard = standard_tables()[table.logical_name]
            document = {
                "extends": table.logical_name,
                "columns": [column_to_json(c) for name, c in table.columns.items() if name not in standard.columns],
                "keys": [dataclasses.asdict(k) for k in table.keys if k.custom],
                "navigation_names": table.navigation_names,
                "relationships": table.relationships,
            }
        self.store.put(CUSTOMISATION_KIND, self.tenant, table.logical_name, document, updated=0.0)

    def _apply(self, document: dict[str, Any]) -> None:
        if "table" in document:
            table = table_from_json(document["table"])
            self.tables[table.logical_name] = table
            return
        table = self.tables.get(document["extends"])
        if table is None:
            return
        table.navigation_names.update(document.get("navigation_names") or {})
        table.relationships.update(document.get("relationships") or {})
        for column in document.get("columns", []):
            table.add_column(column_from_json(column))
        table.keys.extend(AlternateKey(**{**k, "attributes": tuple(k["attributes"])}) for k in document.get("keys", []))


# --- (de)serialising definitions ------------------------------------------------------------------


def column_to_json(column: Column) -> dict[str, Any]:
    data = dataclasses.asdict(column)
    data["options"] = [dataclasses.asdict(option) for option in column.options]
    return data


def column_from_json(data: dict[str, Any]) -> Column:
    values = dict(data)
    values["targets"] = tuple(values.get("targets") or ())
    values["options"] = tuple(Option(**option) for option in values.get("options") or ())
    return Column(**values)


def table_to_json(table: Table) -> dict[str, Any]:
    return {
        "logical_name": table.logical_name,
        "schema_name": table.schema_name,
        "entity_set": table.entity_set,
        "primary_id": table.primary_id,
        "primary_name": table.primary_name,
        "ownership": table.ownership,
        "object_type_code": table.object_type_code,
        "display_name": table.display_name,
        "display_collection_name": table.display_collection_name,
        "change_tracking": table.change_tracking,
        "custom": table.custom,
        "managed": table.managed,
        "navigation_names": table.navigation_names,
        "relationships": table.relationships,
        "columns": [column_to_json(c) for c in table.columns.values()],
        "collections": [dataclasses.asdict(c) for c in table.collections.values()],
        "keys": [dataclasses.asdict(k) for k in table.keys],
    }


def table_from_json(data: dict[str, Any]) -> Table:
    columns = {c["name"]: column_from_json(c) for c in data["columns"]}
    return Table(
        data["logical_name"],
        data["schema_name"],
        data["entity_set"],
        data["primary_id"],
        data["primary_name"],
        columns,
        ownership=data["ownership"],
        object_type_code=data["object_type_code"],
        display_name=data["display_name"],
        display_collection_name=data["display_collection_name"],
        change_tracking=data["change_tracking"],
        custom=data["custom"],
        managed=data["managed"],
        navigation_names=dict(data.get("navigation_names") or {}),
        relationships=dict(data.get("relationships") or {}),
        collections={c["name"]: Collection(**c) for c in data.get("collections", [])},
        keys=[AlternateKey(**{**k, "attributes": tuple(k["attributes"])}) for k in data.get("keys", [])],
    )
