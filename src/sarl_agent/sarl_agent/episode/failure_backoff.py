"""What the agent does after an episode the robot side could not execute: wait, longer each time, then give up.

Why: when the policy server or the driver is down, every goal fails at once. Without a pause the agent
would run through its whole episode budget in seconds, each episode an ABORT; with one, it waits for the
peer to come back (a restarted server, a re-powered arm) and carries on. After ``max_consecutive``
failed episodes in a row it stops with an error instead of waiting forever. An operator's ABORT label
is not a failure of the robot side and resets nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import EpisodeResult


class TooManyFailures(RuntimeError):
    """The robot side failed ``max_consecutive`` episodes in a row; the message names the last reason."""


@dataclass
class FailureBackoff:
    base_s: float = 2.0
    """[s] wait after the first failed episode; doubled after each further one in a row."""
    max_s: float = 30.0
    """[s] longest wait."""
    max_consecutive: int = 20
    """Failed episodes in a row before the run stops (0 = never stop)."""
    failures: int = 0
    """Failed episodes in a row so far."""

    def __post_init__(self) -> None:
        if self.base_s < 0 or self.max_s < self.base_s:
            raise ValueError(f"need 0 <= base_s <= max_s, got base_s={self.base_s}, max_s={self.max_s}")
        if self.max_consecutive < 0:
            raise ValueError(f"max_consecutive must be >= 0, got {self.max_consecutive}")

    def after(self, result: EpisodeResult) -> float:
        """Seconds to wait before the next episode (0 after a normal one); TooManyFailures at the limit."""
        if not result.robot_failed:
            self.failures = 0
            return 0.0
        self.failures += 1
        if self.max_consecutive and self.failures >= self.max_consecutive:
            raise TooManyFailures(f"{self.failures} episodes in a row could not be executed; last: {result.message}")
        return min(self.max_s, self.base_s * 2 ** (self.failures - 1))
