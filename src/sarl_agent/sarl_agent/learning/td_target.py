"""TD target ``y = r + gamma * (1 - terminal) * V(s')`` with V over candidates(s').

Why V over the *candidates* and at the policy's temperature: the agent can
only ever say a proposed prompt, and it says it with softmax(Q/tau); a max
over all cached prompts would back up values of prompts the proposer would
not offer in s'. Two values are offered:

* ``soft``:     V = tau * logsumexp(Q/tau)       (soft Q-learning; >= max Q, includes an entropy bonus)
* ``expected``: V = sum_l softmax(Q/tau)_l Q_l   (expected SARSA under the policy; <= max Q)

Both tend to max Q as tau -> 0. Truncation is *not* termination: a
truncated transition bootstraps, because the state had a future the step
limit cut off. Pure functions, so the hand-computed tests check exactly the
code the trainer runs.
"""

from __future__ import annotations

import torch

from .config import VALUE_KINDS
from .policy import masked_logits, masked_softmax


def soft_value(q: torch.Tensor, mask: torch.Tensor, temperature: float) -> torch.Tensor:
    """tau * logsumexp(Q/tau) over candidates along the last dim; 0 where there are no candidates."""
    logits = masked_logits(q, mask, temperature)
    any_candidate = mask.any(dim=-1)
    value = temperature * torch.logsumexp(logits.masked_fill(~any_candidate.unsqueeze(-1), 0.0), dim=-1)
    return torch.where(any_candidate, value, torch.zeros_like(value))


def expected_value(q: torch.Tensor, mask: torch.Tensor, temperature: float) -> torch.Tensor:
    """sum softmax(Q/tau) * Q over candidates along the last dim; 0 where there are no candidates."""
    probabilities = masked_softmax(q, mask, temperature)
    return (probabilities * q.masked_fill(~mask, 0.0)).sum(dim=-1)


def state_value(q: torch.Tensor, mask: torch.Tensor, temperature: float, kind: str) -> torch.Tensor:
    """Dispatch on ``TdConfig.value``."""
    if kind == "soft":
        return soft_value(q, mask, temperature)
    if kind == "expected":
        return expected_value(q, mask, temperature)
    raise ValueError(f"value kind must be one of {VALUE_KINDS}, got {kind!r}")


def td_target(reward: torch.Tensor, next_value: torch.Tensor, terminal: torch.Tensor, gamma: float) -> torch.Tensor:
    """r + gamma * V(s'), with V(s') zeroed at terminal transitions only (truncated ones bootstrap)."""
    return reward + gamma * torch.where(terminal, torch.zeros_like(next_value), next_value)
