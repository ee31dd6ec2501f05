"""Policy profiles: what a checkpoint's openpi transforms expect in, and what its actions mean out.

A π0/π0.5 checkpoint served by openpi is only usable if the client sends
exactly the observation dict its *input transform* reads and interprets the
``actions`` its *output transform* returns the way it was trained. That
contract lives in the checkpoint's ``TrainConfig``, not in the protocol, so
the bridge names it: a :class:`PolicyProfile` says which keys carry which
camera at what size, the state layout and units, the action space, scaling,
gripper convention, and the open-loop horizon and control rate.

Shipped profiles (``docs/vla_checkpoints.md`` explains when to use which):

* ``bridge_ee_delta`` (default): a WidowX π0/π0.5 fine-tune on Bridge-format
  data: one third-person image, 7-D state [x, y, z, roll, pitch, yaw,
  gripper opening], (H >= 5, 7) EE deltas in m / rad per 5 Hz step + gripper
  target (1 open, 0 closed). The simulator's stand-in VLA speaks it too.
* ``libero``: mirrors openpi ``pi05_libero`` (``libero_policy.py`` and
  ``examples/libero/main.py``): third-person + wrist image at 224, 8-D state
  [EE position, axis-angle, 2 finger positions], (10, 7) actions scaled to
  [-1, 1] (robosuite OSC: 1 = 0.05 m / 0.5 rad per step) with gripper
  -1 = open, +1 = close, 20 Hz, replan every 5 steps.
* ``joint_position``: a 6-DoF joint-space fine-tune in DROID's key layout
  (``droid_policy.py``): third-person + wrist image, 6 joint positions + 1
  gripper position (1 = closed), (H >= 8, 7) absolute joint targets [rad] +
  gripper (1 = closed).

Ground truth: openpi commit 15a9616a00943ada6c20a0f158e3adb39df2ccac,
``src/openpi/policies/{libero,droid}_policy.py``, ``src/openpi/training/config.py``,
``examples/{libero,droid}/main.py``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .state_math import euler_to_axis_angle


class Camera(enum.StrEnum):
    THIRD_PERSON = "third_person"
    """``camera/image_raw``."""
    WRIST = "wrist"
    """``camera/wrist/image_raw``."""


class StateLayout(enum.StrEnum):
    EE_EULER_GRIPPER = "ee_euler_gripper"
    """float32 (7,) [x, y, z, roll, pitch, yaw] in m / rad (extrinsic xyz) + gripper opening 0 closed .. 1 open."""
    EE_AXIS_ANGLE_FINGERS = "ee_axis_angle_fingers"
    """float32 (8,) [x, y, z] m + axis-angle (3) rad + two finger positions [+w/2, -w/2] m (LIBERO's qpos)."""
    JOINTS_GRIPPER_CLOSED = "joints_gripper_closed"
    """Two keys: joint positions (n,) rad and gripper position (1,) 0 open .. 1 closed (DROID's)."""


class ActionSpace(enum.StrEnum):
    EE_DELTA = "ee_delta"
    """Rows [dx, dy, dz, droll, dpitch, dyaw, gripper]: EE motion per control step."""
    JOINT_POSITION = "joint_position"
    """Rows [q_1 .. q_n, gripper]: absolute joint targets [rad]."""
    JOINT_VELOCITY = "joint_velocity"
    """Rows [qd_1 .. qd_n, gripper]: joint velocities [rad/s], integrated over one control period."""


class Gripper(enum.StrEnum):
    """How the policy's gripper number maps to the robot's opening (0 closed .. 1 open)."""

    OPEN_1 = "open_1"
    """1 = open, 0 = closed (Bridge data, ArmCommand)."""
    CLOSED_1 = "closed_1"
    """1 = closed, 0 = open (DROID)."""
    SIGNED_CLOSE_POSITIVE = "signed_close_positive"
    """-1 = open, +1 = close (robosuite / LIBERO)."""

    def to_opening(self, value: float) -> float:
        if self is Gripper.OPEN_1:
            opening = value
        elif self is Gripper.CLOSED_1:
            opening = 1.0 - value
        else:
            opening = (1.0 - value) / 2.0
        return float(np.clip(opening, 0.0, 1.0))

    def from_opening(self, opening: float) -> float:
        if self is Gripper.OPEN_1:
            return opening
        if self is Gripper.CLOSED_1:
            return 1.0 - opening
        return 1.0 - 2.0 * opening


@dataclass(frozen=True)
class RobotSnapshot:
    """What the robot reports at query time, in robot units (no policy conventions yet)."""

    images: Mapping[Camera, np.ndarray]
    """RGB uint8 (H, W, 3) per camera, any size (the profile resizes with padding)."""
    ee_pose: np.ndarray
    """(6,) [x, y, z, roll, pitch, yaw] m / rad, arm base frame."""
    gripper: float
    """Opening, 0 closed .. 1 open (``ArmState.gripper``)."""
    joints: np.ndarray | None = None
    """(n,) arm joint positions [rad] in ``joint_names`` order, None when not subscribed."""


@dataclass(frozen=True)
class EeDeltaCommand:
    """One ``ArmCommand``: EE delta [m, rad] this step + gripper opening target."""

    delta: np.ndarray
    gripper: float


@dataclass(frozen=True)
class JointCommand:
    """One joint-space command: absolute joint targets [rad] + gripper opening target."""

    positions: np.ndarray
    gripper: float


@dataclass(frozen=True)
class PolicyProfile:
    """The observation/action contract of one family of checkpoints."""

    name: str
    images: tuple[tuple[str, Camera], ...]
    """(observation key, camera) pairs, in the order the input transform reads them."""
    image_size: int
    """[px] square side every image is resized-with-pad to (openpi's clients use 224)."""
    state_layout: StateLayout
    state_keys: tuple[str, ...]
    """One key, or (joint key, gripper key) for the joint layout."""
    action_space: ActionSpace
    action_dim: int
    """Columns of ``actions`` the output transform returns (arm dims + 1 gripper)."""
    gripper: Gripper
    replan_steps: int
    """Rows executed open-loop per query (openpi examples: ``replan_steps`` / ``open_loop_horizon``)."""
    control_rate_hz: float
    translation_scale: float = 1.0
    """[m] per unit of the translation columns (EE delta only)."""
    rotation_scale: float = 1.0
    """[rad] per unit of the rotation columns (EE delta only)."""
    finger_span: float = 0.08
    """[m] finger travel represented by the two-finger state (fully open = [span/2, -span/2])."""
    joint_count: int = 0
    """Arm joints in the state and actions (joint layouts only)."""
    summary: str = ""

    @property
    def cameras(self) -> tuple[Camera, ...]:
        return tuple(dict.fromkeys(camera for _, camera in self.images))

    @property
    def needs_joints(self) -> bool:
        return self.state_layout is StateLayout.JOINTS_GRIPPER_CLOSED or self.action_space is not ActionSpace.EE_DELTA

    @property
    def observation_keys(self) -> tuple[str, ...]:
        return (*(key for key, _ in self.images), *self.state_keys, "prompt")

    # --- observation -------------------------------------------------------------------------

    def state(self, snapshot: RobotSnapshot) -> dict[str, np.ndarray]:
        """The state entries of the observation dict, float32, in this profile's layout."""
        pose = np.asarray(snapshot.ee_pose, dtype=np.float64)
        if pose.shape != (6,) or not np.all(np.isfinite(pose)) or not np.isfinite(snapshot.gripper):
            raise ValueError(f"arm state must be a finite (6,) pose and gripper, got {pose}, {snapshot.gripper}")
        if self.state_layout is StateLayout.EE_EULER_GRIPPER:
            return {self.state_keys[0]: np.array([*pose, snapshot.gripper], dtype=np.float32)}
        if self.state_layout is StateLayout.EE_AXIS_ANGLE_FINGERS:
            half = self.finger_span / 2.0 * float(np.clip(snapshot.gripper, 0.0, 1.0))
            vector = [*pose[:3], *euler_to_axis_angle(*pose[3:]), half, -half]
            return {self.state_keys[0]: np.array(vector, dtype=np.float32)}
        joints = self._joints(snapshot)
        gripper = self.gripper.from_opening(float(np.clip(snapshot.gripper, 0.0, 1.0)))
        return {
            self.state_keys[0]: joints.astype(np.float32),
            self.state_keys[1]: np.array([gripper], dtype=np.float32),
        }

    def _joints(self, snapshot: RobotSnapshot) -> np.ndarray:
        if snapshot.joints is None:
            raise ValueError(f"profile {self.name!r} needs joint positions but none were received (joint_states)")
        joints = np.asarray(snapshot.joints, dtype=np.float64)
        if joints.shape != (self.joint_count,) or not np.all(np.isfinite(joints)):
            raise ValueError(f"profile {self.name!r} needs {self.joint_count} finite joint positions, got {joints}")
        return joints

    # --- actions -----------------------------------------------------------------------------

    def check_actions(self, actions: np.ndarray) -> str | None:
        """Why the server's ``actions`` do not fit this profile (names profile, expected and received), or None."""
        if actions.ndim != 2 or actions.shape[1] != self.action_dim or actions.shape[0] == 0:
            return (
                f"profile {self.name!r} expects actions of shape (H >= 1, {self.action_dim}) "
                f"({self.action_space.value}), the server returned {tuple(actions.shape)}"
            )
        return None

    def command(self, row: np.ndarray, snapshot: RobotSnapshot | None = None, period: float = 0.0):
        """One action row → :class:`EeDeltaCommand` or :class:`JointCommand` in robot units."""
        row = np.asarray(row, dtype=np.float64)
        gripper = self.gripper.to_opening(float(row[-1]))
        if self.action_space is ActionSpace.EE_DELTA:
            delta = np.concatenate([row[:3] * self.translation_scale, row[3:6] * self.rotation_scale])
            return EeDeltaCommand(delta, gripper)
        if self.action_space is ActionSpace.JOINT_POSITION:
            return JointCommand(row[: self.joint_count].copy(), gripper)
        if snapshot is None:
            raise ValueError(f"profile {self.name!r} integrates joint velocities: it needs the current joints")
        return JointCommand(self._joints(snapshot) + row[: self.joint_count] * period, gripper)

    def check_metadata(self, metadata: Mapping[str, Any], extra_keys: tuple[str, ...] = ()) -> str | None:
        """Compare what the server announces on connect (when it announces it) with this profile.

        ``extra_keys``: what the bridge sends besides the profile's keys (the simulator's scene).
        """
        problems = []
        announced = metadata.get("profile")
        if announced is not None and announced != self.name:
            problems.append(f"server announces profile {announced!r}")
        dim = metadata.get("action_dim")
        if dim is not None and int(dim) != self.action_dim:
            problems.append(f"server announces action_dim {dim}, the profile expects {self.action_dim}")
        horizon = metadata.get("action_horizon")
        if horizon is not None and int(horizon) < 1:
            problems.append(f"server announces action_horizon {horizon}")
        keys = metadata.get("observation_keys")
        if keys is not None:
            missing = sorted(set(keys) - set(self.observation_keys) - set(extra_keys))
            if missing:
                sent = [*self.observation_keys, *extra_keys]
                problems.append(f"server wants keys {missing} the profile does not send (it sends {sent})")
        if not problems:
            return None
        return f"profile {self.name!r} does not match the policy server: " + "; ".join(problems)


PROFILES: dict[str, PolicyProfile] = {
    profile.name: profile
    for profile in (
        PolicyProfile(
            name="bridge_ee_delta",
            images=(("observation/image", Camera.THIRD_PERSON),),
            image_size=224,
            state_layout=StateLayout.EE_EULER_GRIPPER,
            state_keys=("observation/state",),
            action_space=ActionSpace.EE_DELTA,
            action_dim=7,
            gripper=Gripper.OPEN_1,
            replan_steps=5,
            control_rate_hz=5.0,
            summary="WidowX fine-tune on Bridge-format data: EE delta [m, rad] per 5 Hz step, gripper 1 open",
        ),
        PolicyProfile(
            name="libero",
            images=(("observation/image", Camera.THIRD_PERSON), ("observation/wrist_image", Camera.WRIST)),
            image_size=224,
            state_layout=StateLayout.EE_AXIS_ANGLE_FINGERS,
            state_keys=("observation/state",),
            action_space=ActionSpace.EE_DELTA,
            action_dim=7,
            gripper=Gripper.SIGNED_CLOSE_POSITIVE,
            replan_steps=5,
            control_rate_hz=20.0,
            translation_scale=0.05,
            rotation_scale=0.5,
            summary="openpi pi05_libero contract: scaled EE deltas in [-1, 1], gripper -1 open / +1 close",
        ),
        PolicyProfile(
            name="joint_position",
            images=(
                ("observation/exterior_image_1_left", Camera.THIRD_PERSON),
                ("observation/wrist_image_left", Camera.WRIST),
            ),
            image_size=224,
            state_layout=StateLayout.JOINTS_GRIPPER_CLOSED,
            state_keys=("observation/joint_position", "observation/gripper_position"),
            action_space=ActionSpace.JOINT_POSITION,
            action_dim=7,
            gripper=Gripper.CLOSED_1,
            replan_steps=8,
            control_rate_hz=15.0,
            joint_count=6,
            summary="6-DoF joint-space fine-tune in DROID's keys: absolute joint targets [rad], gripper 1 closed",
        ),
    )
}
DEFAULT_PROFILE = "bridge_ee_delta"


def get_profile(name: str) -> PolicyProfile:
    """The shipped profile called ``name``, or ValueError listing the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown policy_profile {name!r}; shipped profiles: {sorted(PROFILES)}") from None
