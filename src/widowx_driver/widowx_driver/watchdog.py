"""Command watchdog: notices when commands stop arriving so the driver can hold the arm.

Why: a sender that dies mid-motion (a crashed bridge, a killed policy server)
must not leave the last delta repeating or a trajectory running on the real
arm. The driver feeds this on every applied command and asks it on every
control tick; times are plain seconds from a monotonic clock, so the logic is
tested without ROS.
"""

from __future__ import annotations

import math


class Watchdog:
    """Expires ``timeout`` seconds after the last :meth:`feed`."""

    def __init__(self, timeout: float) -> None:
        if not math.isfinite(timeout) or timeout <= 0.0:
            raise ValueError(f"watchdog_timeout must be a finite number of seconds > 0, got {timeout!r}")
        self._timeout = timeout
        self._last_feed: float | None = None

    @property
    def timeout(self) -> float:
        return self._timeout

    def feed(self, now: float) -> None:
        """A command was applied at ``now``."""
        self._last_feed = now

    def expired(self, now: float) -> bool:
        """True when nothing was fed for longer than the timeout (or never fed at all)."""
        return self._last_feed is None or now - self._last_feed > self._timeout
