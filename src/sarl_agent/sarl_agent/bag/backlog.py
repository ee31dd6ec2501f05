"""When the agent must stop starting episodes because the recorder is not storing what it sends.

Why: a robot run whose transitions are not stored is wasted operator time and
lost data. The agent checks before every episode: once the unacknowledged
transitions exceed ``max_pending`` in number or ``max_age`` in age, it holds
(commands nothing, says why on the operator panel and in the log) until the
recorder has acknowledged everything; then it goes on. When the recorder has
said it cannot store (disk full, folder unwritable), any unacknowledged
transition is reason enough: waiting for the limits would only add episodes
that are lost if the fault stays. ROS-free.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ledger import LedgerCounts

DEFAULT_MAX_PENDING = 10
"""[transitions] more than about one episode's worth unacknowledged (8 steps at most in config/sim.yaml)."""
DEFAULT_MAX_AGE = 10.0
"""[s] a healthy recorder acknowledges within milliseconds; the first re-send is at 5 s (ledger.py)."""
ACK_GRACE = 2.0
"""[s] the agent waits this long for the acknowledgements of the episode it just published before judging."""


@dataclass(frozen=True)
class BacklogLimits:
    max_pending: int = DEFAULT_MAX_PENDING
    """[transitions] hold when more are unacknowledged."""
    max_age: float = DEFAULT_MAX_AGE
    """[s] hold when the oldest unacknowledged transition is older."""

    def __post_init__(self) -> None:
        if self.max_pending < 1:
            raise ValueError(f"max_unacknowledged must be >= 1, got {self.max_pending}")
        if not self.max_age > 0:
            raise ValueError(f"max_unacknowledged_age must be > 0 s, got {self.max_age}")


def hold_reason(counts: LedgerCounts, limits: BacklogLimits, storage_error: str = "") -> str | None:
    """Why the next episode must wait, or None when it may start."""
    over_count = counts.pending > limits.max_pending
    over_age = counts.pending > 0 and counts.oldest_pending_age > limits.max_age
    refused = counts.pending > 0 and bool(storage_error)
    if not (over_count or over_age or refused):
        return None
    cause = (f"the recorder cannot store them: {storage_error}" if storage_error
             else "is the recorder running?")
    return (f"holding before the next episode: {counts.pending} transitions not stored by the recorder "
            f"(oldest {counts.oldest_pending_age:.0f} s; limits {limits.max_pending} / {limits.max_age:.0f} s); "
            f"{cause}")


def describe_sequences(sequences: list[int]) -> str:
    """``[1, 2, 3, 7, 9, 10]`` -> ``"1-3, 7, 9-10"``: exact, and short for long runs."""
    parts: list[str] = []
    ordered = sorted(sequences)
    start = previous = None
    for sequence in [*ordered, None]:
        if sequence is not None and previous is not None and sequence == previous + 1:
            previous = sequence
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = sequence
    return ", ".join(parts)
