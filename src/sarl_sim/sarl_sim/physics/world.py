"""One physics scene: the compiled MuJoCo model and state, built from a task layout, with privileged queries.

Why a class around ``MjModel``/``MjData``: the controller, the renderer, the scripted expert and the tests all
need the same few facts (where an object is, which joints are whose, how to let the scene settle) and should
not each look up MuJoCo ids by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import mujoco
import numpy as np

from sarl_sim.objects import ObjectInstance
from sarl_sim.physics.arm_model import ARM_JOINT_NAMES, FINGER_JOINT_NAMES, FINGER_OPEN, JOINT_NAMES
from sarl_sim.physics.scene_model import scene_xml
from sarl_sim.world import TabletopWorld

HOME_JOINTS = np.array([0.0, -0.2586, 0.7242, 0.0, 0.8343, 0.0])
"""Arm joints at home (rad): end effector at (0.25, 0, 0.10) m, pitched 1.3 rad down, above the table centre."""
SETTLE_SECONDS = 0.3
"""How long a new scene runs before it is handed out, so objects rest on their supports."""


class PhysicsWorld:
    """A compiled scene whose objects are the layout's; the arm starts at :data:`HOME_JOINTS`, gripper open."""

    def __init__(self, objects: Sequence[ObjectInstance], bases: np.ndarray, yaws: Sequence[float] | None = None):
        self.objects: tuple[ObjectInstance, ...] = tuple(objects)
        self.model = mujoco.MjModel.from_xml_string(scene_xml(self.objects, bases, yaws))
        self.data = mujoco.MjData(self.model)
        self.arm_qpos_index = np.array([self.model.joint(n).qposadr[0] for n in ARM_JOINT_NAMES])
        self.finger_qpos_index = np.array([self.model.joint(n).qposadr[0] for n in FINGER_JOINT_NAMES])
        self.joint_qpos_index = np.concatenate([self.arm_qpos_index, self.finger_qpos_index])
        self.arm_actuators = np.array([self.model.actuator(n).id for n in ARM_JOINT_NAMES])
        self.finger_actuators = np.array([self.model.actuator(n).id for n in FINGER_JOINT_NAMES])
        self._object_body = {obj.name: self.model.body(obj.name).id for obj in self.objects}
        self.set_arm(HOME_JOINTS, finger=FINGER_OPEN)
        self.settle(SETTLE_SECONDS)

    @classmethod
    def from_layout(cls, layout: TabletopWorld, yaws: Sequence[float] | None = None) -> PhysicsWorld:
        """The physics twin of a kinematic layout (e.g. ``get_task(name).build(rng)``), arm at home."""
        return cls(layout.objects, layout.positions, yaws)

    # ------------------------------------------------------------------ state
    def set_arm(self, joints: np.ndarray, finger: float) -> None:
        """Teleport the arm to ``joints`` with the fingers at ``finger`` (m), servos holding there."""
        self.data.qpos[self.arm_qpos_index] = joints
        self.data.qpos[self.finger_qpos_index] = (finger, -finger)
        self.data.qvel[:] = 0.0
        self.data.ctrl[self.arm_actuators] = joints
        self.data.ctrl[self.finger_actuators] = (finger, -finger)
        mujoco.mj_forward(self.model, self.data)

    def settle(self, seconds: float) -> None:
        """Run the physics with the current servo targets for ``seconds``."""
        mujoco.mj_step(self.model, self.data, nstep=max(1, round(seconds / self.model.opt.timestep)))

    def arm_joints(self) -> np.ndarray:
        """Measured arm joint angles (rad), in :data:`ARM_JOINT_NAMES` order."""
        return self.data.qpos[self.arm_qpos_index].copy()

    def joint_positions(self) -> tuple[list[str], np.ndarray]:
        """All joint names (the real ones) and positions, for ``sensor_msgs/JointState``."""
        return list(JOINT_NAMES), self.data.qpos[self.joint_qpos_index].copy()

    # ------------------------------------------------------- privileged queries
    def object_names(self) -> list[str]:
        return [obj.name for obj in self.objects]

    def object(self, name: str) -> ObjectInstance:
        for obj in self.objects:
            if obj.name == name:
                return obj
        raise ValueError(f"no object {name!r} in this scene; objects: {', '.join(self.object_names())}")

    def object_position(self, name: str) -> np.ndarray:
        """Base centre of object ``name`` (m, world frame)."""
        return self.data.xpos[self._body(name)].copy()

    def object_rotation(self, name: str) -> np.ndarray:
        """Rotation matrix of object ``name``."""
        return self.data.xmat[self._body(name)].reshape(3, 3).copy()

    def _body(self, name: str) -> int:
        try:
            return self._object_body[name]
        except KeyError:
            raise ValueError(f"no object {name!r} in this scene; objects: {', '.join(self.object_names())}") from None
