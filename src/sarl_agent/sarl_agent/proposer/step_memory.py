"""What tends to come next: the proposer's memory of steps, for a fallback that fits the current step.

Why: when the VLM is down and the cache is warm, offering the same first N
cached prompts at every step would hand the agent candidates unrelated to
where the episode is. The proposer sees each request's ``history`` (the
prompts executed so far this episode) and the VLM's answers, so it remembers

* which prompts the VLM proposed after a given last executed prompt, and
* which prompt the agent executed after which (episode by episode),

and ranks the cached prompts by those for the current last prompt, prompts
already executed this episode last. In memory only (it rebuilds as episodes run).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

START = ""
"""Key of the episode's first step (nothing executed yet)."""


class StepMemory:
    """Counts of prompts proposed and executed after each last executed prompt (not thread-safe: caller locks)."""

    def __init__(self) -> None:
        self._proposed: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._followed: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._seen_histories: set[tuple[str, ...]] = set()

    def record(self, history: Sequence[str], proposed: Sequence[str] = ()) -> None:
        """Learn from one request's history and (when the VLM answered) the prompts it proposed."""
        history = tuple(history)
        for prompt in proposed:
            self._proposed[_last(history)][prompt] += 1
        if history and history not in self._seen_histories:
            self._seen_histories.add(history)
            self._followed[_last(history[:-1])][history[-1]] += 1

    def rank(self, prompts: Sequence[str], history: Sequence[str], count: int) -> tuple[str, ...]:
        """The ``count`` prompts that best fit the step after ``history``; executed ones last, ties in cache order."""
        last = _last(tuple(history))
        done = set(history)
        order = {p: i for i, p in enumerate(prompts)}

        def score(prompt: str) -> tuple:
            return (prompt in done, -self._followed[last][prompt], -self._proposed[last][prompt], order[prompt])

        return tuple(sorted(prompts, key=score)[:count])


def _last(history: tuple[str, ...]) -> str:
    return history[-1] if history else START
