"""Softmax prompt policy over the current candidates, with a temperature schedule.

Masking is the one rule everything here follows: a prompt that is not a
candidate of this state gets ``-inf`` before any softmax or max, so it has
probability exactly 0 and never contributes to a value. The proposer, not
the Q-function, decides what is sensible to say in a state.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .config import PolicyConfig


@dataclass(frozen=True)
class Decision:
    """What the policy chose and the numbers it used (logged on ``sarl/episode_status``)."""

    action: int
    """Chosen prompt id."""
    index: int
    """Position of the chosen prompt in the candidate list given to ``act``."""
    q_values: np.ndarray
    """Q per candidate, in candidate order (ensemble mean)."""
    probabilities: np.ndarray
    """Probability per candidate under the distribution actually sampled from: softmax(Q/tau),
    or in greedy mode uniform over the arg-max ties (so it is one-hot unless Q ties)."""
    temperature: float
    """tau used (also reported in greedy mode, where it did not affect the choice)."""
    greedy: bool
    novelty_bonus: np.ndarray | None = None
    """Exploration bonus per candidate added to Q before sampling (zeros in greedy mode; None when the
    decision maker has no bonus). ``probabilities`` follow Q + bonus, not Q alone."""


class TemperatureSchedule:
    """tau as a function of completed online episodes: constant, linear or exponential."""

    def __init__(self, config: PolicyConfig) -> None:
        self._config = config

    def at(self, episode: int) -> float:
        c = self._config
        if c.schedule == "constant" or c.final_temperature is None:
            return c.temperature
        fraction = min(max(episode, 0) / c.schedule_episodes, 1.0)
        if c.schedule == "linear":
            return c.temperature + fraction * (c.final_temperature - c.temperature)
        return c.temperature * (c.final_temperature / c.temperature) ** fraction


def candidate_mask(candidates: Sequence[int], num_prompts: int) -> np.ndarray:
    """Boolean (num_prompts,) mask; refuses empty, duplicate or out-of-range candidates."""
    ids = np.asarray(candidates)
    if ids.ndim != 1 or ids.size == 0:
        raise ValueError("candidates must be a non-empty sequence of prompt ids")
    if not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"candidates must be integer prompt ids, got dtype {ids.dtype}")
    if ids.min() < 0 or ids.max() >= num_prompts:
        raise ValueError(f"candidate ids must be in [0, {num_prompts}), got {list(candidates)}")
    mask = np.zeros(num_prompts, dtype=bool)
    mask[ids] = True
    if int(mask.sum()) != ids.size:
        raise ValueError(f"candidates list a prompt id twice: {list(candidates)}")
    return mask


def masked_logits(q: torch.Tensor, mask: torch.Tensor, temperature: float) -> torch.Tensor:
    """``Q/tau`` with non-candidates at ``-inf`` (mask broadcasts over leading dims)."""
    if not temperature > 0.0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    return (q / temperature).masked_fill(~mask, -math.inf)


def masked_softmax(q: torch.Tensor, mask: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(Q/tau) over candidates; rows without any candidate give all zeros (not NaN)."""
    logits = masked_logits(q, mask, temperature)
    any_candidate = mask.any(dim=-1, keepdim=True)
    probabilities = torch.softmax(logits.masked_fill(~any_candidate, 0.0), dim=-1)
    return probabilities.masked_fill(~mask, 0.0)


def choose(
    q_candidates: np.ndarray,
    temperature: float,
    rng: np.random.Generator,
    greedy: bool,
) -> tuple[int, np.ndarray]:
    """Pick an index into ``q_candidates``; returns (index, probabilities used).

    Greedy ties are broken uniformly at random with ``rng``: untried prompts
    all keep exactly ``init_q`` and tie, and a fixed rule
    (lowest id) would always pick the same one - often reset-to-home (id 0).
    """
    q = np.asarray(q_candidates, dtype=np.float64)
    if q.ndim != 1 or q.size == 0:
        raise ValueError("need at least one candidate Q-value")
    if not np.all(np.isfinite(q)):
        raise ValueError(f"candidate Q-values must be finite, got {q}")
    if greedy:
        best = q == q.max()
        probabilities = best / best.sum()
    else:
        if not temperature > 0.0:
            raise ValueError(f"temperature must be > 0, got {temperature!r}")
        z = (q - q.max()) / temperature
        weights = np.exp(z)
        probabilities = weights / weights.sum()
    cumulative = np.cumsum(probabilities)
    index = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    index = min(index, q.size - 1)
    while probabilities[index] == 0.0:  # searchsorted may land on a zero-probability slot at a boundary
        index -= 1
    return index, probabilities
