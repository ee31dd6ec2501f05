"""What the driver node needs from an arm, whatever arm it is.

Why an abstract base: the node (messages, lifecycle, safety) must be the same
for the real WidowX 250 and for the simulator, so each arm is a small class
behind this interface, chosen by the ``backend`` parameter. Commands reach a
backend only after the safety envelope, so backends never re-check limits.

Sim-only capabilities (scene layout, reset, success detector) are a second,
optional interface, :class:`SceneControl`, so the node offers the ``sim/*``
services exactly when the backend can answer them.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

import numpy as np


class BackendError(RuntimeError):
    """The arm cannot be reached or refused an operation; the message says why and what to check."""


class ArmBackend(abc.ABC):
    """One arm: connect, read the end-effector state, apply safe deltas, hold, see."""

    @abc.abstractmethod
    def connect(self) -> None:
        """Reach the hardware (or build the world); raise :class:`BackendError` with a clear message on failure."""

    @abc.abstractmethod
    def state(self) -> np.ndarray:
        """End-effector state ``[x, y, z, roll, pitch, yaw, gripper]`` (m, rad, 0 closed..1 open), shape (7,)."""

    @abc.abstractmethod
    def joint_state(self) -> tuple[list[str], np.ndarray]:
        """Joint names and positions for ``sensor_msgs/JointState``."""

    @abc.abstractmethod
    def apply(self, delta: np.ndarray) -> bool:
        """Apply one safe command ``[dx, dy, dz, droll, dpitch, dyaw, gripper_target]``.

        Returns False when the arm could not execute it (for example no inverse
        kinematics solution); the arm then stays where it was.
        """

    @abc.abstractmethod
    def hold(self) -> None:
        """Stop where the arm is now and keep the pose (watchdog, e-stop, deactivation)."""

    @abc.abstractmethod
    def camera_frame(self) -> np.ndarray | None:
        """Latest RGB frame (H, W, 3) uint8, or None when there is no camera or no fresh frame."""

    def camera_problem(self) -> str | None:
        """Why a camera this backend has gives no frame (logged by the driver); None when fine or camera-less."""
        return None

    @abc.abstractmethod
    def close(self) -> None:
        """Release the hardware; safe to call twice."""


@dataclass(frozen=True)
class SceneInfo:
    """What a fresh simulated scene offers to prompt templates."""

    task_name: str
    instruction: str
    object_names: tuple[str, ...]


class SceneControl(abc.ABC):
    """Simulator-only: the scene the operator would set up by hand, and the success detector."""

    @abc.abstractmethod
    def reset_scene(self, task_name: str, seed: int) -> SceneInfo:
        """New layout for ``task_name`` ('' = keep the task) and ``seed``; raise ValueError if unknown."""

    @abc.abstractmethod
    def evaluate_task(self) -> tuple[bool, str]:
        """Whether the task's success predicate holds now, and which sub-goals hold (human readable)."""

    @abc.abstractmethod
    def scene_array(self) -> np.ndarray:
        """The stand-in VLA's ``observation/scene`` input, shape (objects, columns), float32."""
