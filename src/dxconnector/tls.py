"""Outbound HTTPS trust: the CA_BUNDLE file when one is configured, the system store otherwise."""

from __future__ import annotations

import ssl
from functools import cache


@cache
def verify(ca_bundle: str = "") -> ssl.SSLContext | bool:
    """What to pass as httpx's `verify`: a context trusting exactly `ca_bundle`, or True."""
    return ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True
