"""Writes docs/rules.md from the code: every reason code the connector gives (`rules.Why`), the words it says, and the
functions that give it. Run `python scripts/rules_doc.py > docs/rules.md`; a test fails when the file is not current.

It reads the source, not the running code: a reason is found where a `Why` member is named in a function, with the
text it goes with — the `Reason(...)` it builds, or the `reason=` beside a `code=` — and f-string parts are shown as
‹what goes there›.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src" / "dxconnector"
REASONS = SOURCE / "domain" / "rules" / "reasons.py"


@dataclass(frozen=True)
class Use:
    where: str  # module.function
    text: str


def members() -> list[tuple[str, str, str]]:
    """The `Why` members in order: (name, code, the comment beside it)."""
    source = REASONS.read_text()
    tree = ast.parse(source)
    lines = source.splitlines()
    why = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Why")
    found = []
    for node in why.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            line = lines[node.lineno - 1]
            comment = line.split("#", 1)[1].strip() if "#" in line else ""
            found.append((node.targets[0].id, str(node.value.value), comment))
    return found


def words(node: ast.AST | None, constants: dict[str, ast.AST]) -> str:
    """A text as written: literals as they are, f-string parts as ‹expression›, module constants looked up."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            words(part if isinstance(part, ast.Constant) else part.value, constants)
            for part in node.values
            if isinstance(part, ast.Constant | ast.FormattedValue)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return words(node.left, constants) + words(node.right, constants)
    if isinstance(node, ast.Name | ast.Attribute) and ast.unparse(node) in constants:
        return words(constants[ast.unparse(node)], constants)
    return f"‹{ast.unparse(node)}›"


def _properties(tree: ast.Module) -> dict[str, ast.AST]:
    """What each property of the module's classes returns, by name: `self.reason` read in a method of its class."""
    found = {}
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        for method in (node for node in cls.body if isinstance(node, ast.FunctionDef)):
            returned = [node.value for node in ast.walk(method) if isinstance(node, ast.Return) and node.value is not None]
            if any(isinstance(d, ast.Name) and d.id == "property" for d in method.decorator_list) and len(returned) == 1:
                found[f"self.{method.name}"] = returned[0]
    return found


def _code_of(node: ast.AST) -> str | None:
    """`Why.X` or `Why.X.value` → X."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Why":
        return node.attr
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "Why":
        return node.attr  # rules.Why.X
    return None


def uses(path: Path) -> list[tuple[str, Use]]:
    tree = ast.parse(path.read_text())
    module = ".".join(path.relative_to(SOURCE).with_suffix("").parts)
    constants = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    constants.update(_properties(tree))
    found: list[tuple[str, Use]] = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        for call in ast.walk(function):
            if not isinstance(call, ast.Call):
                continue
            where = f"{module}.{function.name}"
            if call.args and (code := _code_of(call.args[0])):
                found.append((code, Use(where, words(call.args[1] if len(call.args) > 1 else None, constants))))
                continue
            keywords = {keyword.arg: keyword.value for keyword in call.keywords}
            for name, value in keywords.items():
                if name in ("code", "reason_code") and (code := _code_of(value)):
                    found.append((code, Use(where, words(keywords.get("reason"), constants))))
            for position, argument in enumerate(call.args[1:], start=1):  # Attempt(kind, id, outcome, Why.X.value, text)
                if (code := _code_of(argument)) and position + 1 < len(call.args):
                    found.append((code, Use(where, words(call.args[position + 1], constants))))
    return found


def catalogue() -> str:
    by_code: dict[str, list[Use]] = defaultdict(list)
    for path in sorted(SOURCE.rglob("*.py")):
        for code, use in uses(path):
            if use not in by_code[code]:
                by_code[code].append(use)
    lines = [
        "# Reasons a record is held back or fails",
        "",
        "Generated from the code by `python scripts/rules_doc.py > docs/rules.md` (a test keeps it current). Each",
        "reason code the connector records (`rules.Why`), what it says — ‹…› marks what is filled in — and the",
        "functions that give it. The same words reach the sync history in Dynamics, the portal's history, the dry run",
        "(`dxconnector sync --dry-run --invoice ID`) and `dxconnector verify`.",
        "",
    ]
    for name, code, comment in members():
        lines.append(f"## `{code}`")
        lines.append("")
        if comment:
            lines += [comment[0].upper() + comment[1:] + ".", ""]
        if not by_code.get(name):
            lines += ["Not given by the code any more.", ""]
        for use in by_code.get(name, []):
            known = use.text and not (use.text.startswith("‹") and use.text.endswith("›") and use.text.count("‹") == 1)
            lines.append(f"- `{use.where}`" + (f": {use.text}" if known else ""))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(catalogue())
