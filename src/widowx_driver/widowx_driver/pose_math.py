"""End-effector pose conversions: 4x4 homogeneous matrix <-> ``[x, y, z, roll, pitch, yaw]``.

Why its own module: the real arm reports and accepts 4x4 poses, while
``ArmState`` and ``ArmCommand`` speak extrinsic x-y-z Euler angles (roll about
base x, then pitch about base y, then yaw about base z: ``R = Rz(yaw) Ry(pitch)
Rx(roll)``), the convention of the Bridge data and of the Interbotix toolbox.
One tested implementation keeps the two views from drifting apart.
"""

from __future__ import annotations

import numpy as np


def rpy_to_matrix(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """Rotation matrix ``Rz(yaw) @ Ry(pitch) @ Rx(roll)``."""
    cr, sr = np.cos(roll), np.sin(roll)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cy, sy = np.cos(yaw), np.sin(yaw)
    return np.array(
        [
            [cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
            [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
            [-sp, cp * sr, cp * cr],
        ]
    )


def matrix_to_rpy(rotation: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rpy_to_matrix`; pitch in [-pi/2, pi/2], roll = 0 at the gimbal-lock singularity."""
    rotation = np.asarray(rotation, dtype=float)
    if rotation.shape != (3, 3):
        raise ValueError(f"rotation must be 3x3, got {rotation.shape}")
    pitch = float(np.arcsin(np.clip(-rotation[2, 0], -1.0, 1.0)))
    if abs(rotation[2, 0]) < 1.0 - 1e-9:
        roll = float(np.arctan2(rotation[2, 1], rotation[2, 2]))
        yaw = float(np.arctan2(rotation[1, 0], rotation[0, 0]))
    else:  # gimbal lock: only roll - yaw (or roll + yaw) is defined; put it all in yaw
        roll = 0.0
        yaw = float(np.arctan2(-rotation[0, 1], rotation[1, 1]))
    return np.array([roll, pitch, yaw])


def pose_to_matrix(pose6: np.ndarray) -> np.ndarray:
    """4x4 homogeneous transform of ``[x, y, z, roll, pitch, yaw]``."""
    pose6 = np.asarray(pose6, dtype=float)
    if pose6.shape != (6,):
        raise ValueError(f"pose must be [x, y, z, roll, pitch, yaw], got shape {pose6.shape}")
    transform = np.eye(4)
    transform[:3, :3] = rpy_to_matrix(*pose6[3:])
    transform[:3, 3] = pose6[:3]
    return transform


def matrix_to_pose(transform: np.ndarray) -> np.ndarray:
    """``[x, y, z, roll, pitch, yaw]`` of a 4x4 homogeneous transform."""
    transform = np.asarray(transform, dtype=float)
    if transform.shape != (4, 4):
        raise ValueError(f"transform must be 4x4, got {transform.shape}")
    return np.concatenate([transform[:3, 3], matrix_to_rpy(transform[:3, :3])])
