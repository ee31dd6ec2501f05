"""Warm start: an agent that begins with what earlier runs recorded, read exactly as ``replay`` reads it.

Why in the agent too: ``replay`` then ``resume`` needs two commands and a checkpoint in between. An
operator who wants the next run to start from the bags names them (``warm_start_bags``); the agent
rebuilds its prompt cache and replay buffer from their labelled episodes with the replay command's
reader (recovery of unfinished bags, de-duplication, the same learnability rule) and optionally runs TD
updates before its first episode. ROS-free: the node passes its logger's methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .learning.trainer import SarlAgentCore
from .replay import describe_data, open_bags


@dataclass(frozen=True)
class WarmStart:
    """What a warm start read and did, for the log line an operator checks."""

    bags: int
    read: int
    """Transitions in the bags."""
    used: int
    """Transitions of labelled episodes, added to the replay buffer."""
    replay_size: int
    cache_size: int
    """Prompts known afterwards, reset-to-home included."""
    updates: int
    final_td_loss: float | None
    details: str
    """``replay``'s description of the data (episodes, outcomes, success rates, skipped transitions)."""

    def describe(self) -> str:
        loss = f", final td_loss {self.final_td_loss:.4f}" if self.final_td_loss is not None else ""
        return (f"warm start from {self.bags} bag(s): learning from {self.used} of {self.read} transitions; "
                f"replay buffer {self.replay_size} transitions, prompt cache {self.cache_size} prompts, "
                f"{self.updates} TD updates{loss}\n{self.details}")


def warm_start(core: SarlAgentCore, paths: Iterable[str | Path], updates: int,
               on_problem: Callable[[str], None], on_recovery: Callable[[str], None],
               secret: bytes | None = None) -> WarmStart:
    """Add the labelled transitions of the bags at ``paths`` to ``core``, then run ``updates`` TD updates.

    With ``secret`` (the agent passes its run secret) only transitions signed with it are used; the
    skipped ones are counted in ``details``.

    Raises ``FileNotFoundError`` for a missing path and ``ValueError`` when updates are asked for but
    there is nothing to learn from; a bag that cannot be read is reported through ``on_problem``.
    """
    dataset = open_bags(core, paths, on_problem=lambda problem: on_problem(str(problem)),
                        on_recovery=lambda report: on_recovery(report.describe()), secret=secret)
    try:
        history = core.train_offline(dataset.transitions(), updates)
    except ValueError as error:
        details = describe_data(dataset.table, dataset, dataset.bags.report)
        raise ValueError(f"warm start: {error}\n{details}") from None
    losses = [metrics["train/td_loss"] for metrics in history]
    tail = losses[-max(1, len(losses) // 10):]
    return WarmStart(
        bags=len(dataset.bags.report.bags), read=dataset.read, used=dataset.used, replay_size=len(core.replay),
        cache_size=len(core.cache), updates=updates, final_td_loss=float(np.mean(tail)) if tail else None,
        details=describe_data(dataset.table, dataset, dataset.bags.report),
    )
