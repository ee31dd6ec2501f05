"""The agent's record of transitions sent to the recorder and not yet acknowledged.

Why: a transition counts as stored only once the recorder has written and
fsynced it and said so on ``sarl/transition_acks``. Until then the agent keeps
the message and re-sends it when no acknowledgement came within
``resend_after`` seconds (recorder restarting, message lost). The recorder
acknowledges duplicates again without writing them twice, so re-sending is
always safe.

ROS-free and thread-safe: the episode thread adds, the executor's callbacks
acknowledge and ask what is due. The clock is injectable for tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Payload = TypeVar("Payload")

DEFAULT_RESEND_AFTER = 5.0
"""[s] a transition unacknowledged this long is published again."""
DEFAULT_MAX_RESEND_INTERVAL = 60.0
"""[s] the wait between re-sends doubles after each one, up to this: a recorder that stays away must not
make the agent flood a keep-all topic."""


@dataclass
class _Pending(Generic[Payload]):
    payload: Payload
    first_sent: float
    last_sent: float
    sends: int = 1


@dataclass(frozen=True)
class LedgerCounts:
    sent: int
    """Distinct transitions handed to the ledger."""
    acknowledged: int
    pending: int
    resends: int
    oldest_pending_age: float
    """[s] since the first send of the oldest unacknowledged transition (0 when none)."""


class AckLedger(Generic[Payload]):
    """Pending transitions by sequence number; acknowledgements clear them."""

    def __init__(self, resend_after: float = DEFAULT_RESEND_AFTER,
                 max_resend_interval: float = DEFAULT_MAX_RESEND_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not resend_after > 0:
            raise ValueError(f"resend_after must be > 0 seconds, got {resend_after}")
        if max_resend_interval < resend_after:
            raise ValueError(f"max_resend_interval ({max_resend_interval} s) must be >= "
                             f"resend_after ({resend_after} s)")
        self.resend_after = resend_after
        self.max_resend_interval = max_resend_interval
        self._clock = clock
        self._pending: dict[int, _Pending[Payload]] = {}
        self._acknowledged: set[int] = set()
        self._unstorable: set[int] = set()
        self._resends = 0
        self._lock = threading.Lock()
        self._all_acknowledged = threading.Condition(self._lock)

    def add(self, sequence: int, payload: Payload) -> None:
        """Record a transition just published for the first time."""
        with self._lock:
            if sequence in self._pending or sequence in self._acknowledged or sequence in self._unstorable:
                raise ValueError(f"sequence {sequence} was already sent; sequence numbers must be unique in a run")
            now = self._clock()
            self._pending[sequence] = _Pending(payload, now, now)

    def acknowledge(self, sequence: int) -> bool:
        """Clear a transition; False if it was not pending (a duplicate or foreign acknowledgement)."""
        with self._lock:
            if self._pending.pop(sequence, None) is None:
                return False
            self._acknowledged.add(sequence)
            if not self._pending:
                self._all_acknowledged.notify_all()
            return True

    def pending_payload(self, sequence: int) -> Payload | None:
        """The message still waiting under ``sequence`` (None once acknowledged or never sent)."""
        with self._lock:
            entry = self._pending.get(sequence)
            return None if entry is None else entry.payload

    def give_up(self, sequence: int) -> None:
        """Record a transition that can never be stored (it breaks the recorder's rules): not re-sent,
        not waited for, but named by ``never_stored``."""
        with self._lock:
            self._pending.pop(sequence, None)
            self._unstorable.add(sequence)
            if not self._pending:
                self._all_acknowledged.notify_all()

    def never_stored(self) -> list[int]:
        """Every sequence not acknowledged (pending or given up), in order."""
        with self._lock:
            return sorted([*self._pending, *self._unstorable])

    def due(self) -> list[tuple[int, Payload]]:
        """Transitions to publish again now (oldest first); each is marked as re-sent.

        A transition is due ``resend_after`` s after its first send, then after
        twice that since the last re-send, and so on up to ``max_resend_interval``.
        """
        with self._lock:
            now = self._clock()
            due = [(seq, entry) for seq, entry in sorted(self._pending.items())
                   if now - entry.last_sent >= self._interval(entry.sends)]
            for _, entry in due:
                entry.last_sent = now
                entry.sends += 1
            self._resends += len(due)
            return [(seq, entry.payload) for seq, entry in due]

    def _interval(self, sends: int) -> float:
        return min(self.resend_after * 2 ** (sends - 1), self.max_resend_interval)

    def counts(self) -> LedgerCounts:
        with self._lock:
            now = self._clock()
            oldest = min((now - e.first_sent for e in self._pending.values()), default=0.0)
            return LedgerCounts(sent=len(self._pending) + len(self._acknowledged) + len(self._unstorable),
                                acknowledged=len(self._acknowledged), pending=len(self._pending),
                                resends=self._resends, oldest_pending_age=oldest)

    def pending_sequences(self) -> list[int]:
        with self._lock:
            return sorted(self._pending)

    def wait_all_acknowledged(self, timeout: float) -> bool:
        """Block (never from a callback) until nothing is pending or ``timeout`` [s] passed."""
        with self._all_acknowledged:
            return self._all_acknowledged.wait_for(lambda: not self._pending, timeout)
