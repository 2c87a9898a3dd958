"""The read side's query language: `where`, `order`, paging and the id/number/status filters.

`where` is the subset of Xero's (.NET Dynamic LINQ) filter syntax that integrations use:
`Status=="DRAFT" AND Type=="ACCREC"`, `Contact.ContactID==Guid("…")`, `Date>=DateTime(2024, 01, 31)`,
`IsSold==true`, `Name.Contains("Ltd")`, `!=`, `<`, `<=`, `>`, `>=`, `OR`, `NOT`, `&&`, `||`,
parentheses and `null`. Field names are matched case-insensitively and string comparisons ignore case,
as Xero's database collation does.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from dxsandbox.xero.api.accounting.dates import BadDate, parse_moment

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class QueryError(ValueError):
    pass


# --- parameters --------------------------------------------------------------------------------
def parse_bool(value: str | None, default: bool = False) -> bool:
    """The SDK sends Python's `True`/`False`; browsers and curl send `true`/`false`."""
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("true", "1", "yes")


def parse_csv(value: str | None) -> list[str]:
    """`IDs=a,b` or `InvoiceNumbers="INV-1","INV-2"`: both spellings are common."""
    if not value:
        return []
    return [item.strip().strip('"').strip("'").strip() for item in value.split(",") if item.strip().strip('"').strip()]


def parse_guids(value: str | None) -> list[str]:
    """`IDs=` and `ContactIDs=`: GUIDs in their canonical form, however they were written. Xero reads a GUID with or
    without dashes or braces (clients such as pyxero send `UUID.hex`), as `/Invoices/{id}` does here too; anything
    that is no GUID is kept as written, and so matches nothing."""
    return [_canonical_guid(item) for item in parse_csv(value)]


def _canonical_guid(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def parse_page(page: str | None, page_size: str | None) -> Page | None:
    """None when the caller did not ask for a page (then everything is returned, without pagination)."""
    if page is None or page.strip() == "":
        return None
    try:
        number = max(1, int(page))
        size = DEFAULT_PAGE_SIZE if not page_size else int(page_size)
    except ValueError:
        raise QueryError("page and pageSize must be whole numbers") from None
    return Page(number, min(max(size, 1), MAX_PAGE_SIZE))


def paginate(records: list[dict[str, Any]], page: Page) -> tuple[list[dict[str, Any]], dict[str, int]]:
    return records[page.offset : page.offset + page.size], pagination(len(records), page)


def pagination(item_count: int, page: Page) -> dict[str, int]:
    return {"page": page.number, "pageSize": page.size, "pageCount": math.ceil(item_count / page.size), "itemCount": item_count}


# --- values ------------------------------------------------------------------------------------
def lookup(record: Any, path: list[str]) -> Any:
    value = record
    for name in path:
        if not isinstance(value, dict):
            return None
        wanted = name.casefold()
        value = next((item for key, item in value.items() if key.casefold() == wanted), None)
    return value


def _as_moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_moment(value)
        except BadDate:
            return None
    return None


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Both sides in one type, or None when they cannot be compared."""
    if isinstance(left, datetime) or isinstance(right, datetime):
        left, right = _as_moment(left), _as_moment(right)
        return None if left is None or right is None else (left, right)
    if isinstance(left, bool) or isinstance(right, bool):
        if isinstance(left, str):
            left = left.lower() == "true"
        if isinstance(right, str):
            right = right.lower() == "true"
        return (left, right) if isinstance(left, bool) and isinstance(right, bool) else None
    if isinstance(left, (int, float, Decimal)) or isinstance(right, (int, float, Decimal)):
        left, right = _as_number(left), _as_number(right)
        return None if left is None or right is None else (left, right)
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold(), right.casefold()
    return None


def _compare(operator: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        if operator in ("==", "="):
            return left is None and right is None
        if operator == "!=":
            return not (left is None and right is None)
        return False
    pair = _comparable(left, right)
    if pair is None:
        return operator == "!="
    a, b = pair
    return {"==": a == b, "=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]


# --- where: tokens -------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"""
    \s*(?:
      (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op>==|!=|<=|>=|&&|\|\||[<>=!(),.])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)

Node = Callable[[dict[str, Any]], Any]


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise QueryError(f"Syntax error in where clause near '{text[position : position + 20]}'")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append((kind, value))
        position = match.end()
    return tokens


_METHODS: dict[str, Callable[..., Any]] = {
    "contains": lambda subject, part: isinstance(subject, str) and str(part).casefold() in subject.casefold(),
    "startswith": lambda subject, part: isinstance(subject, str) and subject.casefold().startswith(str(part).casefold()),
    "endswith": lambda subject, part: isinstance(subject, str) and subject.casefold().endswith(str(part).casefold()),
    "tolower": lambda subject: subject.lower() if isinstance(subject, str) else subject,
    "toupper": lambda subject: subject.upper() if isinstance(subject, str) else subject,
    "trim": lambda subject: subject.strip() if isinstance(subject, str) else subject,
    "equals": lambda subject, other: _compare("==", subject, other),
}


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.position = 0

    def parse(self) -> Node:
        node = self.expression()
        if self.position != len(self.tokens):
            raise QueryError(f"Syntax error in where clause near '{self.tokens[self.position][1]}'")
        return node

    # helpers
    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise QueryError("Unexpected end of where clause")
        self.position += 1
        return token

    def accept(self, *values: str) -> str | None:
        token = self.peek()
        if token and token[0] in ("op", "name") and token[1].upper() in values:
            self.position += 1
            return token[1].upper()
        return None

    def expect(self, value: str) -> None:
        if not self.accept(value):
            raise QueryError(f"'{value}' expected in where clause")

    # grammar
    def expression(self) -> Node:
        node = self.conjunction()
        while self.accept("OR", "||"):
            left, right = node, self.conjunction()
            node = lambda record, a=left, b=right: bool(a(record)) or bool(b(record))  # noqa: E731
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while self.accept("AND", "&&"):
            left, right = node, self.negation()
            node = lambda record, a=left, b=right: bool(a(record)) and bool(b(record))  # noqa: E731
        return node

    def negation(self) -> Node:
        if self.accept("NOT", "!"):
            inner = self.negation()
            return lambda record: not inner(record)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        operator = self.accept("==", "!=", "<=", ">=", "<", ">", "=")
        if operator is None:
            return left
        right = self.operand()
        return lambda record: _compare(operator, left(record), right(record))

    def operand(self) -> Node:
        kind, value = self.take()
        if kind == "op" and value == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if kind == "string":
            return lambda record: value
        if kind == "number":
            number = Decimal(value)
            return lambda record: number
        if kind != "name":
            raise QueryError(f"Syntax error in where clause near '{value}'")
        keyword = value.lower()
        if keyword in ("true", "false"):
            return lambda record: keyword == "true"
        if keyword == "null":
            return lambda record: None
        if keyword == "guid" and self.accept("("):
            return self.guid()
        if keyword == "datetime" and self.peek() in (("op", "("), ("op", ".")):
            return self.datetime_literal()
        return self.path(value)

    def guid(self) -> Node:
        kind, text = self.take()
        self.expect(")")
        if kind != "string" or not re.fullmatch(r"[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}", text.strip("{}")):
            raise QueryError(f"Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx): {text}")
        guid = text.strip("{}").lower()
        return lambda record: guid

    def datetime_literal(self) -> Node:
        if self.accept("."):  # DateTime.Parse("2024-01-31")
            _kind, _name = self.take()
            self.expect("(")
            kind, text = self.take()
            self.expect(")")
            try:
                moment = parse_moment(text)
            except BadDate as error:
                raise QueryError(str(error)) from None
            return lambda record: moment
        self.expect("(")
        parts = []
        while True:
            kind, text = self.take()
            if kind != "number":
                raise QueryError("DateTime(year, month, day[, hour, minute, second]) takes numbers")
            parts.append(int(Decimal(text)))
            if not self.accept(","):
                break
        self.expect(")")
        if len(parts) not in (3, 6):
            raise QueryError("DateTime(year, month, day[, hour, minute, second]) takes three or six numbers")
        try:
            moment = datetime(*parts, tzinfo=UTC)
        except ValueError as error:
            raise QueryError(f"Invalid DateTime: {error}") from None
        return lambda record: moment

    def path(self, first: str) -> Node:
        names, calls = [first], []
        while self.accept("."):
            kind, name = self.take()
            if kind != "name":
                raise QueryError(f"Syntax error in where clause near '.{name}'")
            if self.accept("("):
                method = _METHODS.get(name.lower())
                if method is None:
                    raise QueryError(f"No applicable method '{name}' exists")
                calls.append((method, self.arguments()))
            elif calls:
                raise QueryError(f"Syntax error in where clause near '.{name}'")
            else:
                names.append(name)

        def evaluate(record: dict[str, Any]) -> Any:
            value = lookup(record, names)
            for method, arguments in calls:
                value = method(value, *(argument(record) for argument in arguments))
            return value

        return evaluate

    def arguments(self) -> list[Node]:
        arguments: list[Node] = []
        if self.accept(")"):
            return arguments
        while True:
            arguments.append(self.expression())
            if self.accept(")"):
                return arguments
            self.expect(",")


def compile_where(text: str | None) -> Node | None:
    if text is None or text.strip() == "":
        return None
    return _Parser(text).parse()


# --- order -------------------------------------------------------------------------------------
def _sort_value(value: Any) -> tuple[int, Any]:
    moment = _as_moment(value) if isinstance(value, str) and value.startswith("/Date(") else None
    if value is None:
        return (0, 0)
    if moment is not None:
        return (1, moment.timestamp())
    if isinstance(value, bool):
        return (2, int(value))
    if isinstance(value, (int, float, Decimal)):
        return (2, Decimal(str(value)))
    return (3, str(value).casefold())


def apply_order(records: list[dict[str, Any]], order: str | None) -> list[dict[str, Any]]:
    """`Name ASC`, `UpdatedDateUTC DESC`, or several, comma-separated."""
    if not order or not order.strip():
        return records
    keys = []
    for part in order.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise QueryError(f"Invalid order clause '{order}': expected 'Field ASC' or 'Field DESC'")
        keys.append((words[0].split("."), len(words) == 2 and words[1].upper() == "DESC"))
    ordered = list(records)
    for path, descending in reversed(keys):
        ordered.sort(key=lambda record, p=path: _sort_value(lookup(record, p)), reverse=descending)
    return ordered


# --- everything together ----------------------------------------------------------------------------
def matches_any(value: Any, wanted: Iterable[str]) -> bool:
    folded = {str(item).casefold() for item in wanted}
    return value is not None and str(value).casefold() in folded
