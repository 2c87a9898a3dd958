"""Resource paths to operations: entity sets, records, their properties and navigations, metadata,
functions (WhoAmI, privileges) and actions (bulk operations, ImportSolution, BulkDelete)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from dxsandbox.microsoft.dataverse import metadata
from dxsandbox.microsoft.dataverse.errors import DataverseError, bad_request, not_found, segment_not_found
from dxsandbox.microsoft.dataverse.fetchxml import (
    MORE_RECORDS,
    PAGING_COOKIE,
    TOTAL_COUNT,
    TOTAL_COUNT_EXCEEDED,
    FetchRunner,
    parse_fetch,
)
from dxsandbox.microsoft.dataverse.http import ApiRequest, ApiResponse
from dxsandbox.microsoft.dataverse.odata import parse_literal
from dxsandbox.microsoft.dataverse.paths import Key, parse_key, parse_parameters, parse_reference, parse_segment, split_path
from dxsandbox.microsoft.dataverse.query_options import FETCH_XML, QueryOptions, check_request_options, parse_options
from dxsandbox.microsoft.dataverse.querying import encode_skiptoken
from dxsandbox.microsoft.dataverse.records import etag
from dxsandbox.microsoft.dataverse.references import REF, References
from dxsandbox.microsoft.dataverse.security import CREATE_ENTITY, IMPORT_CUSTOMIZATION, Caller, access_rights
from dxsandbox.microsoft.dataverse.serialize import Annotations, parse_prefer
from dxsandbox.microsoft.dataverse.tables import Table

if TYPE_CHECKING:
    from dxsandbox.microsoft.dataverse.service import DataverseService

CRM = "Microsoft.Dynamics.CRM."
PATH_SAFE = "/()=,'$@:"
ContentIds = dict[str, tuple[str, str]]  # Content-ID → (entity set, id), inside one $batch changeset


class Router:
    def __init__(self, service: DataverseService):
        self.service = service
        self.catalog = service.catalog
        self.records = service.records
        self.references = References(service)

    # --- entry ----------------------------------------------------------------------------------
    def dispatch(self, request: ApiRequest, caller: Caller, content_ids: ContentIds | None = None) -> ApiResponse:
        path = self._resolve_content_id(request.path, content_ids)
        segments = split_path(path)
        if not segments:
            return self._service_document(request)
        name, key = parse_segment(segments[0])
        special = self._special(name)
        check_request_options(
            request.params(),
            collection_read=len(segments) == 1 and key is None and special is None and request.method == "GET",
            reference=segments[-1] == REF,
        )
        if special is not None:
            return special(request, caller, key, segments[1:], content_ids or {})
        table = self.catalog.by_entity_set(name)
        if key is None:
            return self._collection(request, caller, table, segments[1:], content_ids or {})
        return self._record(request, caller, table, parse_key(key), segments[1:], content_ids or {})

    def _resolve_content_id(self, path: str, content_ids: ContentIds | None) -> str:
        """`$1/invoice_details` → `invoices(<id>)/invoice_details` for a row created earlier in the changeset."""
        reference, _, rest = path.partition("/")
        if not reference.startswith("$") or reference in ("$metadata", "$batch"):
            return path
        if content_ids is None or reference[1:] not in content_ids:
            raise bad_request(f"The Content-ID reference '{reference}' is not known in this change set.")
        entity_set, record_id = content_ids[reference[1:]]
        return f"{entity_set}({record_id})" + (f"/{rest}" if rest else "")

    def _special(self, name: str) -> Callable[..., ApiResponse] | None:
        return {
            "$metadata": self._metadata_document,
            "WhoAmI": self._who_am_i,
            "EntityDefinitions": self._entity_definitions,
            "ImportSolution": self._import_solution,
            "ImportSolutionAsync": self._import_solution_async,
            "BulkDelete": self._bulk_delete,
        }.get(name)

    # --- service-level --------------------------------------------------------------------------
    def _service_document(self, request: ApiRequest) -> ApiResponse:
        sets = [{"name": t.entity_set, "kind": "EntitySet", "url": t.entity_set} for t in self.catalog.tables.values()]
        return ApiResponse(200, {"@odata.context": f"{request.api_url}/$metadata", "value": sets})

    def _metadata_document(
        self, request: ApiRequest, caller: Caller, key: str | None, rest: list[str], _: ContentIds
    ) -> ApiResponse:
        return ApiResponse(200, metadata.csdl(list(self.catalog.tables.values())), content_type="application/xml")

    def _who_am_i(self, request: ApiRequest, caller: Caller, key: str | None, rest: list[str], _: ContentIds) -> ApiResponse:
        _require_method(request, "GET")
        return ApiResponse(
            200,
            {
                "@odata.context": f"{request.api_url}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
                "BusinessUnitId": caller.business_unit_id,
                "UserId": caller.user_id,
                "OrganizationId": self.service.org_id,
            },
        )

    # --- collections ------------------------------------------------------------------------------
    def _collection(
        self, request: ApiRequest, caller: Caller, table: Table, rest: list[str], content_ids: ContentIds
    ) -> ApiResponse:
        if not rest:
            if request.method == "GET":
                fetch_xml = next((v for k, v in request.query if k.lower() == FETCH_XML), None)
                if fetch_xml is not None:
                    return self._fetch(request, caller, table, fetch_xml)
                return self._list(request, caller, table)
            if request.method == "POST":
                return self._create(request, caller, table, content_ids)
            raise _method_not_allowed(request)
        if rest == ["$count"]:
            _require_method(request, "GET")
            caller.require("Read", table)
            options = parse_options(request.params())
            return ApiResponse(200, str(self.service.queries.count(table, options, caller.user_id)), content_type="text/plain")
        action = rest[0]
        if len(rest) == 1 and action.startswith(CRM):
            _require_method(request, "POST")
            return self.service.bulk.run(action[len(CRM) :], request, caller, table)
        raise segment_not_found(action)

    def _list(
        self, request: ApiRequest, caller: Caller, table: Table, *, rows: list | None = None, context_path: str | None = None
    ) -> ApiResponse:
        caller.require("Read", table)
        options = parse_options(request.params())
        prefer = parse_prefer(request.header("prefer"))
        annotations = Annotations(prefer.get("odata.include-annotations"))
        page_size = _page_size(prefer.get("odata.maxpagesize"))
        tracking = "odata.track-changes" in prefer or options.deltatoken is not None
        result = self.service.queries.run(
            table, options, page_size=page_size, annotations=annotations, user_id=caller.user_id, tracking=tracking, rows=rows
        )
        body = {
            "@odata.context": _context(request, context_path or table.entity_set, options, delta=options.deltatoken is not None)
        }
        if result.count is not None:
            body["@odata.count"] = result.count
        body["value"] = result.rows + [
            {
                "@odata.context": f"{request.api_url}/$metadata#{table.entity_set}/$deletedEntity",
                "id": row_id,
                "reason": "deleted",
            }
            for row_id in result.deleted
        ]
        if result.next_cookie is not None:
            body["@odata.nextLink"] = _link(request, {"$skiptoken": encode_skiptoken(result.next_cookie)}, drop=("$skiptoken",))
        if result.delta_token is not None:
            body["@odata.deltaLink"] = _link(request, {"$deltatoken": result.delta_token}, drop=("$skiptoken", "$deltatoken"))
        applied = _applied(prefer, annotations, page_size, tracking)
        return ApiResponse(200, body, {"Preference-Applied": applied} if applied else {})

    def _fetch(self, request: ApiRequest, caller: Caller, table: Table, text: str) -> ApiResponse:
        """A FetchXML query (fetchxml.py), answered with Dataverse's paging annotations when asked for."""
        caller.require("Read", table)
        combined = [key for key, _ in request.query if key.startswith("$")]
        if combined:
            raise bad_request(f"The fetchXml query option cannot be combined with {combined[0]}: say it in the FetchXML.")
        prefer = parse_prefer(request.header("prefer"))
        annotations = Annotations(prefer.get("odata.include-annotations"))
        query = parse_fetch(text, table, self.service.storage, self.catalog.get)
        result = FetchRunner(self.service.storage, self.service.serializer).run(query, annotations, caller.user_id)
        selection = f"({','.join(column.value_name for column in query.columns)})" if query.columns else ""
        body: dict[str, Any] = {"@odata.context": f"{request.api_url}/$metadata#{table.entity_set}{selection}"}
        if annotations.wants(TOTAL_COUNT):
            body[f"@{TOTAL_COUNT}"] = result.total if query.total_count else -1
        if annotations.wants(TOTAL_COUNT_EXCEEDED):
            body[f"@{TOTAL_COUNT_EXCEEDED}"] = result.total_exceeded if query.total_count else False
        # The last page carries neither annotation: clients (dynamics-web-api's fetchAll, Microsoft's own Web API
        # sample) stop paging when they are absent, not when morerecords is false.
        if result.more and annotations.wants(PAGING_COOKIE) and result.cookie is not None:
            body[f"@{PAGING_COOKIE}"] = result.cookie
        if result.more and annotations.wants(MORE_RECORDS):
            body[f"@{MORE_RECORDS}"] = True
        body["value"] = result.rows
        applied = _applied(prefer, annotations, None, False)
        return ApiResponse(200, body, {"Preference-Applied": applied} if applied else {})

    def _create(self, request: ApiRequest, caller: Caller, table: Table, content_ids: ContentIds) -> ApiResponse:
        payload = request.json()
        if not isinstance(payload, dict):
            raise bad_request("The request body must be a JSON object.")
        with self.service.storage.transaction():
            record = self.deep_create(table, payload, caller, content_ids)
        return self._written(request, caller, table, record, created=True)

    def deep_create(self, table: Table, payload: dict[str, Any], caller: Caller, content_ids: ContentIds) -> dict[str, Any]:
        """Create a row, and the related rows nested under its collection navigations (deep insert)."""
        nested = {
            name: payload.pop(name) for name in list(payload) if name in table.collections and isinstance(payload[name], list)
        }
        record = self.records.create(table, payload, caller, resolve=_resolver(content_ids))
        for name, children in nested.items():
            collection = table.collections[name]
            child_table = self.catalog.require(collection.table)
            navigation = child_table.navigation_for(collection.column, table.logical_name)
            for child in children:
                if not isinstance(child, dict):
                    raise bad_request(f"The items of '{name}' must be JSON objects.")
                child = {**child, f"{navigation}@odata.bind": f"/{table.entity_set}({record[table.primary_id]})"}
                self.deep_create(child_table, child, caller, content_ids)
        # Children may have changed the parent (invoice totals): answer with the row as it is now.
        return self.records.get(table, record[table.primary_id]) or record if nested else record

    def _written(
        self, request: ApiRequest, caller: Caller, table: Table, record: dict[str, Any], *, created: bool
    ) -> ApiResponse:
        entity_id = f"{request.api_url}/{table.entity_set}({record[table.primary_id]})"
        prefer = parse_prefer(request.header("prefer"))
        headers = {"OData-EntityId": entity_id}
        if prefer.get("return") == "representation":
            options = parse_options(request.params())
            annotations = Annotations(prefer.get("odata.include-annotations"))
            body = {
                "@odata.context": _context(request, table.entity_set, options, entity=True),
                **self.service.serializer.row(
                    table, record, select=options.select, annotations=annotations, expand=options.expand, user_id=caller.user_id
                ),
            }
            headers["Preference-Applied"] = "return=representation"
            headers["ETag"] = etag(record)
            return ApiResponse(201 if created else 200, body, headers)
        return ApiResponse(204, None, headers)

    # --- one record -----------------------------------------------------------------------------
    def _record(
        self, request: ApiRequest, caller: Caller, table: Table, key: Key, rest: list[str], content_ids: ContentIds
    ) -> ApiResponse:
        if not rest:
            if request.method == "GET":
                return self._retrieve(request, caller, table, key)
            if request.method == "PATCH":
                return self._upsert(request, caller, table, key, content_ids)
            if request.method == "DELETE":
                record = self._found(table, key)
                with self.service.storage.transaction():
                    self.records.delete(table, record[table.primary_id], caller, if_match=request.header("if-match"))
                return ApiResponse(204)
            raise _method_not_allowed(request)
        segment = rest[0]
        if segment.startswith(CRM):
            return self._bound_function(request, caller, table, key, segment[len(CRM) :])
        record = self._found(table, key)
        name, related_key = parse_segment(segment)
        after = rest[1:]
        if name in table.collections:
            if after == [REF]:
                return self.references.collection(request, caller, table, record, name, related_key, _resolver(content_ids))
            if after or related_key is not None:
                raise segment_not_found(after[0] if after else segment)
            return self._related_collection(request, caller, table, record, segment, content_ids)
        if segment in table.navigations:
            if after == [REF]:
                return self.references.single(request, caller, table, record, segment, _resolver(content_ids))
            if after:
                raise segment_not_found(after[0])
            return self._related_record(request, caller, table, record, segment)
        column = table.by_value_name(segment)
        if column is None or after not in ([], ["$value"]):
            raise segment_not_found(segment if column is None else after[0])
        return self._property(request, caller, table, record, column.name, raw=after == ["$value"])

    def _found(self, table: Table, key: Key) -> dict[str, Any]:
        record = self.records.find(table, key)
        if record is None:
            raise not_found(table.logical_name, key if isinstance(key, str) else ",".join(f"{k}={v}" for k, v in key.items()))
        return record

    def _retrieve(self, request: ApiRequest, caller: Caller, table: Table, key: Key) -> ApiResponse:
        caller.require("Read", table)
        record = self._found(table, key)
        options = parse_options(request.params())
        prefer = parse_prefer(request.header("prefer"))
        annotations = Annotations(prefer.get("odata.include-annotations"))
        if_none_match = request.header("if-none-match")
        if (
            if_none_match
            and not options.expand
            and not annotations
            and etag(record) in {t.strip() for t in if_none_match.split(",")}
        ):
            return ApiResponse(304)
        body = {
            "@odata.context": _context(request, table.entity_set, options, entity=True),
            **self.service.serializer.row(
                table, record, select=options.select, annotations=annotations, expand=options.expand, user_id=caller.user_id
            ),
        }
        applied = _applied(prefer, annotations, None, False)
        return ApiResponse(200, body, {"Preference-Applied": applied} if applied else {})

    def _upsert(self, request: ApiRequest, caller: Caller, table: Table, key: Key, content_ids: ContentIds) -> ApiResponse:
        payload = request.json()
        with self.service.storage.transaction():
            record, created = self.records.upsert(
                table,
                key,
                payload,
                caller,
                resolve=_resolver(content_ids),
                if_match=request.header("if-match"),
                if_none_match=request.header("if-none-match"),
            )
        return self._written(request, caller, table, record, created=created)

    def _property(
        self, request: ApiRequest, caller: Caller, table: Table, record: dict[str, Any], name: str, *, raw: bool
    ) -> ApiResponse:
        column = table.columns[name]
        if request.method == "GET":
            caller.require("Read", table)
            row = self.service.serializer.row(table, record, select=[column.value_name])
            value = row.get(column.value_name)
            if raw:
                return ApiResponse(200, "" if value is None else str(value), content_type="text/plain")
            if value is None:
                return ApiResponse(204)
            return ApiResponse(
                200,
                {
                    "@odata.context": f"{request.api_url}/$metadata#{table.entity_set}({record[table.primary_id]})/{column.value_name}",
                    "value": value,
                },
            )
        if request.method in ("PUT", "DELETE") and not column.is_lookup:
            value = request.json().get("value") if request.method == "PUT" else None
            with self.service.storage.transaction():
                self.records.update(table, record[table.primary_id], {name: value}, caller)
            return ApiResponse(204)
        raise _method_not_allowed(request)

    def _related_collection(
        self, request: ApiRequest, caller: Caller, table: Table, record: dict[str, Any], name: str, content_ids: ContentIds
    ) -> ApiResponse:
        collection = table.collections[name]
        target = self.catalog.require(collection.table)
        if request.method == "POST":
            navigation = target.navigation_for(collection.column, table.logical_name)
            payload = {**request.json(), f"{navigation}@odata.bind": f"/{table.entity_set}({record[table.primary_id]})"}
            with self.service.storage.transaction():
                created = self.deep_create(target, payload, caller, content_ids)
            return self._written(request, caller, target, created, created=True)
        _require_method(request, "GET")
        rows = [
            r
            for r in self.service.storage.referencing(target.logical_name, collection.column, record[table.primary_id])
            if (r.get(collection.column) or {}).get("table") == table.logical_name
        ]
        return self._list(request, caller, target, rows=rows, context_path=target.entity_set)

    def _related_record(
        self, request: ApiRequest, caller: Caller, table: Table, record: dict[str, Any], name: str
    ) -> ApiResponse:
        _require_method(request, "GET")
        navigation = table.navigations[name]
        reference = record.get(navigation.column)
        if not isinstance(reference, dict) or reference["table"] not in navigation.targets:
            return ApiResponse(204)
        target = self.catalog.require(reference["table"])
        return self._retrieve(request, caller, target, reference["id"])

    # --- bound functions ---------------------------------------------------------------------------
    def _bound_function(self, request: ApiRequest, caller: Caller, table: Table, key: Key, call: str) -> ApiResponse:
        name, arguments = parse_segment(call)
        if table.logical_name != "systemuser":
            raise segment_not_found(CRM + call)
        _require_method(request, "GET")
        user = self._found(table, key)
        subject = self.service.users.caller_for_user(user)
        params = parse_parameters(arguments or "")
        context = f"{request.api_url}/$metadata#Microsoft.Dynamics.CRM.{name}Response"
        if name == "RetrieveUserPrivileges":
            return ApiResponse(200, {"@odata.context": context, "RolePrivileges": subject.role_privileges_json()})
        if name == "RetrieveUserPrivilegeByPrivilegeName":
            wanted = {_string_argument(params.get("PrivilegeName"), request)}
            return ApiResponse(200, {"@odata.context": context, "RolePrivileges": _only(subject, wanted)})
        if name == "RetrieveUserSetOfPrivilegesByNames":
            wanted = set(_list_argument(params.get("PrivilegeNames"), request))
            return ApiResponse(200, {"@odata.context": context, "RolePrivileges": _only(subject, wanted)})
        if name == "RetrievePrincipalAccess":
            target = _object_argument(params.get("Target"), request)
            entity_set, _ = parse_reference(str(target.get("@odata.id", "")))
            return ApiResponse(
                200, {"@odata.context": context, "AccessRights": access_rights(subject, self.catalog.by_entity_set(entity_set))}
            )
        raise segment_not_found(CRM + call)

    # --- metadata ---------------------------------------------------------------------------------
    def _entity_definitions(
        self, request: ApiRequest, caller: Caller, key: str | None, rest: list[str], _: ContentIds
    ) -> ApiResponse:
        options = parse_options(request.params())
        base = f"{request.api_url}/$metadata#EntityDefinitions"
        tables = list(self.catalog.tables.values())
        if key is None:
            _require_method(request, "GET")
            return ApiResponse(200, {"@odata.context": base, "value": metadata.shape_entities(tables, options)})
        table = self._table_by_metadata_key(key)
        if not rest:
            if request.method != "GET":
                raise _method_not_allowed(request)
            expansions = metadata.entity_expansions(table, tables)
            return ApiResponse(
                200,
                {
                    "@odata.context": f"{base}/$entity",
                    **metadata.shape_one(metadata.entity_json(table), options, expansions=expansions),
                },
            )
        part, part_key = parse_segment(rest[0])
        if part == "Attributes":
            return self._attributes(request, table, part_key, rest[1:], options, base)
        if part == "Keys":
            return self._keys(request, caller, table, part_key, options, base)
        if part in ("ManyToOneRelationships", "OneToManyRelationships", "ManyToManyRelationships"):
            _require_method(request, "GET")
            relationships = metadata.entity_expansions(table, tables)[part]()
            context = f"{base}({table.metadata_id})/{part}"
            if part_key is None and not rest[1:]:
                return ApiResponse(200, {"@odata.context": context, "value": metadata.shape(relationships, options)})
            found = _relationship(relationships, part_key) if not rest[1:] else None
            if found is None:
                raise DataverseError(404, "0x80040217", f"Could not find the relationship {part_key} of '{table.logical_name}'.")
            return ApiResponse(200, {"@odata.context": f"{context}/$entity", **metadata.shape_one(found, options)})
        raise segment_not_found(rest[0])

    def _table_by_metadata_key(self, key: str) -> Table:
        parsed = parse_key(key)
        if isinstance(parsed, str):
            table = next((t for t in self.catalog.tables.values() if t.metadata_id == parsed), None)
        else:
            table = self.catalog.get(str(parsed.get("LogicalName", "")))
        if table is None:
            raise DataverseError(404, "0x80040217", f"Could not find an entity with key {key}.")
        return table

    def _attributes(
        self, request: ApiRequest, table: Table, key: str | None, rest: list[str], options: QueryOptions, base: str
    ) -> ApiResponse:
        _require_method(request, "GET")
        if key is None:
            cast = rest[0] if rest else None
            items = metadata.attributes_of(table, cast)
            return ApiResponse(
                200, {"@odata.context": f"{base}({table.metadata_id})/Attributes", "value": metadata.shape(items, options)}
            )
        column = metadata.find_attribute(table, key)
        item = metadata.attribute_json(table, column)
        if rest and metadata.attributes_of(table, rest[0]) and item not in metadata.attributes_of(table, rest[0]):
            raise segment_not_found(rest[0])
        return ApiResponse(
            200, {"@odata.context": f"{base}({table.metadata_id})/Attributes/$entity", **metadata.shape_one(item, options)}
        )

    def _keys(
        self, request: ApiRequest, caller: Caller, table: Table, key: str | None, options: QueryOptions, base: str
    ) -> ApiResponse:
        if request.method == "POST" and key is None:
            return self.service.create_key(request, caller, table)
        if key is None:
            _require_method(request, "GET")
            items = [metadata.key_json(table, k) for k in table.keys]
            return ApiResponse(
                200, {"@odata.context": f"{base}({table.metadata_id})/Keys", "value": metadata.shape(items, options)}
            )
        parsed = parse_key(key)
        found = next(
            (
                k
                for k in table.keys
                if k.metadata_id == parsed or (isinstance(parsed, dict) and parsed.get("LogicalName") == k.logical_name)
            ),
            None,
        )
        if found is None:
            raise DataverseError(404, "0x80040217", f"Could not find the key {key} on '{table.logical_name}'.")
        if request.method == "DELETE":
            _require_admin(caller, CREATE_ENTITY, "delete an alternate key")
            self.catalog.remove_key(table, found.metadata_id)
            return ApiResponse(204)
        _require_method(request, "GET")
        return ApiResponse(
            200,
            {
                "@odata.context": f"{base}({table.metadata_id})/Keys/$entity",
                **metadata.shape_one(metadata.key_json(table, found), options),
            },
        )

    # --- actions ----------------------------------------------------------------------------------
    def _import_solution(
        self, request: ApiRequest, caller: Caller, key: str | None, rest: list[str], _: ContentIds
    ) -> ApiResponse:
        _require_method(request, "POST")
        _require_admin(caller)
        self.service.solutions.import_solution(request.json(), caller)
        return ApiResponse(204)

    def _import_solution_async(
        self, request: ApiRequest, caller: Caller, key: str | None, rest: list[str], _: ContentIds
    ) -> ApiResponse:
        _require_method(request, "POST")
        _require_admin(caller)
        body = request.json()
        job_id, operation_id = self.service.solutions.import_solution_async(body, caller)
        return ApiResponse(
            200,
            {
                "@odata.context": f"{request.api_url}/$metadata#Microsoft.Dynamics.CRM.ImportSolutionAsyncResponse",
                "AsyncOperationId": operation_id,
                "ImportJobKey": job_id,
            },
        )

    def _bulk_delete(self, request: ApiRequest, caller: Caller, key: str | None, rest: list[str], _: ContentIds) -> ApiResponse:
        _require_method(request, "POST")
        job_id = self.service.bulk.bulk_delete(request.json(), caller)
        return ApiResponse(
            200, {"@odata.context": f"{request.api_url}/$metadata#Microsoft.Dynamics.CRM.BulkDeleteResponse", "JobId": job_id}
        )


# --- helpers ------------------------------------------------------------------------------------------


def _resolver(content_ids: ContentIds) -> Callable[[str], tuple[str, str] | None]:
    return lambda reference: content_ids.get(reference[1:])


def _require_method(request: ApiRequest, *methods: str) -> None:
    if request.method not in methods:
        raise _method_not_allowed(request)


def _method_not_allowed(request: ApiRequest) -> DataverseError:
    return DataverseError(405, "0x80060888", f"The HTTP method '{request.method}' is not allowed for '{request.path}'.")


def _require_admin(caller: Caller, privilege: str = IMPORT_CUSTOMIZATION, what: str = "import a solution") -> None:
    caller.require_privilege(privilege, what)


def _page_size(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        size = int(value)
    except ValueError:
        raise bad_request("odata.maxpagesize must be a whole number.") from None
    return size if size > 0 else None


def _applied(prefer: dict[str, str], annotations: Annotations, page_size: int | None, tracking: bool) -> str:
    applied = []
    if annotations:
        applied.append(f'odata.include-annotations="{prefer.get("odata.include-annotations")}"')
    if page_size is not None:
        applied.append(f"odata.maxpagesize={min(page_size, 5000)}")
    if tracking:
        applied.append("odata.track-changes")
    return ",".join(applied)


def _context(request: ApiRequest, path: str, options: QueryOptions, *, entity: bool = False, delta: bool = False) -> str:
    selection = f"({','.join(options.select)})" if options.select else ""
    suffix = "/$entity" if entity else ("/$delta" if delta else "")
    return f"{request.api_url}/$metadata#{path}{selection}{suffix}"


def _link(request: ApiRequest, add: dict[str, str], *, drop: tuple[str, ...]) -> str:
    """The request's own URL with some query options replaced (nextLink, deltaLink)."""
    query = [(k, v) for k, v in request.query if k not in drop and k not in add] + list(add.items())
    path = quote(request.path, safe=PATH_SAFE)
    return f"{request.api_url}/{path}?" + urlencode(query, quote_via=quote, safe="$,()'=@:/")


def _relationship(relationships: list[dict[str, Any]], key: str | None) -> dict[str, Any] | None:
    """A relationship by MetadataId or `SchemaName='…'`."""
    parsed = parse_key(key or "")
    for relationship in relationships:
        if parsed == relationship["MetadataId"] or (
            isinstance(parsed, dict) and parsed.get("SchemaName") == relationship["SchemaName"]
        ):
            return relationship
    return None


def _only(subject: Caller, wanted: set[str]) -> list[dict[str, str]]:
    return [entry for entry in subject.role_privileges_json() if entry["PrivilegeName"] in wanted]


def _alias(value: str | None, request: ApiRequest) -> str:
    if value is None:
        raise bad_request("A required function parameter is missing.")
    if value.startswith("@"):
        aliased = request.params().get(value)
        if aliased is None:
            raise bad_request(f"The parameter alias '{value}' has no value.")
        return aliased
    return value


def _string_argument(value: str | None, request: ApiRequest) -> str:
    literal = parse_literal(_alias(value, request))
    return str(literal.value)


def _list_argument(value: str | None, request: ApiRequest) -> list[str]:
    text = _alias(value, request)
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = list(parse_literal(text).value or ())
    if not isinstance(parsed, list):
        raise bad_request("PrivilegeNames must be a list of names.")
    return [str(item) for item in parsed]


def _object_argument(value: str | None, request: ApiRequest) -> dict[str, Any]:
    text = _alias(value, request)
    for candidate in (text, text.replace("'", '"')):
        try:
            parsed = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            return parsed
    raise bad_request("The Target parameter must be an object with '@odata.id'.")
