"""Simulated time for the sandboxes' limits: one real second counts as `scale` simulated seconds.

With scale 20 a Xero "minute" lasts three real seconds, so tests and benchmarks exercise per-minute and
per-day limits quickly. Token lifetimes stay in real time: the connector computes expiry from the clock
it has.
"""

from __future__ import annotations

import threading
import time


class ScaledClock:
    def __init__(self, scale: float = 1.0):
        self._lock = threading.Lock()
        self._scale = scale
        self._real_origin = time.monotonic()
        self._simulated_origin = 0.0

    @property
    def scale(self) -> float:
        return self._scale

    def now(self) -> float:
        """Simulated seconds since the sandbox started (monotonic)."""
        with self._lock:
            return self._simulated_origin + (time.monotonic() - self._real_origin) * self._scale

    def set_scale(self, scale: float) -> None:
        if scale <= 0:
            raise ValueError("time scale must be positive")
        with self._lock:
            real = time.monotonic()
            self._simulated_origin += (real - self._real_origin) * self._scale
            self._real_origin = real
            self._scale = scale

    def to_real_seconds(self, simulated_seconds: float) -> float:
        return simulated_seconds / self._scale
