"""Episodes as recorded: which transitions belong together and how each episode ended.

Why from transitions alone: they are the acknowledged, crash-safe record;
status messages are best-effort. The last transition of an episode carries
the outcome (see ``episode/runner.py``): ``terminal`` with reward > 0 is a
success, ``terminal`` with reward 0 a failure, ``truncated`` an abort (the
online agent does not learn from aborted episodes, and neither does replay).
An episode whose final transition is not in the bags is ``INCOMPLETE``, as
is one with a missing step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

SUCCESS, FAILURE, ABORT, INCOMPLETE = "SUCCESS", "FAILURE", "ABORT", "INCOMPLETE"
LEARNABLE = (SUCCESS, FAILURE)


def final_outcome(msg: Any) -> str | None:
    """Outcome an episode-ending transition records; None for a transition in mid-episode."""
    if msg.terminal:
        return SUCCESS if msg.reward > 0 else FAILURE
    if msg.truncated:
        return ABORT
    return None


@dataclass
class EpisodeRecord:
    run_id: str
    episode: int
    task: str = ""
    prompts: dict[int, str] = field(default_factory=dict)
    """Chosen prompt per step."""
    ending: str | None = None
    """Outcome of the final transition, once seen."""

    @property
    def steps(self) -> int:
        return len(self.prompts)

    @property
    def outcome(self) -> str:
        if self.ending is None or sorted(self.prompts) != list(range(len(self.prompts))):
            return INCOMPLETE
        return self.ending

    @property
    def chosen(self) -> list[str]:
        return [self.prompts[step] for step in sorted(self.prompts)]


class EpisodeTable:
    """Collects episodes from transition messages in any order (light: texts and flags only)."""

    def __init__(self) -> None:
        self._episodes: dict[tuple[str, int], EpisodeRecord] = {}

    def add(self, msg: Any) -> EpisodeRecord:
        key = (str(msg.run_id), int(msg.episode))
        record = self._episodes.get(key)
        if record is None:
            record = self._episodes[key] = EpisodeRecord(key[0], key[1], str(msg.task))
        record.prompts[int(msg.step)] = str(msg.chosen_prompt)
        ending = final_outcome(msg)
        if ending is not None:
            record.ending = ending
        return record

    def episodes(self) -> list[EpisodeRecord]:
        return [self._episodes[key] for key in sorted(self._episodes)]

    @property
    def runs(self) -> list[str]:
        return sorted({run for run, _ in self._episodes})

    def success_by_task(self) -> dict[str, tuple[int, int]]:
        """task -> (successes, labelled episodes); aborted and incomplete episodes are not counted."""
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for record in self._episodes.values():
            if record.outcome in LEARNABLE:
                counts[record.task][1] += 1
                counts[record.task][0] += record.outcome == SUCCESS
        return {task: (wins, total) for task, (wins, total) in sorted(counts.items())}

    def outcome_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for record in self._episodes.values():
            counts[record.outcome] += 1
        return dict(counts)
