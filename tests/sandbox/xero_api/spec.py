"""Xero's published OpenAPI files as the oracle: does a response match what Xero documents?

The files live next to the repository (`../shared/specs/xero/`), never inside it; tests that need them
skip, saying why, when they are absent. `check()` validates a response for (method, path, status):
the JSON Schema of the documented response, then a stricter pass that rejects properties the schema does
not declare (the spec allows them, but an unknown name here is almost always a typo in the emulator).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

REPO_ROOT = Path(__file__).resolve().parents[3]
SPEC_DIR = REPO_ROOT.parent / "shared" / "specs" / "xero"
ACCOUNTING_FILE, IDENTITY_FILE = "xero_accounting.yaml", "xero-identity.yaml"
MISSING = (f"Xero's OpenAPI files are not in {Path('..') / 'shared' / 'specs' / 'xero'} next to the repository; "
           "the API fidelity tests validate every response against them")

# Xero writes these beside the documented fields (the spec's own examples show them).
ENVELOPE_FIELDS = {"Id", "Status", "ProviderName", "DateTimeUTC"}
UNDOCUMENTED_BUT_REAL = {"DateString", "DueDateString"}
# The error bodies outside the spec (401, 403, 404, 429): {"Title", "Status", "Detail"}.
PROBLEM_SCHEMA = {"type": "object", "required": ["Title", "Status", "Detail"],
                  "properties": {"Title": {"type": "string"}, "Status": {"type": "integer"}, "Detail": {"type": "string"}}}
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def require_specs() -> Path:
    if not (SPEC_DIR / ACCOUNTING_FILE).exists():
        pytest.skip(MISSING)
    return SPEC_DIR


def repair_string_booleans(node: Any) -> int:
    """Turn `default: "false"` (and `example`) on boolean properties into real booleans; returns how many."""
    repaired = 0
    if isinstance(node, dict):
        if node.get("type") == "boolean":
            for key in ("default", "example"):
                if node.get(key) in ("true", "false"):
                    node[key] = node[key] == "true"
                    repaired += 1
        for value in node.values():
            repaired += repair_string_booleans(value)
    elif isinstance(node, list):
        for value in node:
            repaired += repair_string_booleans(value)
    return repaired


REPAIRS: dict[str, int] = {}  # file name → string booleans repaired when it was loaded


@lru_cache(maxsize=None)
def load(file_name: str) -> dict[str, Any]:
    """Each file is read once per test session (the accounting one is 926 KB)."""
    with (require_specs() / file_name).open("rb") as stream:
        spec = yaml.load(stream, Loader=SafeLoader)
    REPAIRS[file_name] = repair_string_booleans(spec)
    return spec


class ResponseMismatch(AssertionError):
    pass


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    definition: dict[str, Any]


def zoneless_date_times_allowed() -> FormatChecker:
    """Xero's connection dates carry no offset ("2019-12-07T18:46:19.5165400", the identity spec's own example),
    which RFC 3339 `date-time` does not allow: accept any ISO 8601 date-time there."""
    checker = FormatChecker()
    checker.checkers = dict(oas30_format_checker.checkers)
    checker.checks("date-time", raises=ValueError)(lambda value: not isinstance(value, str) or bool(datetime.fromisoformat(value[:26])))
    return checker


class SpecValidator:
    def __init__(self, spec: dict[str, Any], uri: str, format_checker: FormatChecker = oas30_format_checker):
        self.spec = spec
        self.uri = uri
        self.format_checker = format_checker
        self.registry = Registry().with_resource(uri, Resource.from_contents(spec, default_specification=DRAFT4))
        self.operations = self._operations()
        self._validators: dict[str, OAS30ReadValidator] = {}

    def _operations(self) -> list[Operation]:
        operations = []
        for template, item in self.spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$", re.IGNORECASE)
            for method, definition in item.items():
                if method in ("get", "put", "post", "delete", "patch"):
                    operations.append(Operation(method.upper(), template, pattern, definition))
        # Literal segments win over parameters: /Invoices/{id}/Email before /Invoices/{id}.
        return sorted(operations, key=lambda operation: (operation.template.count("{"), -len(operation.template)))

    def operation(self, method: str, path: str) -> Operation:
        for operation in self.operations:
            if operation.method == method.upper() and operation.pattern.match(path):
                return operation
        raise ResponseMismatch(f"{method} {path} is not an operation of the spec")

    def check(self, method: str, path: str, status: int, body: bytes) -> None:
        operation = self.operation(method, path)
        where = f"{method} {operation.template} → {status}"
        documented = self._documented_response(operation, status)
        if documented is None:
            self._check_undocumented(where, status, body)
            return
        pointer, response = documented
        content = response.get("content")
        if not content:
            if body.strip():
                raise ResponseMismatch(f"{where}: the spec documents no body, got {body[:200]!r}")
            return
        schema = content["application/json"]["schema"]
        ref = schema.get("$ref") or f"{pointer}/content/application~1json/schema"
        instance = self._json(where, body)
        self._validate(where, ref, instance)
        if not ref.endswith("/Error"):
            unknown = undeclared_properties(self.spec, schema, instance)
            if unknown:
                raise ResponseMismatch(f"{where}: properties the spec does not declare: {unknown[:10]}")

    def check_schema(self, where: str, ref: str, instance: Any) -> None:
        self._validate(where, ref, instance)

    def _documented_response(self, operation: Operation, status: int) -> tuple[str, dict[str, Any]] | None:
        """Where the response for this status is described (a JSON pointer) and what it says, if anywhere."""
        responses = operation.definition["responses"]
        key = str(status) if str(status) in responses else "default" if "default" in responses else None
        if key is None:
            return None
        pointer = f"#/paths/{_escape(operation.template)}/{operation.method.lower()}/responses/{key}"
        response = responses[key] or {}
        while "$ref" in response:
            pointer = response["$ref"]
            response = self._resolve(pointer)
        return pointer, response

    def _check_undocumented(self, where: str, status: int, body: bytes) -> None:
        """Statuses the spec leaves out: 400 on reads is Xero's Error shape; 401/403/404/429 the problem shape."""
        if status == 400:
            self._validate(where, "#/components/schemas/Error", self._json(where, body))
        elif status in (401, 403, 404, 429):
            errors = list(OAS30ReadValidator(PROBLEM_SCHEMA).iter_errors(self._json(where, body)))
            if errors:
                raise ResponseMismatch(f"{where}: {errors[0].message}")
        else:
            raise ResponseMismatch(f"{where}: status {status} is neither documented nor a known error status")

    def _validate(self, where: str, ref: str, instance: Any) -> None:
        validator = self._validators.get(ref)
        if validator is None:
            validator = OAS30ReadValidator({"$ref": self.uri + ref}, registry=self.registry, format_checker=self.format_checker)
            self._validators[ref] = validator
        errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
        if errors:
            details = "; ".join(f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}" for error in errors[:5])
            raise ResponseMismatch(f"{where} does not match {ref}: {details}")

    def _resolve(self, ref: str) -> dict[str, Any]:
        return _follow(self.spec, ref)

    @staticmethod
    def _json(where: str, body: bytes) -> Any:
        try:
            return json.loads(body)
        except ValueError:
            raise ResponseMismatch(f"{where}: the body is not JSON: {body[:200]!r}") from None


def undeclared_properties(spec: dict[str, Any], schema: dict[str, Any], instance: Any, at: str = "$") -> list[str]:
    """Paths of object properties that the schema (followed through $ref and allOf) does not declare."""
    schema = _resolved(spec, schema)
    found: list[str] = []
    if isinstance(instance, dict) and "properties" in schema:
        properties = schema["properties"]
        for key, value in instance.items():
            if key in properties:
                found += undeclared_properties(spec, properties[key], value, f"{at}.{key}")
            elif not (key in UNDOCUMENTED_BUT_REAL or (at == "$" and key in ENVELOPE_FIELDS)):
                found.append(f"{at}.{key}")
    elif isinstance(instance, list) and "items" in schema:
        for index, value in enumerate(instance):
            found += undeclared_properties(spec, schema["items"], value, f"{at}[{index}]")
    return found


def _resolved(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _follow(spec, schema["$ref"])
    if "allOf" in schema:
        merged: dict[str, Any] = {"properties": {}}
        for part in schema["allOf"]:
            merged["properties"].update(_resolved(spec, part).get("properties", {}))
        return merged
    return schema


def _follow(spec: dict[str, Any], pointer: str) -> Any:
    node: Any = spec
    for part in pointer.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _escape(template: str) -> str:
    return template.replace("~", "~0").replace("/", "~1")


@lru_cache(maxsize=None)
def accounting_validator() -> SpecValidator:
    return SpecValidator(load(ACCOUNTING_FILE), "urn:xero:accounting")


@lru_cache(maxsize=None)
def identity_validator() -> SpecValidator:
    return SpecValidator(load(IDENTITY_FILE), "urn:xero:identity", zoneless_date_times_allowed())
