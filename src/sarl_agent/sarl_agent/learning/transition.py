"""The semantic transition: everything one TD update needs, self-contained.

Why it carries both candidate sets: the TD target takes V(s') over
``candidates(s')`` (the prompts the proposer offered *then*), which cannot be
recomputed later without re-querying the VLM. The same record goes on the
``sarl/transitions`` topic and into bags, so offline training sees exactly
what online training saw.

``terminal`` means the task ended (success or failure): no bootstrap.
``truncated`` means the episode was cut (step limit, operator abort): the
state still had a future, so the target *does* bootstrap from V(s'). If both
are set, terminal wins.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

from .observation import Observation


def _ids(name: str, values: object) -> tuple[int, ...]:
    message = f"SemanticTransition.{name} must be a sequence of integer prompt ids, got {values!r}"
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(message)
    ids: list[int] = []
    for value in values:  # type: ignore[attr-defined]
        if isinstance(value, bool):
            raise TypeError(message)
        try:
            ids.append(operator.index(value))
        except TypeError:
            raise TypeError(message) from None
    if any(i < 0 for i in ids):
        raise ValueError(f"SemanticTransition.{name} holds negative prompt ids: {ids}")
    if len(set(ids)) != len(ids):
        raise ValueError(f"SemanticTransition.{name} lists a prompt id twice: {ids}")
    return tuple(ids)


@dataclass(frozen=True)
class SemanticTransition:
    """``(s, candidates(s), l, r, s', candidates(s'), terminal, truncated)``, validated on construction."""

    obs: Observation
    candidates: tuple[int, ...]
    action: int
    reward: float
    next_obs: Observation
    next_candidates: tuple[int, ...]
    terminal: bool
    truncated: bool = False

    def __post_init__(self) -> None:
        for name in ("obs", "next_obs"):
            if not isinstance(getattr(self, name), Observation):
                raise TypeError(f"SemanticTransition.{name} must be an Observation")
        candidates = _ids("candidates", self.candidates)
        next_candidates = _ids("next_candidates", self.next_candidates)
        if isinstance(self.action, bool):
            raise TypeError("SemanticTransition.action must be an integer prompt id, got bool")
        action = operator.index(self.action)
        if action not in candidates:
            raise ValueError(f"SemanticTransition.action {action} is not among candidates {candidates}")
        reward = float(self.reward)
        if not math.isfinite(reward):
            raise ValueError(f"SemanticTransition.reward must be finite, got {self.reward!r}")
        for name in ("terminal", "truncated"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"SemanticTransition.{name} must be a bool, got {getattr(self, name)!r}")
        if not self.terminal and not next_candidates:
            raise ValueError("a non-terminal SemanticTransition needs next_candidates to bootstrap V(s')")
        object.__setattr__(self, "candidates", candidates)
        object.__setattr__(self, "next_candidates", next_candidates)
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "reward", reward)

    @property
    def ends_episode(self) -> bool:
        return self.terminal or self.truncated
