"""Optional backend capability: a wrist camera the backend renders itself (the physics simulator).

Why a separate small interface (like :class:`~widowx_driver.joint_control.JointControl`): the real arm's wrist
camera is a device the driver opens, the kinematic simulator's is cut from its third-person picture, and only
the physics world has a camera on the gripper to render from; :class:`~widowx_driver.wrist_camera.WristCamera`
uses this one exactly when the backend has it.
"""

from __future__ import annotations

import abc

import numpy as np


class WristView(abc.ABC):
    @abc.abstractmethod
    def wrist_frame(self) -> np.ndarray | None:
        """The wrist camera's current RGB frame (H, W, 3) uint8, or None when there is none."""
