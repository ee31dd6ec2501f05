"""Every latency bound the suite asserts, each stated once with its budget, its margin and why.

A bound stays only where a user depends on it (a cancel honoured within a control tick, a goal aborted
soon after its policy server died, a hung VLM endpoint costing at most its timeouts). It is measured on
the node's own clock (its feedback ``elapsed``, its log stamps), never as the test process's wall time
around a blocking call: on a loaded 2-core CI machine the test's own return path once took 1.2 s for a
cancel the server honoured at 0.52 s.

``budget`` is what the code under test promises; ``margin`` is the scheduling slack a loaded machine adds
(the test process's delay between an event it saw and the stimulus it sends, thread wake-ups), chosen far
below the failure it must still catch, which ``catches`` names.
"""

from __future__ import annotations

from dataclasses import dataclass

TEST_SIDE_SLACK = 0.5
"""[s] Delay a loaded test process may add between seeing an event and acting on it (a ``wait_until`` poll,
the GIL shared with in-process nodes, a DDS write). In 16 repeated runs on 2 cores at load averages of 10-60
(other jobs plus two CPU hogs) the whole reset-cancel span, this delay included, was at most 0.26 s."""


@dataclass(frozen=True)
class LatencyBound:
    what: str
    budget: float
    """[s] What the code under test promises."""
    margin: float
    """[s] Slack for scheduling on a loaded machine (see the module docstring)."""
    catches: str
    """The failure the bound still detects: it must take clearly longer than ``limit``."""

    @property
    def limit(self) -> float:
        return self.budget + self.margin

    def check(self, measured: float, detail: object = "") -> None:
        """Assert ``measured`` [s] is below the limit, saying which bound, why, and what was seen.

        The measurement is printed too (shown with ``-rP``), so repeated runs show how close it comes."""
        print(f"[latency] {self.what}: {measured:.3f} s (limit {self.limit:.3f} s)")
        assert measured < self.limit, (
            f"{self.what}: {measured:.3f} s >= {self.limit:.3f} s (budget {self.budget:.3f} s + margin "
            f"{self.margin:.3f} s); this bound catches {self.catches}. {detail}"
        )


def reset_cancel(rate_hz: float) -> LatencyBound:
    """reset_to_home: a cancel ends the goal within one control tick (the loop checks it every tick).

    Measured on the server's clock, from accepting the cancel to ending the goal (its result says
    ``X s after the cancel request``). The loop wakes on the cancel, so this is usually milliseconds; the
    margin :data:`TEST_SIDE_SLACK` covers the server's threads waking on a loaded machine.
    """
    return LatencyBound("reset cancel honoured", 1.0 / rate_hz, TEST_SIDE_SLACK,
                        "a server that ignores cancel and drives on (the goal would run many ticks)")


def abort_after_policy_kill(inference_timeout: float, rate_hz: float) -> LatencyBound:
    """vla_bridge: a goal aborts once its policy server is dead: at the latest when the pending inference
    times out, plus the control tick in progress. Measured from the kill to the bridge's own log stamp of the
    POLICY_ERROR result; the margin covers the bridge's threads waking on a loaded machine (once 1.57 s for a
    1.05 s budget at a load average of 29 on 2 cores)."""
    return LatencyBound("goal aborted after the policy server was killed", inference_timeout + 1.0 / rate_hz, 2.0,
                        "a bridge that waits on a dead connection (reconnect loops, the 10 s+ library defaults)")


def vlm_retries(timeout: float, attempts: int, hang: float) -> LatencyBound:
    """vlm proposer: a hanging endpoint costs at most ``attempts * timeout`` before the cache answers.

    The margin (HTTP client set-up per attempt, the fake server's threads) stays below ``hang``, the time the
    fake endpoint holds a request: a request without a working timeout would take at least that long."""
    margin = min(3.0, hang - attempts * timeout - 1.0)
    return LatencyBound("proposal from the cache with a hanging endpoint", attempts * timeout, margin,
                        f"a request that ignores its timeout (the fake endpoint hangs {hang} s)")


def policy_connect(connect_timeout: float) -> LatencyBound:
    """vla_bridge's policy client: a server that accepts TCP but never answers costs ``connect_timeout``.

    Without the deadline the health check's socket would block for ever; the margin covers thread start-up."""
    return LatencyBound("connect to a silent policy server given up", connect_timeout, 3.0,
                        "a connect without its deadline (blocks until the server answers, here never)")
