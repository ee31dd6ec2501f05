"""Damped-least-squares inverse kinematics of the end-effector site on the MuJoCo model.

Why on the model itself: the solver and the physics then share one kinematic description, so a solved pose
is exactly where the servos will take the site. Works on a private ``MjData`` so solving never disturbs the
simulation. Orientation error is the rotation vector of ``R_target R_current^T`` (no Euler angles inside, so
no gimbal lock at pitch = pi/2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import mujoco
import numpy as np

POSITION_TOLERANCE = 0.002
"""Largest position error of a solution (m); the Interbotix toolbox accepts 1 mm, its motors settle to ~2 mm."""
ROTATION_TOLERANCE = 0.02
"""Largest orientation error of a solution (rad)."""


@dataclass(frozen=True)
class IkSolution:
    """The joints found and how far their pose is from the target."""

    joints: np.ndarray
    """Arm joint angles (rad), within the joint limits."""
    position_error: float
    """|target - reached| (m)."""
    rotation_error: float
    """Angle between target and reached orientation (rad)."""

    @property
    def reached(self) -> bool:
        """Whether the pose is within :data:`POSITION_TOLERANCE` and :data:`ROTATION_TOLERANCE`."""
        return self.position_error <= POSITION_TOLERANCE and self.rotation_error <= ROTATION_TOLERANCE


def rotation_vector(rotation: np.ndarray) -> np.ndarray:
    """Axis * angle of a rotation matrix (the log map), robust near 0 and pi."""
    quat = np.empty(4)
    mujoco.mju_mat2Quat(quat, np.ascontiguousarray(rotation, dtype=float).reshape(9))
    velocity = np.empty(3)
    mujoco.mju_quat2Vel(velocity, quat, 1.0)
    return velocity


class DampedLeastSquaresIk:
    """Solves arm joints for a site pose; joint limits are enforced by clipping every iterate.

    ``joint_damping_weights`` damp some joints more: at the wx250s wrist singularity (``wrist_angle`` = 0,
    forearm_roll and wrist_rotate aligned) plain DLS swings both rolls by ~pi instead of letting the wrist
    pass through zero; damping the rolls harder keeps the solution on the untwisted branch.
    """

    def __init__(
        self,
        model: mujoco.MjModel,
        site: str,
        joints: Sequence[str],
        damping: float = 0.03,
        max_iterations: int = 60,
        max_step: float = 0.3,
        joint_damping_weights: Sequence[float] | None = None,
    ) -> None:
        self._model = model
        self._data = mujoco.MjData(model)
        self._site = model.site(site).id
        self._qpos_index = np.array([model.joint(name).qposadr[0] for name in joints])
        self._dof_index = np.array([model.joint(name).dofadr[0] for name in joints])
        self._low = np.array([model.joint(name).range[0] for name in joints])
        self._high = np.array([model.joint(name).range[1] for name in joints])
        weights = np.ones(len(joints)) if joint_damping_weights is None else np.asarray(joint_damping_weights, float)
        if weights.shape != (len(joints),) or np.any(weights <= 0):
            raise ValueError(f"joint_damping_weights must be {len(joints)} positive numbers, got {weights}")
        self._damping = np.diag(damping**2 * weights)
        self._max_iterations = max_iterations
        self._max_step = max_step
        self._jac_position = np.zeros((3, model.nv))
        self._jac_rotation = np.zeros((3, model.nv))

    def forward(self, joints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Site position (3,) and rotation matrix (3, 3) at ``joints``."""
        self._data.qpos[self._qpos_index] = joints
        mujoco.mj_kinematics(self._model, self._data)
        return self._data.site_xpos[self._site].copy(), self._data.site_xmat[self._site].reshape(3, 3).copy()

    def solve(self, target_position: np.ndarray, target_rotation: np.ndarray, seed: np.ndarray) -> IkSolution:
        """Joints nearest ``seed`` (by iteration from it) putting the site at the target pose."""
        joints = np.clip(np.asarray(seed, dtype=float), self._low, self._high)
        target_position = np.asarray(target_position, dtype=float)
        target_rotation = np.asarray(target_rotation, dtype=float)
        position_error = rotation_error = np.inf
        for _ in range(self._max_iterations):
            position, rotation = self.forward(joints)
            error = np.concatenate([target_position - position, rotation_vector(target_rotation @ rotation.T)])
            position_error, rotation_error = float(np.linalg.norm(error[:3])), float(np.linalg.norm(error[3:]))
            if position_error <= POSITION_TOLERANCE / 4 and rotation_error <= ROTATION_TOLERANCE / 4:
                break
            mujoco.mj_comPos(self._model, self._data)
            mujoco.mj_jacSite(self._model, self._data, self._jac_position, self._jac_rotation, self._site)
            jacobian = np.vstack([self._jac_position[:, self._dof_index], self._jac_rotation[:, self._dof_index]])
            step = np.linalg.solve(jacobian.T @ jacobian + self._damping, jacobian.T @ error)
            largest = np.abs(step).max()
            if largest > self._max_step:
                step *= self._max_step / largest
            joints = np.clip(joints + step, self._low, self._high)
        else:
            position, rotation = self.forward(joints)
            position_error = float(np.linalg.norm(target_position - position))
            rotation_error = float(np.linalg.norm(rotation_vector(target_rotation @ rotation.T)))
        return IkSolution(joints, position_error, rotation_error)
