"""OData `$filter` expressions: lexer, parser and a compiler to Python predicates.

Supported: `eq ne gt ge lt le`, `and or not`, parentheses, `contains/startswith/endswith`, the literals
null, true/false, numbers, 'strings' ('' escapes a quote), unquoted guids, dates and date-times,
parameter aliases (`@p1`), single-valued navigation paths (`customerid_account/name`), and the query
functions Microsoft.Dynamics.CRM.In/NotIn/Between/NotBetween/Null/NotNull/EqualUserId.

Comparison follows SQL Server as Dataverse uses it (collation Latin1_General_CI_AI): strings compare
case- and accent-insensitively ('Café' eq 'CAFE', Å sorts with A), and a
comparison with a null value is unknown (so `revenue gt 5` and `name ne 'x'` skip rows without a
value), except the explicit `eq null` / `ne null` tests. A predicate returns True, False or None
(unknown); a query keeps the rows for which it is True.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from dxsandbox.microsoft.dataverse.errors import bad_request

Row = Any
Getter = Callable[[Row], Any]
Predicate = Callable[[Row], bool | None]

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
STRING_FUNCTIONS = ("contains", "startswith", "endswith")
QUERY_FUNCTION_PREFIX = "microsoft.dynamics.crm."

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?"
_DATE = r"\d{4}-\d{2}-\d{2}"
_TOKEN = re.compile(
    rf"""(?P<ws>\s+)
    |(?P<string>'(?:[^']|'')*')
    |(?P<guid>{_GUID})(?![\w-])
    |(?P<datetime>{_DATETIME})
    |(?P<date>{_DATE})(?![\w:])
    |(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?)(?![\w])
    |(?P<alias>@[A-Za-z_]\w*)
    |(?P<name>[A-Za-z_$][\w.$]*(?:/[A-Za-z_$][\w.$]*)*)
    |(?P<punct>[(),\[\]=])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise bad_request(f"Syntax error at position {position} in '{text}'.")
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    return tokens


# --- the tree ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: Any
    kind: str  # string | number | boolean | null | guid | datetime | date | list


@dataclass(frozen=True)
class Property:
    path: tuple[str, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Logical:
    op: str  # and | or
    left: Any
    right: Any


@dataclass(frozen=True)
class Not:
    operand: Any


@dataclass(frozen=True)
class Call:
    name: str  # lower-case
    args: tuple[Any, ...]


@dataclass(frozen=True)
class QueryFunction:
    name: str  # without the Microsoft.Dynamics.CRM. prefix, lower-case
    params: dict[str, Any]


class Parser:
    def __init__(self, text: str, aliases: Mapping[str, str] | None = None):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.aliases = aliases or {}

    def parse(self) -> Any:
        if not self.tokens:
            raise bad_request("The $filter expression is empty.")
        node = self._or()
        if self.index < len(self.tokens):
            token = self.tokens[self.index]
            raise bad_request(f"Syntax error at position {token.position} in '{self.text}'.")
        return node

    # --- helpers
    def _peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _keyword(self, *words: str) -> str | None:
        token = self._peek()
        if token is not None and token.kind == "name" and token.text.lower() in words:
            self.index += 1
            return token.text.lower()
        return None

    def _expect(self, text: str) -> None:
        token = self._peek()
        if token is None or token.text != text:
            position = token.position if token else len(self.text)
            raise bad_request(f"Syntax error: '{text}' expected at position {position} in '{self.text}'.")
        self.index += 1

    # --- grammar
    def _or(self) -> Any:
        node = self._and()
        while self._keyword("or"):
            node = Logical("or", node, self._and())
        return node

    def _and(self) -> Any:
        node = self._not()
        while self._keyword("and"):
            node = Logical("and", node, self._not())
        return node

    def _not(self) -> Any:
        if self._keyword("not"):
            return Not(self._not())
        return self._comparison()

    def _comparison(self) -> Any:
        left = self._primary()
        op = self._keyword(*COMPARISONS)
        if op is None:
            return left
        return Compare(op, left, self._primary())

    def _primary(self) -> Any:
        token = self._peek()
        if token is None:
            raise bad_request(f"Syntax error: unexpected end of '{self.text}'.")
        if token.text == "(":
            self.index += 1
            node = self._or()
            self._expect(")")
            return node
        if token.text == "[":
            return self._list()
        if token.kind == "alias":
            self.index += 1
            if token.text not in self.aliases:
                raise bad_request(f"The parameter alias '{token.text}' has no value.")
            return parse_literal(self.aliases[token.text])
        if token.kind == "name":
            return self._name(token)
        self.index += 1
        return literal_from_token(token)

    def _list(self) -> Literal:
        self._expect("[")
        items = []
        while self._peek() is not None and self._peek().text != "]":  # type: ignore[union-attr]
            items.append(self._primary())
            if self._peek() is not None and self._peek().text == ",":  # type: ignore[union-attr]
                self.index += 1
        self._expect("]")
        return Literal(tuple(item.value if isinstance(item, Literal) else item for item in items), "list")

    def _name(self, token: Token) -> Any:
        self.index += 1
        lowered = token.text.lower()
        if lowered in ("null", "true", "false"):
            return Literal(None, "null") if lowered == "null" else Literal(lowered == "true", "boolean")
        following = self._peek()
        if following is not None and following.text == "(":
            if lowered.startswith(QUERY_FUNCTION_PREFIX):
                return self._query_function(lowered[len(QUERY_FUNCTION_PREFIX) :])
            return self._call(lowered)
        return Property(tuple(token.text.split("/")))

    def _call(self, name: str) -> Call:
        if name not in STRING_FUNCTIONS:
            raise bad_request(f"The function '{name}' is not supported.")
        self._expect("(")
        args = [self._or()]
        while self._peek() is not None and self._peek().text == ",":  # type: ignore[union-attr]
            self.index += 1
            args.append(self._or())
        self._expect(")")
        return Call(name, tuple(args))

    def _query_function(self, name: str) -> QueryFunction:
        self._expect("(")
        params: dict[str, Any] = {}
        while self._peek() is not None and self._peek().text != ")":  # type: ignore[union-attr]
            key = self._peek()
            if key is None or key.kind != "name":
                raise bad_request(f"Syntax error in the parameters of {name} in '{self.text}'.")
            self.index += 1
            self._expect("=")
            value = self._primary()
            params[key.text.lower()] = value.value if isinstance(value, Literal) else value
            if self._peek() is not None and self._peek().text == ",":  # type: ignore[union-attr]
                self.index += 1
        self._expect(")")
        return QueryFunction(name, params)


def literal_from_token(token: Token) -> Literal:
    if token.kind == "string":
        return Literal(token.text[1:-1].replace("''", "'"), "string")
    if token.kind == "guid":
        return Literal(token.text.lower(), "guid")
    if token.kind == "datetime":
        return Literal(canonical_datetime(token.text), "datetime")
    if token.kind == "date":
        return Literal(token.text, "date")
    if token.kind == "number":
        text = token.text.rstrip("mMdDfFlL")
        return Literal(float(text) if any(c in text for c in ".eE") else int(text), "number")
    raise bad_request(f"Syntax error at position {token.position}: unexpected '{token.text}'.")


def parse_literal(text: str) -> Literal:
    """A stand-alone literal (a parameter alias value, a key value in a URL)."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        parser = Parser(text)
        return parser._list()
    tokens = tokenize(text)
    if len(tokens) != 1:
        raise bad_request(f"'{text}' is not a valid literal.")
    token = tokens[0]
    if token.kind == "name" and token.text.lower() in ("null", "true", "false"):
        lowered = token.text.lower()
        return Literal(None, "null") if lowered == "null" else Literal(lowered == "true", "boolean")
    return literal_from_token(token)


def parse_filter(text: str, aliases: Mapping[str, str] | None = None) -> Any:
    return Parser(text, aliases).parse()


# --- values ---------------------------------------------------------------------------------------


def canonical_datetime(text: str) -> str:
    """`2025-01-01T10:00+02:00` → `2025-01-01T08:00:00Z`: the one form stored values take."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_datetime(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return canonical_datetime(value.isoformat())
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00Z"
    text = str(value)
    return text + "T00:00:00Z" if len(text) == 10 else canonical_datetime(text)


def as_date(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)[:10]


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a string (the comparison SQL Server's CI_AI collation makes)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise(value: Any, kind: str | None) -> Any:
    """The form a value compares in, given the kind of column it belongs to (None: infer)."""
    if value is None:
        return None
    if kind in ("String", "Memo", "EntityName"):
        return fold(str(value))
    if kind in ("Uniqueidentifier", "Lookup", "Customer", "Owner", "guid"):
        return str(value).lower()
    if kind == "DateTime":
        return as_datetime(value)
    if kind == "DateOnly":
        return as_date(value)
    if kind == "Boolean":
        return bool(value)
    if kind in ("Integer", "BigInt", "Decimal", "Money", "Double", "Picklist", "State", "Status"):
        if isinstance(value, bool):
            return int(value)
        return float(value) if not isinstance(value, int | float) else value
    if isinstance(value, str):
        return fold(value)
    return value


# --- compiling ------------------------------------------------------------------------------------


class FilterContext(Protocol):
    def getter(self, path: tuple[str, ...]) -> tuple[Getter, str | None]:
        """How to read a property path from a row, and the kind of value it holds (None: unknown)."""

    def user_id(self) -> str | None:
        """The calling user, for EqualUserId."""


def compile_filter(node: Any, context: FilterContext) -> Predicate:
    if isinstance(node, Logical):
        return _logical(node.op, compile_filter(node.left, context), compile_filter(node.right, context))
    if isinstance(node, Not):
        inner = compile_filter(node.operand, context)

        def negate(row: Row) -> bool | None:
            result = inner(row)
            return None if result is None else not result

        return negate
    if isinstance(node, Compare):
        return _comparison(node, context)
    if isinstance(node, Call):
        return _string_function(node, context)
    if isinstance(node, QueryFunction):
        return _query_function(node, context)
    if isinstance(node, Property):
        get, _ = context.getter(node.path)
        return lambda row: None if get(row) is None else bool(get(row))
    if isinstance(node, Literal) and node.kind == "boolean":
        return lambda row: node.value
    raise bad_request("The $filter expression must be a condition.")


def _logical(op: str, left: Predicate, right: Predicate) -> Predicate:
    if op == "and":

        def both(row: Row) -> bool | None:
            a = left(row)
            if a is False:
                return False
            b = right(row)
            if b is False:
                return False
            return None if a is None or b is None else True

        return both

    def either(row: Row) -> bool | None:
        a = left(row)
        if a is True:
            return True
        b = right(row)
        if b is True:
            return True
        return None if a is None or b is None else False

    return either


def _operand(node: Any, context: FilterContext) -> tuple[Getter, str | None, bool]:
    """(getter, kind, is_literal) for one side of a comparison."""
    if isinstance(node, Property):
        get, kind = context.getter(node.path)
        return get, kind, False
    if isinstance(node, Literal):
        return (lambda row, value=node.value: value), node.kind, True
    raise bad_request("Only properties and literals can be compared.")


_KIND_OF_LITERAL = {
    "string": None,
    "number": None,
    "boolean": "Boolean",
    "guid": "guid",
    "datetime": "DateTime",
    "date": "DateOnly",
}

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


def _comparison(node: Compare, context: FilterContext) -> Predicate:
    left, left_kind, left_literal = _operand(node.left, context)
    right, right_kind, right_literal = _operand(node.right, context)
    if node.op in ("eq", "ne") and (_is_null(node.left) or _is_null(node.right)):
        other = right if _is_null(node.left) else left
        wanted_null = node.op == "eq"
        return lambda row: (other(row) is None) == wanted_null
    kind = _comparison_kind(left_kind, left_literal, right_kind, right_literal)
    operator = _OPERATORS[node.op]
    constant_left = normalise(left(None), kind) if left_literal else None
    constant_right = normalise(right(None), kind) if right_literal else None

    def compare(row: Row) -> bool | None:
        a = constant_left if left_literal else normalise(left(row), kind)
        b = constant_right if right_literal else normalise(right(row), kind)
        if a is None or b is None:
            return None
        try:
            return operator(a, b)
        except TypeError:
            raise bad_request(f"The operands of '{node.op}' have incompatible types.") from None

    return compare


def _comparison_kind(left_kind: str | None, left_literal: bool, right_kind: str | None, right_literal: bool) -> str | None:
    """A literal takes the kind of the column it is compared with; two columns compare by the first's kind."""
    if left_literal and right_literal:
        return _KIND_OF_LITERAL.get(left_kind or "")
    if left_literal or right_literal:
        column_kind, literal_kind = (right_kind, left_kind) if left_literal else (left_kind, right_kind)
        return column_kind or _KIND_OF_LITERAL.get(literal_kind or "")
    return left_kind or right_kind


def _is_null(node: Any) -> bool:
    return isinstance(node, Literal) and node.kind == "null"


def _string_function(node: Call, context: FilterContext) -> Predicate:
    if len(node.args) != 2:
        raise bad_request(f"The function '{node.name}' takes two arguments.")
    subject, _, _ = _operand(node.args[0], context)
    pattern, _, _ = _operand(node.args[1], context)
    test = {"contains": lambda a, b: b in a, "startswith": str.startswith, "endswith": str.endswith}[node.name]

    def matches(row: Row) -> bool | None:
        a, b = subject(row), pattern(row)
        if a is None or b is None:
            return None
        return test(fold(str(a)), fold(str(b)))

    return matches


def _query_function(node: QueryFunction, context: FilterContext) -> Predicate:
    name = node.params.get("propertyname")
    if not isinstance(name, str):
        raise bad_request(f"Microsoft.Dynamics.CRM.{node.name} needs PropertyName.")
    get, kind = context.getter(tuple(name.split("/")))
    values = node.params.get("propertyvalues", ())
    values = [normalise(value, kind) for value in (values if isinstance(values, tuple | list) else (values,))]
    if node.name in ("in", "notin"):
        wanted, member = set(values), node.name == "in"
        return lambda row: None if get(row) is None else ((normalise(get(row), kind) in wanted) == member)
    if node.name in ("between", "notbetween"):
        if len(values) != 2:
            raise bad_request(f"Microsoft.Dynamics.CRM.{node.name} needs two PropertyValues.")
        low, high = values
        inside = node.name == "between"
        return lambda row: None if get(row) is None else ((low <= normalise(get(row), kind) <= high) == inside)
    if node.name in ("null", "notnull"):
        wanted_null = node.name == "null"
        return lambda row: (get(row) is None) == wanted_null
    if node.name in ("equaluserid", "notequaluserid"):
        user, same = (context.user_id() or "").lower(), node.name == "equaluserid"
        return lambda row: None if get(row) is None else ((str(get(row)).lower() == user) == same)
    raise bad_request(f"The query function Microsoft.Dynamics.CRM.{node.name} is not supported.")


def equality_terms(node: Any) -> list[tuple[tuple[str, ...], Literal]]:
    """`a eq 1 and b eq 'x'` → [(('a',), 1), (('b',), 'x')]: the terms an index can answer, found among
    the top-level conjunction (the rest of the filter still applies to the rows they select)."""
    if isinstance(node, Logical) and node.op == "and":
        return equality_terms(node.left) + equality_terms(node.right)
    if isinstance(node, Compare) and node.op == "eq":
        if isinstance(node.left, Property) and isinstance(node.right, Literal) and node.right.kind != "null":
            return [(node.left.path, node.right)]
        if isinstance(node.right, Property) and isinstance(node.left, Literal) and node.left.kind != "null":
            return [(node.right.path, node.left)]
    return []
