"""Optional backend capability: absolute joint targets for the arm (the ``joint_command`` path).

Why a separate small interface (like :class:`~widowx_driver.joint_motion.JointMotion`): only an arm
with real joints can take joint targets (the real arm, the physics simulator). The kinematic simulator's
"joints" are its end-effector pose, so it does not implement this, and the driver refuses joint commands
for it instead of pretending.
"""

from __future__ import annotations

import abc

import numpy as np


class JointControl(abc.ABC):
    @abc.abstractmethod
    def arm_joint_names(self) -> tuple[str, ...]:
        """The arm's joints, in the order :meth:`measured_arm_joints` and :meth:`apply_joints` use."""

    @abc.abstractmethod
    def measured_arm_joints(self) -> np.ndarray:
        """The arm joints [rad] as last measured; raises BackendError when the measurement is stale."""

    @abc.abstractmethod
    def end_effector_position(self, joints: np.ndarray) -> np.ndarray:
        """[x, y, z] [m] of the end effector at ``joints`` (forward kinematics), in the driver's frame."""

    @abc.abstractmethod
    def apply_joints(self, joints: np.ndarray, gripper: float | None) -> bool:
        """Start moving the arm to ``joints`` over one control period (non-blocking); gripper opening 0..1 or None.

        Returns False when the arm's own limits refuse the target (joint or velocity limit); then nothing moves.
        """
