"""Retry timing and the circuit breaker for a remote VLM, with an injectable clock.

Why a breaker: during a quota or service outage every step of every episode
would otherwise spend (retries + 1) requests and as many timeouts before
falling back. After ``threshold`` consecutive failed calls (or one permanent
error, or a RetryInfo longer than the back-off cap) the circuit opens: calls
are answered from the fallback without a request until ``cooldown`` has passed,
then one trial request decides (half-open).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Capped exponential back-off between attempts of one call; the server's RetryInfo wins when longer."""

    initial: float = 1.0
    """[s] wait before the first retry."""
    cap: float = 4.0
    """[s] longest wait inside one call; a longer RetryInfo opens the circuit instead of blocking the step."""

    def __post_init__(self) -> None:
        for name, value in (("backoff_initial", self.initial), ("backoff_max", self.cap)):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"parameter {name!r} must be a finite number of seconds >= 0, got {value!r}")
        if self.cap < self.initial:
            raise ValueError(f"parameter 'backoff_max' ({self.cap}) must be >= 'backoff_initial' ({self.initial})")

    def delay(self, retry: int, retry_after: float | None) -> float:
        """[s] before retry number ``retry`` (1-based): exponential, or the server's delay if longer."""
        exponential = min(self.cap, self.initial * 2 ** (retry - 1))
        return max(exponential, retry_after or 0.0)


class CircuitBreaker:
    """Closed → open after ``threshold`` consecutive failures → one trial after ``cooldown`` (thread-safe)."""

    def __init__(self, threshold: int, cooldown: float, clock: Callable[[], float] = time.monotonic) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
            raise ValueError(f"parameter 'breaker_threshold' must be an integer >= 1, got {threshold!r}")
        if not (math.isfinite(cooldown) and cooldown > 0):
            raise ValueError(f"parameter 'breaker_cooldown' must be a finite number of seconds > 0, got {cooldown!r}")
        self._threshold = threshold
        self._cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until: float | None = None
        self.reason = ""
        """Why the circuit opened last (kept while open, for the status shown to the operator)."""

    def allows(self) -> bool:
        """True while closed, and once per cooldown when open (the trial request)."""
        with self._lock:
            if self._open_until is None:
                return True
            if self._clock() >= self._open_until:
                self._open_until = self._clock() + self._cooldown  # one trial, then wait again unless it succeeds
                return True
            return False

    def remaining(self) -> float:
        """[s] until the next trial request (0 when closed)."""
        with self._lock:
            return 0.0 if self._open_until is None else max(0.0, self._open_until - self._clock())

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open_until is not None

    def succeeded(self) -> None:
        with self._lock:
            self._failures, self._open_until, self.reason = 0, None, ""

    def failed(self, reason: str, hold: float | None = None) -> None:
        """Counts a failed call; opens at the threshold, or at once for ``hold`` [s] (permanent error, RetryInfo)."""
        with self._lock:
            self._failures += 1
            if hold is not None or self._failures >= self._threshold or self._open_until is not None:
                until = self._clock() + max(self._cooldown, hold or 0.0)
                self._open_until = max(until, self._open_until or until)  # a longer hold is never shortened
                self.reason = reason
