"""Xero names time zones the Windows way, squashed and upper-cased (NEWZEALANDSTANDARDTIME).

The Windows → IANA table is CLDR's, as shipped in `tzlocal`; two zones Xero lists that CLDR keeps
under other names are added here.
"""

from __future__ import annotations

import re
from functools import cache

from tzlocal.windows_tz import win_tz

_EXTRA = {
    "KAMCHATKASTANDARDTIME": "Asia/Kamchatka",
    "MIDATLANTICSTANDARDTIME": "Etc/GMT+2",
}


def _squash(windows_name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", windows_name.upper())


@cache
def _table() -> dict[str, str]:
    return {**{_squash(name): iana for name, iana in win_tz.items()}, **_EXTRA}


def iana_for_xero(xero_timezone: str) -> str | None:
    """IANA name for a Xero organisation's time zone, or None when it is unknown."""
    return _table().get(_squash(xero_timezone or ""))
