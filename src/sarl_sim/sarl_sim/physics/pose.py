"""Rotation matrix <-> ``[roll, pitch, yaw]`` in the driver's convention (``R = Rz(yaw) Ry(pitch) Rx(roll)``).

Why a copy of ``widowx_driver.pose_math`` here: ``widowx_driver`` depends on ``sarl_sim``, not the other way
round; the physics tests check that both give the same numbers, so the two views cannot drift apart.
"""

from __future__ import annotations

import numpy as np


def rpy_to_matrix(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """Rotation matrix ``Rz(yaw) @ Ry(pitch) @ Rx(roll)``."""
    cr, sr, cp, sp, cy, sy = np.cos(roll), np.sin(roll), np.cos(pitch), np.sin(pitch), np.cos(yaw), np.sin(yaw)
    return np.array(
        [
            [cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
            [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
            [-sp, cp * sr, cp * cr],
        ]
    )


def matrix_to_rpy(rotation: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rpy_to_matrix`; pitch in [-pi/2, pi/2], roll = 0 at the gimbal-lock singularity."""
    pitch = float(np.arcsin(np.clip(-rotation[2, 0], -1.0, 1.0)))
    if abs(rotation[2, 0]) < 1.0 - 1e-9:
        return np.array([np.arctan2(rotation[2, 1], rotation[2, 2]), pitch, np.arctan2(rotation[1, 0], rotation[0, 0])])
    return np.array([0.0, pitch, np.arctan2(-rotation[0, 1], rotation[1, 1])])
