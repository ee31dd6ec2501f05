"""Action chunking: execute the first ``steps_per_query`` rows of a returned ``actions`` chunk.

Why: π0.5 (like most VLAs) predicts a horizon of H future actions per query;
executing a few of them open-loop between queries is how openpi's robot
loops trade latency for reactivity (openpi-client's ``ActionChunkBroker``).
The chunk is validated *before* any row is commanded, so a malformed answer
(wrong shape, NaN) never reaches the arm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .profiles import DEFAULT_PROFILE, PolicyProfile, get_profile


def validate_actions(response: Mapping[str, Any], profile: PolicyProfile | None = None) -> np.ndarray:
    """The ``actions`` array of a policy response as float64 (H, D) of ``profile``, or ValueError saying what is wrong.

    The message names the profile, the expected and the received shape, so a checkpoint served with
    the wrong output transform is recognised at its first answer.
    """
    profile = profile or get_profile(DEFAULT_PROFILE)
    if "actions" not in response:
        raise ValueError(f"policy response has no 'actions' (keys: {sorted(response)})")
    try:
        actions = np.asarray(response["actions"], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"policy 'actions' is not numeric: {exc}") from None
    if actions.ndim == 1 and actions.shape[0] == profile.action_dim:
        actions = actions[None, :]
    problem = profile.check_actions(actions)
    if problem is not None:
        raise ValueError(problem)
    if not np.all(np.isfinite(actions)):
        bad = int(np.argmax(~np.isfinite(actions).all(axis=1)))
        raise ValueError(f"policy 'actions' holds NaN or inf (first in row {bad})")
    return actions


class ActionChunk:
    """The rows of one chunk still to execute: at most ``steps_per_query``, fewer if H is shorter."""

    def __init__(self, response: Mapping[str, Any], steps_per_query: int, profile: PolicyProfile | None = None) -> None:
        if isinstance(steps_per_query, bool) or not isinstance(steps_per_query, int) or steps_per_query < 1:
            raise ValueError(f"steps_per_query must be an integer >= 1, got {steps_per_query!r}")
        actions = validate_actions(response, profile)
        self._rows = actions[: min(steps_per_query, actions.shape[0])]
        self._horizon = actions.shape[0]
        self._next = 0

    @property
    def horizon(self) -> int:
        """H of the chunk the server returned."""
        return self._horizon

    @property
    def remaining(self) -> int:
        return len(self._rows) - self._next

    @property
    def exhausted(self) -> bool:
        return self.remaining == 0

    def pop(self) -> np.ndarray:
        """Next action row (D,); IndexError when the chunk is used up."""
        if self.exhausted:
            raise IndexError("action chunk is exhausted; query the policy again")
        row = self._rows[self._next]
        self._next += 1
        return row
