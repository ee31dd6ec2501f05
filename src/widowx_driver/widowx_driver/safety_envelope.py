"""The safety envelope every arm command passes through in the driver, whoever sent it.

Why it lives in the driver and not in the senders: the VLA bridge, the reset
controller and an operator all publish ``arm_command``; only the driver sees
every command, so only the driver can guarantee that a NaN from a policy or a
runaway PID never reaches the motors. Kept free of ROS so the rules are tested
as plain functions and are the same for the simulator and the real arm.

Rules, in order:

1. any NaN or inf in the command → **rejected** (nothing moves);
2. translation deltas clipped per axis to ``max_translation_step`` [m],
   rotation deltas to ``max_rotation_step`` [rad];
3. the resulting position clipped into the workspace box (a step never
   exceeds the step limit, so an arm that starts outside the box walks back in);
4. the gripper target clipped to [0, 1].

A command changed by rules 2-4 is **clipped** (and still applied); otherwise it
is **applied** unchanged.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STATE_DIM = 7
"""Length of states ``[x, y, z, roll, pitch, yaw, gripper]`` and commands ``[dx, ..., dyaw, gripper]``."""

BRIDGE_WORKSPACE_MIN = (0.10, -0.15, -0.10)
"""Lower corner of the Bridge-data WidowX workspace box (m, robot base frame)."""
BRIDGE_WORKSPACE_MAX = (0.45, 0.25, 0.18)
"""Upper corner of the Bridge-data WidowX workspace box (m, robot base frame)."""

_EPS = 1e-12


class Verdict(enum.Enum):
    """What the envelope did to a command."""

    APPLIED = "applied"
    """Within every limit; passed through unchanged."""
    CLIPPED = "clipped"
    """Changed to fit the limits, then applied."""
    REJECTED = "rejected"
    """Refused; the arm must not move."""


@dataclass(frozen=True)
class EnvelopeConfig:
    """Limits of the envelope; validated on construction."""

    workspace_min: tuple[float, float, float] = BRIDGE_WORKSPACE_MIN
    """Lower corner (x, y, z) of the box the end effector must stay in [m]."""
    workspace_max: tuple[float, float, float] = BRIDGE_WORKSPACE_MAX
    """Upper corner (x, y, z) of the box [m]; each axis strictly above ``workspace_min``."""
    max_translation_step: float = 0.05
    """Largest translation per command and axis [m] (the Bridge data's 5 Hz deltas stay below this)."""
    max_rotation_step: float = 0.25
    """Largest rotation per command and axis [rad]."""

    def __post_init__(self) -> None:
        for key in ("workspace_min", "workspace_max"):
            value = getattr(self, key)
            if len(value) != 3 or not all(np.isfinite(float(v)) for v in value):
                raise ValueError(f"{key} must be 3 finite numbers [x, y, z] in metres, got {list(value)!r}")
            object.__setattr__(self, key, tuple(float(v) for v in value))
        low, high = np.array(self.workspace_min), np.array(self.workspace_max)
        if np.any(low >= high):
            raise ValueError(
                f"workspace_min must be below workspace_max on every axis, got min {list(low)} and max {list(high)}"
            )
        for key in ("max_translation_step", "max_rotation_step"):
            value = getattr(self, key)
            if not np.isfinite(value) or value <= 0.0:
                raise ValueError(f"{key} must be a finite number > 0, got {value!r}")


@dataclass(frozen=True)
class FilterResult:
    """The envelope's answer for one command."""

    delta: np.ndarray | None
    """Safe command ``[dx, dy, dz, droll, dpitch, dyaw, gripper]`` to apply; None when rejected."""
    verdict: Verdict
    reason: str
    """Empty when applied unchanged; otherwise which limits acted (for logs and tests)."""


class SafetyEnvelope:
    """Filters end-effector delta commands against :class:`EnvelopeConfig`."""

    def __init__(self, config: EnvelopeConfig | None = None) -> None:
        self._config = config if config is not None else EnvelopeConfig()
        self._low = np.array(self._config.workspace_min)
        self._high = np.array(self._config.workspace_max)

    @property
    def config(self) -> EnvelopeConfig:
        return self._config

    def filter(self, state: Sequence[float], command: Sequence[float]) -> FilterResult:
        """Make ``command`` safe to apply at ``state`` (both 7-vectors), or reject it."""
        state = np.asarray(state, dtype=float)
        command = np.asarray(command, dtype=float)
        if state.shape != (STATE_DIM,) or command.shape != (STATE_DIM,):
            raise ValueError(f"state and command must have shape (7,), got {state.shape} and {command.shape}")
        if not np.all(np.isfinite(command)):
            bad = [name for name, v in zip(_FIELDS, command, strict=True) if not np.isfinite(v)]
            return FilterResult(None, Verdict.REJECTED, f"non-finite value in {', '.join(bad)}")
        if not np.all(np.isfinite(state)):
            return FilterResult(None, Verdict.REJECTED, "the arm state is not finite; refusing to move")
        cfg = self._config
        reasons: list[str] = []

        step = np.clip(command[:3], -cfg.max_translation_step, cfg.max_translation_step)
        if np.any(np.abs(step - command[:3]) > _EPS):
            reasons.append(f"translation step limited to {cfg.max_translation_step} m")
        target = np.clip(state[:3] + step, self._low, self._high)
        if np.any(np.abs(target - (state[:3] + step)) > _EPS):
            reasons.append("target clipped into the workspace box")
        # Recomputed from the clipped target, and limited again so an arm outside the box never jumps.
        translation = np.clip(target - state[:3], -cfg.max_translation_step, cfg.max_translation_step)

        rotation = np.clip(command[3:6], -cfg.max_rotation_step, cfg.max_rotation_step)
        if np.any(np.abs(rotation - command[3:6]) > _EPS):
            reasons.append(f"rotation step limited to {cfg.max_rotation_step} rad")

        gripper = float(np.clip(command[6], 0.0, 1.0))
        if abs(gripper - command[6]) > _EPS:
            reasons.append("gripper target clipped to [0, 1]")

        delta = np.concatenate([translation, rotation, [gripper]])
        verdict = Verdict.CLIPPED if reasons else Verdict.APPLIED
        return FilterResult(delta, verdict, "; ".join(reasons))


_FIELDS = ("dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper")
