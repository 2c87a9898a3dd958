"""Xero's published OpenAPI files as the oracle, for the Accounting API tests.

The validator lives in `tests/xero_spec.py`, which the session's check of every recorded sandbox response
uses too; this module keeps the names this suite imports.
"""

from __future__ import annotations

from tests.xero_spec import (  # noqa: F401
    ACCOUNTING_FILE,
    ENVELOPE_FIELDS,
    IDENTITY_FILE,
    MISSING,
    PROBLEM_SCHEMA,
    REPAIRS,
    REPO_ROOT,
    SPEC_DIR,
    UNDOCUMENTED_BUT_REAL,
    Operation,
    ResponseMismatch,
    SpecValidator,
    accounting_validator,
    identity_validator,
    load,
    repair_string_booleans,
    require_specs,
    undeclared_properties,
    zoneless_date_times_allowed,
)
