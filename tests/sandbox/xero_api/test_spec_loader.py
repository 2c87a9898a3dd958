"""The spec files themselves: found next to the repository, repaired for strict loaders, used as the oracle."""

from __future__ import annotations

import copy

import pytest

from tests.sandbox.xero_api.spec import (
    ACCOUNTING_FILE,
    REPAIRS,
    ResponseMismatch,
    accounting_validator,
    load,
    repair_string_booleans,
)


def test_the_loader_repairs_the_23_string_boolean_defaults_and_their_examples():
    spec = load(ACCOUNTING_FILE)
    assert REPAIRS[ACCOUNTING_FILE] == 23 * 2  # each `default: "false"` sits beside an `example: "false"`
    assert repair_string_booleans(copy.deepcopy(spec["components"]["schemas"]["Invoice"])) == 0


def test_the_repaired_spec_passes_a_strict_validator():
    openapi_spec_validator = pytest.importorskip("openapi_spec_validator")
    openapi_spec_validator.validate(load(ACCOUNTING_FILE))


def test_the_validator_catches_a_wrong_shape():
    with pytest.raises(ResponseMismatch, match="is not a 'uuid'"):
        accounting_validator().check("GET", "/Invoices", 200, b'{"Invoices": [{"InvoiceID": "INV-1"}]}')


def test_the_validator_catches_an_undeclared_property():
    with pytest.raises(ResponseMismatch, match=r"\$.Invoices\[0\].InvoiceNumbr"):
        accounting_validator().check("GET", "/Invoices", 200, b'{"Invoices": [{"InvoiceNumbr": "INV-1"}]}')


def test_the_validator_knows_which_operation_a_path_is():
    validator = accounting_validator()
    assert validator.operation("POST", "/Invoices/abc/Email").template == "/Invoices/{InvoiceID}/Email"
    assert validator.operation("GET", "/Invoices/abc").template == "/Invoices/{InvoiceID}"
    with pytest.raises(ResponseMismatch):
        validator.operation("GET", "/NoSuchThing")
