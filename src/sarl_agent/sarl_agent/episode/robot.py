"""What the episode loop needs from the world: the ``SemanticRobot`` port.

Why a port: the ROS agent node implements it with services and actions to the
real node graph; the evaluation harness implements it with the simulator in
process. Both run the identical ``EpisodeRunner``, so the two paths can only
differ in what the world does, never in how the agent decides or learns.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np


class Outcome(enum.IntEnum):
    """How an episode ended; values match ``EpisodeStatus.OUTCOME_*`` and ``LabelEpisode`` constants."""

    NONE = 0
    SUCCESS = 1
    FAILURE = 2
    ABORT = 3


@dataclass(frozen=True)
class RobotObservation:
    """What the robot reports after a semantic step."""

    proprio: np.ndarray
    """(7,) end-effector state [x, y, z, roll, pitch, yaw, gripper]."""
    image: np.ndarray | None = None
    """(H, W, 3) uint8 RGB camera frame, or None when no camera is used."""
    wrist_image: np.ndarray | None = None
    """(H, W, 3) uint8 RGB wrist camera frame, or None without a wrist camera (recorded, not learned from)."""


@dataclass(frozen=True)
class Proposal:
    """Candidate prompts for a state, as text, and why the VLM's own answer was not used (if so)."""

    prompts: tuple[str, ...]
    error: str = ""
    from_cache: bool = False
    vlm_state: str = ""
    """'ok', 'degraded' (this answer is a fallback), 'down' (VLM failing, no request sent), 'offline' (no VLM)."""


@dataclass(frozen=True)
class StepReport:
    """How executing one prompt (or reset to home) ended on the executor's side."""

    completed: bool
    """False when the executor failed (policy server down, e-stop, timeout): the episode is aborted."""
    outcome_code: int = 0
    """ExecutePrompt.Result.OUTCOME_* value (0 = completed)."""
    message: str = ""
    elapsed: float = 0.0
    """[s] wall-clock duration."""


@dataclass(frozen=True)
class EpisodeSetup:
    """The task of a new episode."""

    task: str
    object_names: tuple[str, ...] = field(default_factory=tuple)


class SemanticRobot(ABC):
    """The world as the semantic agent sees it: one call per semantic decision or action."""

    @abstractmethod
    def start_episode(self, episode: int) -> EpisodeSetup:
        """Prepare the scene for ``episode`` (simulator: new layout; real robot: arm home)."""

    @abstractmethod
    def observe(self) -> RobotObservation:
        """Current end-effector state and camera frame."""

    @abstractmethod
    def propose(self, task: str, observation: RobotObservation, history: list[str]) -> Proposal:
        """Candidate prompts for the current state (without "reset to home")."""

    @abstractmethod
    def execute(self, prompt: str) -> StepReport:
        """Run the VLA on ``prompt`` for its step budget."""

    @abstractmethod
    def reset_to_home(self) -> StepReport:
        """Drive the arm to its home pose (the reserved semantic action)."""

    @abstractmethod
    def detect_success(self) -> bool | None:
        """The success detector's verdict now, or None when there is none (an operator decides)."""

    @abstractmethod
    def await_label(self, episode: int) -> Outcome:
        """Block until the episode is labelled SUCCESS / FAILURE / ABORT (operator or detector)."""
