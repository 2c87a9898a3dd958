"""The Idempotency-Key header: a retried write gets the first answer again instead of a second write.

Keys belong to an app (client id), live six minutes and are at most 128 characters. The same key with
the same request replays the cached response (errors included); with a different request it is a 400.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEY_LENGTH = 128
TIME_TO_LIVE_SECONDS = 6 * 60


@dataclass(frozen=True)
class CachedResponse:
    status_code: int
    body: bytes
    media_type: str | None


@dataclass(frozen=True)
class _Entry:
    fingerprint: str
    response: CachedResponse
    expires_at: float


class KeyReused(Exception):
    """The key was already used for a different request."""


def fingerprint(method: str, path: str, query: list[tuple[str, str]], tenant_id: str, body: bytes) -> str:
    """What makes two requests "the same": method, path, query, tenant and body (JSON compared by content)."""
    try:
        canonical_body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode() if body.strip() else b""
    except ValueError:
        canonical_body = body
    digest = hashlib.sha256()
    for part in (method.upper(), path.lower(), json.dumps(sorted(query)), tenant_id.lower()):
        digest.update(part.encode() + b"\0")
    digest.update(canonical_body)
    return digest.hexdigest()


class IdempotencyCache:
    def __init__(self, now: Callable[[], float] = time.monotonic, ttl_seconds: float = TIME_TO_LIVE_SECONDS):
        self._now = now
        self._ttl = ttl_seconds
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()

    def replay(self, client_id: str, key: str, request_fingerprint: str) -> CachedResponse | None:
        """The cached answer to this request, None if there is none; KeyReused if the key meant another request."""
        with self._lock:
            self._forget_expired()
            entry = self._entries.get((client_id, key))
        if entry is None:
            return None
        if entry.fingerprint != request_fingerprint:
            raise KeyReused(key)
        return entry.response

    def remember(self, client_id: str, key: str, request_fingerprint: str, response: CachedResponse) -> None:
        with self._lock:
            self._entries[(client_id, key)] = _Entry(request_fingerprint, response, self._now() + self._ttl)

    def _forget_expired(self) -> None:
        now = self._now()
        for cache_key in [cache_key for cache_key, entry in self._entries.items() if entry.expires_at <= now]:
            del self._entries[cache_key]
