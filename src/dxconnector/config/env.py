"""Tiny typed readers for settings that come from the environment.

Every reader records a problem instead of raising at once, so that
``dxconnector check`` can report every configuration mistake in one go;
``Env.raise_problems()`` then fails loudly with all of them.
"""

from __future__ import annotations

import builtins
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# A host name or IPv4 address, or an IPv6 address in brackets, and an optional port.
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigurationError(ImproperlyConfigured):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Configuration problems:\n" + "\n".join(f"  - {p}" for p in problems))


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None):
        self.environ = os.environ if environ is None else environ
        self.problems: list[str] = []

    def _raw(self, name: str, default: object) -> str | None:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            if default is REQUIRED:
                self.problems.append(f"{name} is required but not set.")
            return None
        return value.strip()

    def str(self, name: str, default: str | _Required = REQUIRED) -> str:
        value = self._raw(name, default)
        if value is None:
            return "" if default is REQUIRED else default  # type: ignore[return-value]
        return value

    def bool(self, name: str, default: bool) -> bool:
        value = self._raw(name, default)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        self.problems.append(f"{name} must be a boolean (true/false, 1/0, yes/no), got {value!r}.")
        return default

    def int(self, name: str, default: int, minimum: int | None = None) -> int:
        value = self._raw(name, default)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            self.problems.append(f"{name} must be a whole number, got {value!r}.")
            return default
        if minimum is not None and number < minimum:
            self.problems.append(f"{name} must be at least {minimum}, got {number}.")
            return default
        return number

    def list(self, name: str, default: list[str] | _Required = REQUIRED) -> list[str]:
        value = self._raw(name, default)
        if value is None:
            return [] if default is REQUIRED else list(default)  # type: ignore[arg-type]
        return [item.strip() for item in value.split(",") if item.strip()]

    def networks(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]:
        """Comma-separated IP addresses or networks in CIDR notation (`127.0.0.1`, `10.0.0.0/8`, `::1`), each
        written back in its canonical form; an entry that is neither is a problem (a network with host bits set,
        `10.0.0.1/8`, too: it is more likely a mistake than a network)."""
        networks = []
        for entry in self.list(name, default):
            try:
                networks.append(str(ipaddress.ip_network(entry)))
            except ValueError:
                self.problems.append(f"{name} must list IP addresses or networks (10.0.0.0/8), got {entry!r}.")
        return networks

    def hosts(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]:
        """Comma-separated host names or addresses, each with an optional port (`contoso.example`, `127.0.0.1:9414`,
        `[::1]:8443`), lower-cased; anything else (a URL, a path, a space inside) is a problem."""
        hosts = []
        for entry in self.list(name, default):
            host = builtins.str(entry).lower()
            if _HOST.fullmatch(host):
                hosts.append(host)
            else:
                self.problems.append(f"{name} must list host names, each with an optional port (host:8443), got {entry!r}.")
        return hosts

    def url(
        self,
        name: builtins.str,
        default: builtins.str | _Required = REQUIRED,
        schemes: tuple[builtins.str, ...] = ("http", "https"),
        *,
        require_https: builtins.bool = False,
    ) -> builtins.str:
        """A URL with one of `schemes`; with `require_https`, plain http only to this machine (localhost, 127.0.0.1,
        [::1]), where nothing crosses a network."""
        value = self.str(name, default)
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in schemes or not (parts.netloc or parts.path):
            self.problems.append(
                f"{name} must be a URL starting with one of {', '.join(s + '://' for s in schemes)}, got {value!r}."
            )
        elif require_https and parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
            self.problems.append(
                f"{name} must be an https URL when DEBUG is off (plain http only on this machine: localhost, 127.0.0.1, "
                f"[::1]), got {value!r}."
            )
        return value.rstrip("/")

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def raise_problems(self) -> None:
        if self.problems:
            raise ConfigurationError(list(self.problems))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class EmailSettings:
    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    file_path: str = ""


_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
}


def parse_email_url(url: str) -> EmailSettings:
    """``console://``, ``file:///dir``, ``smtp://user:pass@host:587`` (STARTTLS), ``smtps://…:465``.

    ``?tls=0`` turns STARTTLS off for a plain relay on localhost.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _EMAIL_BACKENDS:
        raise ValueError(f"unknown email scheme {scheme!r}; use one of {', '.join(sorted(_EMAIL_BACKENDS))}")
    backend = _EMAIL_BACKENDS[scheme]
    if scheme == "file":
        if not parts.path:
            raise ValueError("file:// email URL needs a directory, e.g. file:///var/mail/outbox")
        return EmailSettings(backend=backend, file_path=unquote(parts.path))
    if scheme not in ("smtp", "smtps"):
        return EmailSettings(backend=backend)
    if not parts.hostname:
        raise ValueError("SMTP email URL needs a host, e.g. smtp://user:password@mail.example.com:587")
    query = parse_qs(parts.query)
    ssl = scheme == "smtps"
    tls = not ssl and query.get("tls", ["1"])[0] not in _FALSE
    return EmailSettings(
        backend=backend,
        host=parts.hostname,
        port=parts.port or (465 if ssl else 587),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=tls,
        use_ssl=ssl,
    )
