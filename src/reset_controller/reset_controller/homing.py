"""Reset-to-home as a pure control law: arm state in, one arm command out, until home is reached.

Why ROS-free: the reset controller node, the simulator and the tests run the
same decisions — the PID step (:mod:`reset_controller.pid`), when home counts
as reached, and what the gripper does — so the node only moves messages.

Gripper: it is opened on the way home, except when it holds an object (its
opening sits in the band a grasp leaves it in) and ``keep_grasp`` is on.
Why the exception: in SARL, "reset to home" chains skills — *pick up the
banana*, reset, *put it in the pot* — which only works if the banana stays in
the hand; the simulator's semantic environment behaves the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from reset_controller.pid import PidController, PidGains

HOME_POSE = (0.25, 0.05, 0.12, 0.0, 0.0, 0.0)
"""Home ``[x, y, z, roll, pitch, yaw]`` (m, rad): centred above the table, gripper level (docs/node_graph.md)."""
GRIPPER_OPEN = 1.0
GRIPPER_CLOSED = 0.0


@dataclass(frozen=True)
class HomingConfig:
    """Where home is and when it counts as reached."""

    home_pose: tuple[float, ...] = HOME_POSE
    """[m, rad] home ``[x, y, z, roll, pitch, yaw]`` of the end effector."""
    tolerance: float = 0.005
    """[m] largest end-effector position error at which home is reached."""
    angle_tolerance: float = 0.05
    """[rad] largest roll/pitch/yaw error at which home is reached."""
    gripper_open_min: float = 0.9
    """[1] smallest gripper opening that counts as open when the gripper must be opened."""
    keep_grasp: bool = True
    """Keep an object that is held at the start (see the module docstring); False always opens."""
    grasp_opening_min: float = 0.1
    """[1] an opening in [grasp_opening_min, grasp_opening_max) at the start means an object is held."""
    grasp_opening_max: float = 0.5
    """[1] upper end of that band (an empty closed gripper reads ~0, an open one ~1)."""

    def __post_init__(self) -> None:
        if len(self.home_pose) != 6 or not all(math.isfinite(v) for v in self.home_pose):
            raise ValueError(f"home_pose must be 6 finite numbers [x, y, z, roll, pitch, yaw], got {self.home_pose!r}")
        for key in ("tolerance", "angle_tolerance"):
            value = getattr(self, key)
            if not math.isfinite(value) or value <= 0.0:
                raise ValueError(f"{key} must be a finite number > 0, got {value!r}")
        for key in ("gripper_open_min", "grasp_opening_min", "grasp_opening_max"):
            value = getattr(self, key)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{key} must be in [0, 1], got {value!r}")
        if self.grasp_opening_min >= self.grasp_opening_max:
            raise ValueError(
                f"grasp_opening_min ({self.grasp_opening_min}) must be below grasp_opening_max "
                f"({self.grasp_opening_max})"
            )


class HomingStep(NamedTuple):
    """One tick of the law."""

    command: np.ndarray
    """``[dx, dy, dz, droll, dpitch, dyaw, gripper]`` to send (meaningless once ``done``)."""
    position_error: float
    """[m] distance of the end effector from the home position."""
    angle_error: float
    """[rad] largest absolute roll/pitch/yaw error."""
    done: bool
    """Home reached within tolerance (and the gripper open unless a grasp is kept)."""


def wrap_angle(angle: np.ndarray) -> np.ndarray:
    """Angles wrapped into [-pi, pi), so the arm turns the short way home."""
    return (np.asarray(angle) + np.pi) % (2.0 * np.pi) - np.pi


class HomingLaw:
    """PID drive of the 6-D end-effector pose to home; call :meth:`start` once per goal, then :meth:`step` per tick."""

    def __init__(self, gains: PidGains, config: HomingConfig, dt: float) -> None:
        if not math.isfinite(dt) or dt <= 0.0:
            raise ValueError(f"dt must be a number of seconds > 0, got {dt!r}")
        self._config = config
        self._dt = dt
        self._pid = PidController(gains, dimension=6)
        self._home = np.asarray(config.home_pose, dtype=float)
        self._tolerance = config.tolerance
        self._keeping_grasp = False

    @property
    def config(self) -> HomingConfig:
        return self._config

    @property
    def keeping_grasp(self) -> bool:
        """Whether this goal keeps the gripper closed on a held object."""
        return self._keeping_grasp

    def start(self, state: Sequence[float], tolerance: float | None = None) -> None:
        """Begin a goal from ``state`` (7,), optionally with a goal-specific position tolerance [m]."""
        state = _checked_state(state)
        if tolerance is not None and (not math.isfinite(tolerance) or tolerance <= 0.0):
            raise ValueError(f"tolerance must be a finite number of metres > 0, got {tolerance!r}")
        self._tolerance = self._config.tolerance if tolerance is None else tolerance
        cfg = self._config
        self._keeping_grasp = cfg.keep_grasp and cfg.grasp_opening_min <= state[6] < cfg.grasp_opening_max
        self._pid.reset()

    def errors(self, state: Sequence[float]) -> tuple[np.ndarray, float, float]:
        """``(error6 = home - state, position error [m], largest angle error [rad])``."""
        state = _checked_state(state)
        error = np.empty(6)
        error[:3] = self._home[:3] - state[:3]
        error[3:] = wrap_angle(self._home[3:] - state[3:6])
        return error, float(np.linalg.norm(error[:3])), float(np.max(np.abs(error[3:])))

    def step(self, state: Sequence[float]) -> HomingStep:
        """The command for this tick from the measured ``state`` (7,)."""
        state = _checked_state(state)
        error, position_error, angle_error = self.errors(state)
        gripper_ok = self._keeping_grasp or state[6] >= self._config.gripper_open_min
        done = position_error <= self._tolerance and angle_error <= self._config.angle_tolerance and gripper_ok
        command = np.empty(7)
        command[:6] = 0.0 if done else self._pid.update(error, self._dt)
        command[6] = GRIPPER_CLOSED if self._keeping_grasp else GRIPPER_OPEN
        return HomingStep(command, position_error, angle_error, done)


def _checked_state(state: Sequence[float]) -> np.ndarray:
    array = np.asarray(state, dtype=float)
    if array.shape != (7,) or not np.all(np.isfinite(array)):
        raise ValueError(f"arm state must be 7 finite numbers [x, y, z, roll, pitch, yaw, gripper], got {state!r}")
    return array
