"""ARCHITECTURE principle 1: `domain/` is pure — no Django, no HTTP, no clock, no randomness."""

import ast
from pathlib import Path

import pytest

import dxconnector.domain

DOMAIN = Path(dxconnector.domain.__file__).parent
NEW_MODULES = sorted(DOMAIN.rglob("*.py"))
FORBIDDEN_IMPORTS = (
    "django",
    "httpx",
    "requests",
    "urllib",
    "xero_python",
    "msal",
    "random",
    "secrets",
    "time",
    "os",
    "socket",
    "uuid",
    "dxconnector.sync",
    "dxconnector.portal",
    "dxconnector.xero",
    "dxconnector.dynamics",
)
CLOCK_CALLS = {"now", "utcnow", "today", "time"}


def imported_names(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize("path", NEW_MODULES, ids=lambda path: path.name)
def test_the_module_imports_nothing_that_reaches_outside(path):
    tree = ast.parse(path.read_text())
    for name in imported_names(tree):
        assert not any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_IMPORTS), name


@pytest.mark.parametrize("path", NEW_MODULES, ids=lambda path: path.name)
def test_the_module_never_reads_the_clock(path):
    tree = ast.parse(path.read_text())
    calls = [node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]
    assert not CLOCK_CALLS & set(calls)
