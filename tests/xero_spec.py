"""Xero's published OpenAPI files as the oracle: does a response match what Xero documents?

The files live next to the repository (`../shared/specs/xero/`), never inside it; tests that need them
skip, saying why, when they are absent. `check()` validates a response for (method, path, status):
the JSON Schema of the documented response, then a stricter pass that rejects properties the schema does
not declare (the spec allows them, but an unknown name here is almost always a typo in the emulator).

`check_recorded()` does the same for the responses a sandbox recorded (see
`dxsandbox.common.recording`): the API host's answers against the accounting and identity files,
the identity host's token answers against the identity file's AccessToken and OAuth 2.0's error shape.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC_DIR = REPO_ROOT.parent / "shared" / "specs" / "xero"
ACCOUNTING_FILE, IDENTITY_FILE = "xero_accounting.yaml", "xero-identity.yaml"
MISSING = (
    f"Xero's OpenAPI files are not in {Path('..') / 'shared' / 'specs' / 'xero'} next to the repository; "
    "the API fidelity tests validate every response against them"
)

# Xero writes these beside the documented fields (the spec's own examples show them).
ENVELOPE_FIELDS = {"Id", "Status", "ProviderName", "DateTimeUTC"}
UNDOCUMENTED_BUT_REAL = {"DateString", "DueDateString"}
# The error bodies outside the spec (401, 403, 404, 429, and the 500/503 of a failing service):
# {"Title", "Status", "Detail"}.
PROBLEM_STATUSES = (401, 403, 404, 429, 500, 503)
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["Title", "Status", "Detail"],
    "properties": {"Title": {"type": "string"}, "Status": {"type": "integer"}, "Detail": {"type": "string"}},
}
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def specs_present() -> bool:
    return (SPEC_DIR / ACCOUNTING_FILE).exists() and (SPEC_DIR / IDENTITY_FILE).exists()


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


@cache
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


@dataclass(frozen=True)
class Expectation:
    """What the spec says a response of one (method, template, status) is, worked out once per session."""

    where: str
    kind: str  # "schema" (a JSON body of `ref`), "empty" (no body), "error" (Xero's Error), "problem", "empty or problem", "unknown"
    ref: str | None = None
    schema: dict[str, Any] | None = None  # as written at the response, for the undeclared-properties pass


def zoneless_date_times_allowed() -> FormatChecker:
    """Xero's connection dates carry no offset ("2019-12-07T18:46:19.5165400", the identity spec's own example),
    which RFC 3339 `date-time` does not allow: accept any ISO 8601 date-time there."""
    checker = FormatChecker()
    checker.checkers = dict(oas30_format_checker.checkers)
    checker.checks("date-time", raises=ValueError)(
        lambda value: not isinstance(value, str) or bool(datetime.fromisoformat(value[:26]))
    )
    return checker


class SpecValidator:
    def __init__(self, spec: dict[str, Any], uri: str, format_checker: FormatChecker = oas30_format_checker):
        self.spec = spec
        self.uri = uri
        self.format_checker = format_checker
        self.registry = Registry().with_resource(uri, Resource.from_contents(spec, default_specification=DRAFT4))
        self.operations = self._operations()
        self._by_method: dict[str, list[Operation]] = {}
        for operation in self.operations:
            self._by_method.setdefault(operation.method, []).append(operation)
        self._validators: dict[str, OAS30ReadValidator] = {}  # compiled once per schema reference
        self._expectations: dict[tuple[str, str, int], Expectation] = {}  # (method, template, status) → what to check

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
        for operation in self._by_method.get(method.upper(), ()):
            if operation.pattern.match(path):
                return operation
        raise ResponseMismatch(f"{method} {path} is not an operation of the spec")

    def defines_path(self, path: str) -> bool:
        """Whether some operation of the spec, whatever its method, is at this path."""
        return any(operation.pattern.match(path) for operation in self.operations)

    def check(self, method: str, path: str, status: int, body: bytes, content_type: str | None = None) -> None:
        """Raise ResponseMismatch unless the response is what the spec documents. With `content_type`, a JSON
        body must also say it is JSON."""
        operation = self.operation(method, path)
        expected = self.expectation(operation, status)
        if expected.kind == "unknown":
            raise ResponseMismatch(f"{expected.where}: status {status} is neither documented nor a known error status")
        if expected.kind == "empty" or (expected.kind == "empty or problem" and not body.strip()):
            if body.strip():
                raise ResponseMismatch(f"{expected.where}: the spec documents no body, got {body[:200]!r}")
            return
        if content_type is not None and not _is_json(content_type):
            raise ResponseMismatch(f"{expected.where}: the content type is {content_type!r}, not application/json")
        instance = self._json(expected.where, body)
        if expected.kind in ("problem", "empty or problem"):
            errors = list(self._validator_for_schema("problem", PROBLEM_SCHEMA).iter_errors(instance))
            if errors:
                raise ResponseMismatch(f"{expected.where}: {errors[0].message}")
            return
        assert expected.ref is not None
        self._validate(expected.where, expected.ref, instance)
        if expected.kind == "schema" and not expected.ref.endswith("/Error"):
            unknown = undeclared_properties(self.spec, expected.schema or {}, instance)
            if unknown:
                raise ResponseMismatch(f"{expected.where}: properties the spec does not declare: {unknown[:10]}")

    def check_schema(self, where: str, ref: str, instance: Any) -> None:
        self._validate(where, ref, instance)

    def expectation(self, operation: Operation, status: int) -> Expectation:
        key = (operation.method, operation.template, status)
        if key not in self._expectations:
            self._expectations[key] = self._expect(operation, status)
        return self._expectations[key]

    def _expect(self, operation: Operation, status: int) -> Expectation:
        where = f"{operation.method} {operation.template} → {status}"
        documented = self._documented_response(operation, status)
        if documented is None:
            # Statuses the spec leaves out: 400 on reads and 501 (not implemented) are Xero's Error shape;
            # 401/403/404/429/500/503 the problem shape.
            if status in (400, 501):
                return Expectation(where, "error", "#/components/schemas/Error")
            return Expectation(where, "problem" if status in PROBLEM_STATUSES else "unknown")
        pointer, response = documented
        content = response.get("content")
        if not content:
            # A refusal described only in words ("404: Resource not found") may say why in Xero's problem shape.
            return Expectation(where, "empty or problem" if status >= 400 else "empty")
        schema = content["application/json"]["schema"]
        return Expectation(where, "schema", schema.get("$ref") or f"{pointer}/content/application~1json/schema", schema)

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

    def _validator_for_schema(self, name: str, schema: dict[str, Any]) -> OAS30ReadValidator:
        key = f"(inline) {name}"
        if key not in self._validators:
            self._validators[key] = OAS30ReadValidator(schema, format_checker=self.format_checker)
        return self._validators[key]

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


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


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


@cache
def accounting_validator() -> SpecValidator:
    return SpecValidator(load(ACCOUNTING_FILE), "urn:xero:accounting")


@cache
def identity_validator() -> SpecValidator:
    return SpecValidator(load(IDENTITY_FILE), "urn:xero:identity", zoneless_date_times_allowed())


# --- the token endpoint (identity.xero.com/connect/token) ---------------------------------------------------
# The identity file describes the token response (AccessToken) but no path for it; OAuth 2.0 (RFC 6749 §5)
# describes the rest: `scope` beside the AccessToken fields, and the error body.
ACCESS_TOKEN = "#/components/schemas/AccessToken"
TOKEN_FIELDS = ("access_token", "expires_in", "token_type")
# A refresh token comes with offline_access, an ID token with openid; a client-credentials grant has neither
# (RFC 6749 §4.4.3), whatever scope it names, so only the presence of one is checked against the scope.
SCOPE_FOR_TOKEN_FIELD = {"refresh_token": "offline_access", "id_token": "openid"}
OAUTH_ERRORS = {
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
}
OAUTH_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {"type": "string", "enum": sorted(OAUTH_ERRORS)},
        "error_description": {"type": "string"},
        "error_uri": {"type": "string"},
    },
}


def check_token_response(status: int, body: bytes, content_type: str | None = None) -> None:
    where = f"POST /connect/token → {status}"
    validator = identity_validator()
    if content_type is not None and not _is_json(content_type):
        raise ResponseMismatch(f"{where}: the content type is {content_type!r}, not application/json")
    instance = validator._json(where, body)
    if status != 200:
        if status not in (400, 401):
            raise ResponseMismatch(f"{where}: a token error is 400 (or 401 for a client that failed to authenticate)")
        errors = list(validator._validator_for_schema("oauth error", OAUTH_ERROR_SCHEMA).iter_errors(instance))
        if errors:
            raise ResponseMismatch(f"{where}: not an OAuth 2.0 error body: {errors[0].message}")
        return
    validator.check_schema(where, ACCESS_TOKEN, instance)
    if not isinstance(instance, dict):
        raise ResponseMismatch(f"{where}: the body is not an object")
    missing = [name for name in TOKEN_FIELDS if name not in instance]
    if missing:
        raise ResponseMismatch(f"{where}: missing {missing}")
    if "scope" in instance:
        scopes = str(instance["scope"]).split()
        unjustified = [name for name, scope in SCOPE_FOR_TOKEN_FIELD.items() if name in instance and scope not in scopes]
        if unjustified:
            raise ResponseMismatch(f"{where}: {unjustified} without the scope for it (granted: {' '.join(scopes) or 'none'})")
    unknown = sorted(set(instance) - set(_follow(validator.spec, ACCESS_TOKEN)["properties"]) - {"scope"})
    if unknown:
        raise ResponseMismatch(f"{where}: properties neither the spec nor OAuth 2.0 declare: {unknown}")
    if instance["token_type"] != "Bearer":
        raise ResponseMismatch(f"{where}: token_type is {instance['token_type']!r}, not 'Bearer'")


# --- recorded responses ------------------------------------------------------------------------------------
API_PREFIX = "/api.xro/2.0"
TOKEN_PATH = "/connect/token"
_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


@dataclass(frozen=True)
class Failure:
    method: str
    path: str
    status: int
    message: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}  [{self.file}:{self.line}]\n      {self.message}"


@dataclass
class RecordedCheck:
    """What checking a directory of recordings found."""

    files: int = 0
    validated: Counter[str] = field(default_factory=Counter)  # "accounting" / "identity" / "token" → responses that validated
    failures: list[Failure] = field(default_factory=list)
    outside: Counter[tuple[str, str, int]] = field(default_factory=Counter)  # (method, path shape, status) → responses
    incomplete: int = 0  # a last line cut short (a sandbox killed mid-write)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.validated.values()) + len(self.failures) + sum(self.outside.values())

    def summary(self) -> list[str]:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.validated.items())) or "none"
        lines = [
            f"{self.total} responses recorded by {self.files} sandbox process(es); {sum(self.validated.values())} validated "
            f"({kinds}) in {self.seconds:.2f}s; {len(self.failures)} failed."
        ]
        if self.outside:
            lines.append(
                f"{sum(self.outside.values())} answered calls the spec has no path for (checked to be Xero's problem "
                f"JSON, not validated against a schema):"
            )
            lines += [
                f"  {count:5d} × {method} {shape} → {status}" for (method, shape, status), count in self.outside.most_common(10)
            ]
        if self.incomplete:
            lines.append(f"{self.incomplete} last line(s) cut short by a sandbox stopped mid-write (not checked).")
        return lines

    def failure_report(self, limit: int = 10) -> str:
        shown = "\n".join(f"  {failure}" for failure in self.failures[:limit])
        more = f"\n  … and {len(self.failures) - limit} more" if len(self.failures) > limit else ""
        return f"{len(self.failures)} Xero sandbox response(s) do not match Xero's OpenAPI files:\n{shown}{more}"


def path_shape(path: str) -> str:
    return _IDS.sub("{id}", path)


def check_recorded(directory: Path) -> RecordedCheck:
    """Check every response recorded in `directory` (one `*.jsonl` file per sandbox process)."""
    started = time.perf_counter()
    result = RecordedCheck()
    for file in sorted(directory.glob("*.jsonl")):
        result.files += 1
        raw = file.read_bytes()
        lines = raw.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        elif lines:
            lines.pop()  # no newline after it: the writer was stopped mid-line
            result.incomplete += 1
        for number, line in enumerate(lines, start=1):
            try:
                entry = json.loads(line)
            except ValueError:
                result.failures.append(Failure("?", "?", 0, "the line is not JSON", file.name, number))
                continue
            _check_entry(result, entry, file.name, number)
    result.seconds = time.perf_counter() - started
    return result


def _check_entry(result: RecordedCheck, entry: dict[str, Any], file: str, number: int) -> None:
    method, path, status = entry["method"], entry["path"], entry["status"]
    body = base64.b64decode(entry["body_base64"]) if "body_base64" in entry else entry.get("body", "").encode()
    content_type = entry.get("content_type")
    if status == 204 and not body:
        content_type = None  # nothing to describe
    try:
        if entry["host"] == "xero-identity" and path == TOKEN_PATH:
            check_token_response(status, body, content_type)
            result.validated["token"] += 1
            return
        validator, within, kind = _validator_for(path)
        if kind == "accounting" and _is_xml(content_type):
            _check_xml(method, path, status, body)
            result.validated["accounting XML"] += 1
            return
        if validator is not None and validator.defines_path(within):
            # A path the spec defines: the method must be one of its operations, and the answer must match.
            validator.check(method, within, status, body, content_type)
            result.validated[kind] += 1
            return
        _check_outside(method, path, status, body, content_type)
        result.outside[(method, path_shape(path), status)] += 1
    except ResponseMismatch as mismatch:
        result.failures.append(Failure(method, path, status, str(mismatch), file, number))


# Paths Xero answers that its files describe under another name (any case): checked as that path.
SPEC_ALIASES = {"/organisations": "/Organisation"}  # the plural older clients use


def _validator_for(path: str) -> tuple[SpecValidator | None, str, str]:
    if path.lower() == "/connections" or path.lower().startswith("/connections/"):
        return identity_validator(), path, "identity"
    if path.startswith(API_PREFIX + "/"):
        within = path[len(API_PREFIX) :]
        return accounting_validator(), SPEC_ALIASES.get(within.lower(), within), "accounting"
    return None, path, ""


def _is_xml(content_type: str | None) -> bool:
    return content_type is not None and content_type.split(";")[0].strip().lower() in ("text/xml", "application/xml")


def _check_xml(method: str, path: str, status: int, body: bytes) -> None:
    """An answer in XML (asked for by Accept, or following an XML body): Xero's <Response> envelope on success,
    its <ApiException> otherwise. The schemas are JSON's, so the XML is checked for its shape only."""
    where = f"{method} {path_shape(path)} → {status}"
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise ResponseMismatch(f"{where}: the XML body does not parse: {error}") from None
    expected = "Response" if status < 400 else "ApiException"
    if root.tag != expected:
        raise ResponseMismatch(f"{where}: an XML answer with status {status} is <{expected}>, not <{root.tag}>")
    if expected == "Response" and root.findtext("Status") != "OK":
        raise ResponseMismatch(f"{where}: the XML envelope's Status is {root.findtext('Status')!r}, not 'OK'")
    if expected == "ApiException" and not (root.findtext("ErrorNumber") and root.findtext("Type") and root.findtext("Message")):
        raise ResponseMismatch(f"{where}: the ApiException lacks ErrorNumber, Type or Message")


def _check_outside(method: str, path: str, status: int, body: bytes, content_type: str | None) -> None:
    """A call to a path Xero's files do not describe: it can only be refused, in Xero's problem shape."""
    where = f"{method} {path_shape(path)} → {status}"
    if status < 400:
        raise ResponseMismatch(f"{where}: the spec has no such path, yet the call succeeded")
    if content_type is not None and not _is_json(content_type):
        raise ResponseMismatch(f"{where}: the content type is {content_type!r}, not application/json")
    instance = SpecValidator._json(where, body)
    errors = list(accounting_validator()._validator_for_schema("problem", PROBLEM_SCHEMA).iter_errors(instance))
    if errors:
        raise ResponseMismatch(f"{where}: not Xero's problem shape: {errors[0].message}")
