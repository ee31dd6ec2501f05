"""Which ``sarl/transitions`` messages the recorder may store, and how refusals are counted and reported.

Why: any peer on the DDS domain can publish on the topic. A transition is
stored only when (in this order, cheapest first) its serialized size is under
the limit, it carries a MAC that verifies under the run secret (so its run id
too was chosen by a secret holder: the recorder opens bags only for run ids a
verified transition names), and it obeys ``transition_rules``. Replays are
decided by the recorder's store (``recording.py``): the same (run id,
sequence) with the same MAC is the agent's re-send (stored once, acknowledged
again); with a different MAC it is refused as ``sequence_reused``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from .transition_mac import mac_bytes, transition_verifies
from .transition_rules import Problem, size_problem, transition_problem

REASONS = ("oversize", "unsigned", "forged", "malformed", "sequence_reused", "too_many_runs")
"""Every refusal reason the recorder counts (``RecorderNode.rejected``)."""


def admission_problem(secret: bytes, msg: Any) -> Problem | None:
    """Signature first (an attacker's message costs one HMAC), then the content rules."""
    if not mac_bytes(msg):
        return Problem("unsigned", "no MAC: only the agent holding the run secret may publish transitions")
    if not transition_verifies(secret, msg):
        return Problem("forged", "the MAC does not verify under this run's secret")
    return transition_problem(msg)


def raw_size_problem(raw: bytes) -> Problem | None:
    return size_problem(len(raw))


class Rejections:
    """Counts refusals per reason and reports them without flooding the log.

    The first refusal of each reason is reported at once with its detail; later
    ones only in a summary at most every ``summary_period`` seconds.
    """

    def __init__(self, report: Callable[[str], None], summary_period: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.counts: Counter[str] = Counter()
        self._report = report
        self._period = summary_period
        self._clock = clock
        self._last_summary = clock()
        self._unreported = 0

    def add(self, problem: Problem, what: str) -> None:
        self.counts[problem.reason] += 1
        if self.counts[problem.reason] == 1:
            self._report(f"refused {what} ({problem.reason}): {problem.detail}; not stored, not acknowledged "
                         "(further refusals are summarised)")
            return
        self._unreported += 1
        if self._clock() - self._last_summary >= self._period:
            self.flush()

    def flush(self) -> None:
        """Report the counts so far if anything was refused since the last report."""
        if self._unreported:
            self._report(f"refused transitions so far: {self.describe()}")
        self._unreported = 0
        self._last_summary = self._clock()

    def describe(self) -> str:
        return ", ".join(f"{count} {reason}" for reason, count in sorted(self.counts.items())) or "none"
