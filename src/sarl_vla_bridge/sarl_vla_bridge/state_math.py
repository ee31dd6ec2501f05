"""Orientation conversion for state layouts: ``ArmState``'s Euler angles → axis-angle (LIBERO's state).

``ArmState`` speaks extrinsic x-y-z Euler angles (``R = Rz(yaw) Ry(pitch) Rx(roll)``, the
driver's ``pose_math``); openpi's LIBERO example sends ``_quat2axisangle(eef_quat)``, a
rotation vector whose norm is the angle in [0, pi]. Kept here (not imported from the driver)
so the bridge stays free of the driver package.
"""

from __future__ import annotations

import numpy as np


def euler_to_matrix(roll: float, pitch: float, yaw: float) -> np.ndarray:
    cr, sr, cp, sp, cy, sy = np.cos(roll), np.sin(roll), np.cos(pitch), np.sin(pitch), np.cos(yaw), np.sin(yaw)
    return np.array(
        [
            [cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
            [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
            [-sp, cp * sr, cp * cr],
        ]
    )


def euler_to_axis_angle(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """(3,) rotation vector of the extrinsic xyz Euler rotation; angle in [0, pi]."""
    rotation = euler_to_matrix(roll, pitch, yaw)
    cos_angle = np.clip((np.trace(rotation) - 1.0) / 2.0, -1.0, 1.0)
    angle = float(np.arccos(cos_angle))
    if angle < 1e-9:
        return np.zeros(3)
    if np.pi - angle < 1e-6:  # near pi the skew part vanishes: take the axis from the symmetric part
        axis = np.sqrt(np.clip((np.diag(rotation) + 1.0) / 2.0, 0.0, None))
        signs = np.sign([1.0, rotation[0, 1] + rotation[1, 0], rotation[0, 2] + rotation[2, 0]])
        axis = axis * np.where(signs == 0, 1.0, signs) if axis[0] > 1e-6 else axis
        return axis / np.linalg.norm(axis) * angle
    skew = np.array([rotation[2, 1] - rotation[1, 2], rotation[0, 2] - rotation[2, 0], rotation[1, 0] - rotation[0, 1]])
    return skew / (2.0 * np.sin(angle)) * angle
