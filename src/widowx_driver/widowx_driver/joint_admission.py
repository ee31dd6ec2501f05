"""Which joint targets (``joint_command``) the driver takes, and how far one may move the arm.

Same envelope as the end-effector path, in joint space: the stamp, frame and e-stop checks of
:mod:`command_admission` come first (in the node); this module checks what only a joint target has:

1. the names are exactly the arm's joints, each once, plus an optional ``gripper`` (opening 0..1,
   clipped into [0, 1] like an arm command's gripper); any order (a JointState is name-keyed);
2. every value is finite;
3. no joint moves further than ``max_joint_step`` from the **measured** joints;
4. the end effector at the target (forward kinematics) lies inside the workspace box.

**Refused, not clipped** (rules 3 and 4), unlike the end-effector path which clips its deltas:
clipping each joint on its own keeps only each joint's direction, so the clipped vector is a
pose nobody asked for (the end effector can go somewhere the command never pointed), and a box
violation has no nearest joint vector to clip to. A target that far from the arm is also a sign
the sender is wrong (joint order, degrees for radians, another robot's checkpoint), and creeping
towards a wrong target is worse than stopping: the refusal is counted and logged, and the
watchdog holds the arm when nothing acceptable follows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GRIPPER_NAME = "gripper"
"""The optional non-arm entry of a joint command: gripper opening 0 closed .. 1 open (the bridge's convention)."""


class JointCommandError(ValueError):
    """A joint command the driver refuses; the message says what was wrong and what is allowed."""


@dataclass(frozen=True)
class JointTarget:
    """A parsed joint command, arm joints in the backend's order."""

    positions: np.ndarray
    """(n,) arm joint targets [rad], in the backend's joint order."""
    gripper: float | None
    """Gripper opening target in [0, 1]; None when the command has no ``gripper`` entry."""
    gripper_clipped: bool
    """The sender's gripper value was outside [0, 1] and was clipped (counted like a clipped arm command)."""
    stamp_s: float
    """header.stamp [s]: checked again when the control tick applies it."""


def parse_joint_command(names: Sequence[str], positions: Sequence[float], arm_joints: Sequence[str],
                        stamp_s: float) -> JointTarget:  # fmt: skip
    """The target of a ``sensor_msgs/JointState`` command; :class:`JointCommandError` when refused (rules 1-2)."""
    names = list(names)
    if len(positions) != len(names):
        raise JointCommandError(f"{len(names)} names but {len(positions)} positions")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise JointCommandError(f"joints named more than once: {duplicates}")
    allowed = set(arm_joints) | {GRIPPER_NAME}
    missing = [name for name in arm_joints if name not in names]
    unexpected = [name for name in names if name not in allowed]
    if missing or unexpected:
        raise JointCommandError(f"joint names must be exactly {list(arm_joints)} (+ optional {GRIPPER_NAME!r}); "
                                f"missing {missing}, unexpected {unexpected}")  # fmt: skip
    by_name = dict(zip(names, (float(p) for p in positions), strict=True))
    bad = [name for name, value in by_name.items() if not math.isfinite(value)]
    if bad:
        raise JointCommandError(f"non-finite value for {bad}")
    gripper = by_name.get(GRIPPER_NAME)
    clipped = gripper is not None and not 0.0 <= gripper <= 1.0
    if gripper is not None:
        gripper = min(max(gripper, 0.0), 1.0)
    return JointTarget(np.array([by_name[name] for name in arm_joints]), gripper, clipped, stamp_s)


@dataclass(frozen=True)
class JointLimits:
    """How far one joint command may move the arm, and where its end effector may end up."""

    max_joint_step: float
    """[rad] largest change of any joint from the measured joints in one command."""
    workspace_min: tuple[float, float, float]
    """[m] lower corner of the box the end effector at the target must lie in."""
    workspace_max: tuple[float, float, float]
    """[m] upper corner of that box."""

    def __post_init__(self) -> None:
        if not math.isfinite(self.max_joint_step) or not 0.0 < self.max_joint_step <= math.pi:
            raise ValueError(f"max_joint_step must be a number of radians in (0, pi], got {self.max_joint_step!r}")

    def problem(self, target: JointTarget, measured: np.ndarray, arm_joints: Sequence[str],
                end_effector: np.ndarray) -> str | None:  # fmt: skip
        """None when ``target`` may be applied from ``measured`` (rules 3-4), else why not, for the log."""
        if not np.all(np.isfinite(measured)):
            return "the measured joints are not finite; refusing to move"
        steps = np.abs(target.positions - np.asarray(measured, dtype=float))
        worst = int(np.argmax(steps))
        if steps[worst] > self.max_joint_step:
            return (f"joint {arm_joints[worst]} would move {steps[worst]:.3f} rad from the measured "
                    f"{measured[worst]:.3f} (max_joint_step {self.max_joint_step} rad)")  # fmt: skip
        low, high = np.asarray(self.workspace_min), np.asarray(self.workspace_max)
        if not np.all(np.isfinite(end_effector)) or np.any((end_effector < low) | (end_effector > high)):
            return (f"the end effector at the target, {np.round(end_effector, 3).tolist()} m, is outside the "
                    f"workspace box {list(low)}..{list(high)}")  # fmt: skip
        return None
