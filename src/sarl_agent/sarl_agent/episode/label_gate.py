"""Where an operator's verdict meets the episode loop, safely.

Why its own piece: labels arrive from another thread (a service callback) at
any time — late, twice, for the wrong episode. The gate accepts exactly one
label for exactly the episode that is waiting, and gives every refusal a reason
the operator can read. The episode loop blocks on it with an optional timeout.

Early success (issue 19): while an episode runs, the operator may already say
SUCCESS for it (the task is done; the remaining semantic steps would only risk
undoing it). The gate records it as the episode's one label, and the robot's
``detect_success`` reports it, so the loop ends the episode as a success after
the prompt that is executing. FAILURE and ABORT are still only taken at the end.
"""

from __future__ import annotations

import threading

from .robot import Outcome

_LABELS = (Outcome.SUCCESS, Outcome.FAILURE, Outcome.ABORT)


class LabelGate:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._awaiting: int | None = None
        self._running: int | None = None
        self._label: Outcome | None = None
        self._labelled: dict[int, Outcome] = {}

    @property
    def awaiting(self) -> int | None:
        """Episode id waiting for a label, or None."""
        with self._lock:
            return self._awaiting

    def start(self, episode: int) -> None:
        """``episode`` is running: an early SUCCESS for it is accepted from now on."""
        with self._lock:
            self._running = episode

    def ended_early(self, episode: int) -> bool:
        """True once the operator has labelled the running ``episode`` SUCCESS before it ended."""
        with self._lock:
            return self._labelled.get(episode) == Outcome.SUCCESS

    def open(self, episode: int) -> None:
        """Start accepting a label for ``episode``."""
        with self._lock:
            self._awaiting = episode
            self._label = None

    def offer(self, episode: int, outcome: int) -> tuple[bool, str]:
        """A label from the operator: (accepted, reason)."""
        try:
            verdict = Outcome(outcome)
        except ValueError:
            verdict = Outcome.NONE
        if verdict not in _LABELS:
            return False, f"unknown outcome {outcome}: use SUCCESS (1), FAILURE (2) or ABORT (3)"
        with self._lock:
            if episode in self._labelled:
                return False, f"episode {episode} is already labelled {self._labelled[episode].name}"
            if self._awaiting is None and episode == self._running and verdict == Outcome.SUCCESS:
                self._labelled[episode] = verdict
                self._arrived.notify_all()
                return True, f"episode {episode} labelled SUCCESS early: it ends after the running prompt"
            if self._awaiting is None:
                running = "only SUCCESS ends a running episode early; " if episode == self._running else ""
                return False, f"not awaiting a label ({running}episode {episode} is still running or not started)"
            if episode != self._awaiting:
                return False, f"episode {episode} is not the one awaiting a label (episode {self._awaiting} is)"
            self._label = verdict
            self._labelled[episode] = verdict
            self._awaiting = None
            self._arrived.notify_all()
            return True, f"episode {episode} labelled {verdict.name}"

    def wait(self, episode: int, timeout: float | None = None) -> Outcome | None:
        """Block until ``episode`` is labelled; None on timeout (the gate then stays open)."""
        with self._lock:
            got = self._arrived.wait_for(lambda: episode in self._labelled, timeout=timeout)
            return self._labelled[episode] if got else None

    def close(self, episode: int, outcome: Outcome) -> None:
        """Settle ``episode`` without an operator (timeout, shutdown): later presses are refused."""
        with self._lock:
            self._labelled.setdefault(episode, outcome)
            if self._awaiting == episode:
                self._awaiting = None
            self._arrived.notify_all()
