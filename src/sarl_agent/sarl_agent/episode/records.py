"""What one semantic step and one episode leave behind, for logging and learning.

``StepRecord`` is the full record of a step (texts, Q-values, probabilities,
timings) around the core's ``SemanticTransition``; the ROS node turns it into a
``sarl_interfaces/SemanticTransition`` message, the evaluation into curves.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from ..learning.transition import SemanticTransition
from .robot import Outcome


class Phase(enum.IntEnum):
    """Agent phases; values match ``EpisodeStatus.PHASE_*``."""

    IDLE = 0
    CHOOSING = 1
    EXECUTING = 2
    RESETTING = 3
    AWAITING_LABEL = 4
    LEARNING = 5
    DONE = 6


@dataclass(frozen=True)
class StepRecord:
    episode: int
    step: int
    task: str
    transition: SemanticTransition
    candidate_prompts: tuple[str, ...]
    next_candidate_prompts: tuple[str, ...]
    chosen_index: int
    chosen_prompt: str
    q_values: np.ndarray
    probabilities: np.ndarray
    temperature: float
    outcome_code: int
    decision_time: float
    execution_time: float
    image: np.ndarray | None = None
    next_image: np.ndarray | None = None
    wrist_image: np.ndarray | None = None
    next_wrist_image: np.ndarray | None = None


@dataclass(frozen=True)
class StatusSnapshot:
    """The agent's live state (published as ``sarl/episode_status``)."""

    phase: Phase
    task: str
    episode: int
    step: int
    max_steps: int
    current_prompt: str = ""
    candidate_ids: tuple[int, ...] = ()
    candidate_prompts: tuple[str, ...] = ()
    q_values: tuple[float, ...] = ()
    probabilities: tuple[float, ...] = ()
    message: str = ""


@dataclass
class EpisodeResult:
    episode: int
    task: str
    outcome: Outcome
    steps: list[StepRecord] = field(default_factory=list)
    message: str = ""
    """Why a step could not be executed, when that aborted the episode ('' otherwise)."""

    @property
    def prompts(self) -> list[str]:
        return [record.chosen_prompt for record in self.steps]

    @property
    def success(self) -> bool:
        return self.outcome == Outcome.SUCCESS

    @property
    def robot_failed(self) -> bool:
        """Aborted because a step could not be executed (policy server, driver, timeout), not by a label."""
        return self.outcome == Outcome.ABORT and bool(self.message)
