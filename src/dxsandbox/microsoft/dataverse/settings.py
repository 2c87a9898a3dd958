"""The knobs of one organisation's Web API: limits, page sizes, webhook delivery, seed size."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ServiceProtectionLimits:
    """Per user over a sliding window (FACTS §4). Times are simulated: a `ScaledClock` runs the window."""

    requests: int = 6000
    execution_ms: int = 1_200_000
    concurrent: int = 52
    window_seconds: float = 300.0
    parallelism_hint: int = 4  # x-ms-dop-hint


@dataclass(frozen=True)
class SeedSize:
    accounts: int = 6
    contacts_per_account: int = 1
    products: int = 6
    invoices: int = 4
    lines_per_invoice: int = 3


@dataclass(frozen=True)
class OrgUser:
    """A person or application the organisation knows as a systemuser, with their role names here."""

    object_id: str  # the `oid` of their tokens
    first_name: str
    last_name: str
    email: str = ""
    roles: tuple[str, ...] = ("System Administrator",)
    application_id: str | None = None  # set for application users (app-only tokens carry it as `appid`)
    systemuser_id: str | None = None  # the row id, when the identity side fixes it


@dataclass
class DataverseSettings:
    limits: ServiceProtectionLimits = field(default_factory=ServiceProtectionLimits)
    limits_enabled: bool = True
    seed: SeedSize | None = field(default_factory=SeedSize)  # None: only the reference rows a working org needs
    users: list[OrgUser] | None = None  # None: read them from the identity side's seed
    webhook_timeout: float = 60.0
    webhook_ca_file: Path | str | None = None  # trust for https receivers besides the system store
