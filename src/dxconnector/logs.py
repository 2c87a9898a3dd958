"""The connector's log lines: one JSON object a line (or plain text), what they carry about where they were said (the
web request's id, the sync run and its connection), and what they never carry (tokens, secrets, codes, Authorization
headers).

- Context: `scope(...)` opens a context for a block (a sync run, a job), `bind(...)` adds to the one open; the
  `ContextFilter` on the handler copies it onto each record as `request_id`, `run_id`, `connection_id`. It lives in a
  `contextvars.ContextVar`, so threads and requests never see each other's.
- Redaction: both formatters pass every finished line through `redact`, which removes the values of credential-like
  fields (`access_token=…`, `"refresh_token": "…"`, `code=…`, `client_secret`, passwords), `Authorization:` values,
  bearer tokens, JWTs and passwords in URLs, and any of the deployment's own secrets named in the settings, wherever
  they appear: message, exception or extra field. The HTTP libraries' loggers, whose debug lines carry URLs, headers
  and bodies (records' names and amounts), stay at WARNING whatever LOG_LEVEL says (`QUIET`).

`config()` builds the `LOGGING` dictionary the settings hand to Django.
"""

from __future__ import annotations

import contextvars
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

CONTEXT_FIELDS = ("request_id", "run_id", "connection_id")
_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("dxconnector_log_context", default={})  # noqa: B039

P = ParamSpec("P")
R = TypeVar("R")

# Loggers held at WARNING whatever LOG_LEVEL says: their INFO and DEBUG lines carry what must not be logged.
QUIET = {
    "django.db.backends": "WARNING",  # SQL with its parameters
    "axes": "WARNING",
    "httpx": "WARNING",  # a line per request, with its URL and query ($filter values)
    "httpcore": "WARNING",
    "urllib3": "WARNING",  # the Xero SDK's and MSAL's requests: URLs with their query (where=Name=="…")
    "requests": "WARNING",
    "msal": "WARNING",  # token requests and the token cache
    "xero_python": "WARNING",
}


# --- context ---------------------------------------------------------------------------------------------------------


def context() -> dict[str, str]:
    return dict(_context.get())


@contextmanager
def scope(**fields: Any) -> Iterator[None]:
    """Log lines said in the block carry `fields` (and what `bind` adds inside it); afterwards, what was before."""
    token = _context.set({**_context.get(), **_fields(fields)})
    try:
        yield
    finally:
        _context.reset(token)


def scoped(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` in a context of its own: what it binds is gone when it returns."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return contextvars.copy_context().run(function, *args, **kwargs)

    return run


def bind(**fields: Any) -> None:
    """Add `fields` to the context open in this thread (a `scope`'s, or the request's) until it closes."""
    _context.set({**_context.get(), **_fields(fields)})


def begin_request(request_id: str) -> None:
    """A web request starts: its lines carry its id, and nothing of an earlier request's context."""
    _context.set({"request_id": request_id})


def end_request() -> None:
    _context.set({})


def _fields(fields: dict[str, Any]) -> dict[str, str]:
    return {name: str(value) for name, value in fields.items() if value is not None and value != ""}


class ContextFilter(logging.Filter):
    """Copies the context (request id, run id, connection id) onto each record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


# --- redaction -------------------------------------------------------------------------------------------------------

_SECRET_KEYS = (
    r"access_token|refresh_token|id_token|client_secret|client_assertion|code_verifier|code|password|passwd|secret|token"
    r"|api_key|apikey|webhook_key|signing_key|encryption_keys?|secret_key"
)
# `key=value`, `key: value`, `"key": "value"`, also inside JSON quoted once more (\"key\": \"value\").
_KEY_VALUE = re.compile(
    rf"(?i)(?<![A-Za-z0-9_])((?:{_SECRET_KEYS})(?:\\?[\"'])?\s*[:=]\s*(?:\\?[\"'])?)([^\s\"'\\&,;}}\[\])]+)",
)
_AUTHORIZATION = re.compile(r"(?i)(authorization(?:\\?[\"'])?\s*[:=]\s*(?:\\?[\"'])?)([^\"'\\\r\n,}]+)")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9\-._~+/]{8,}=*")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_URL_PASSWORD = re.compile(r"(://[^/\s:@\"']+:)[^@\s/\"']+@")
REDACTED = "[redacted]"
_SHORTEST_SECRET = 8  # a configured "secret" shorter than this would blank out ordinary words


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without any credential found in it (see the module's docstring)."""
    for secret in secrets:
        if len(secret) >= _SHORTEST_SECRET:
            text = text.replace(secret, REDACTED)
    text = _AUTHORIZATION.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    text = _JWT.sub(REDACTED, text)
    text = _KEY_VALUE.sub(lambda m: m.group(1) + REDACTED, text)
    return _URL_PASSWORD.sub(lambda m: m.group(1) + REDACTED + "@", text)


# --- formatters ------------------------------------------------------------------------------------------------------

# Record attributes never written out: Django's request object (its repr carries the query string: an OAuth callback's
# code) and the WSGI server's socket.
_NEVER_WRITTEN = ("request", "server_time", "socket")


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: `time` (UTC, ISO 8601), `level`, `logger`, `message`, then the context (`request_id`,
    `run_id`, `connection_id`) and any extra field; `exc_info` holds a traceback. Redacted (see `redact`)."""

    def __init__(self, secrets: Iterable[str] = (), **kwargs: Any):
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "taskName", *_NEVER_WRITTEN])
        super().__init__(**kwargs)
        self.secrets = tuple(secrets)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        super().add_fields(log_data, record, message_dict)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


class PlainFormatter(logging.Formatter):
    """`time level logger message [request_id=… run_id=… connection_id=…]`, then any traceback. Redacted."""

    def __init__(self, secrets: Iterable[str] = (), fmt: str = "%(asctime)s %(levelname)s %(name)s %(message)s", **kwargs: Any):
        super().__init__(fmt, **kwargs)
        self.secrets = tuple(secrets)

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        found = " ".join(f"{name}={value}" for name in CONTEXT_FIELDS if (value := getattr(record, name, None)))
        return f"{line} [{found}]" if found else line

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


FORMATS = ("json", "plain")


def config(level: str = "INFO", fmt: str = "json", secrets: Iterable[str] = (), stream: Any = None) -> dict[str, Any]:
    """The `LOGGING` dictionary: every line through one handler on stderr (or `stream`), in `fmt`, with the context
    filter; the root and Django's loggers at `level`, the `QUIET` ones at WARNING. `secrets`: values never written."""
    handler: dict[str, Any] = {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["context"]}
    if stream is not None:
        handler["stream"] = stream
    kept = sorted({secret for secret in secrets if secret})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {
            "json": {"()": JsonFormatter, "secrets": kept},
            "plain": {"()": PlainFormatter, "secrets": kept},
        },
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        # Django's own loggers write through the one handler too (not its console and mail_admins handlers, unredacted).
        "loggers": {"django": {"handlers": [], "level": level}, **{name: {"level": quiet} for name, quiet in QUIET.items()}},
    }
