"""Optional backend capability: a joint-space move of the end effector to a pose.

Why a second small interface (like :class:`~widowx_driver.arm_backend.SceneControl`): only a real arm
needs it, to leave poses where Cartesian steps are refused (the Interbotix sleep pose sits next to
the shoulder limit; a twisted wrist), and the driver offers its ``move_to_pose`` service exactly when
the backend has it.
"""

from __future__ import annotations

import abc

import numpy as np


class JointMotion(abc.ABC):
    @abc.abstractmethod
    def move_to_pose(self, pose6: np.ndarray) -> float:
        """Start a joint-space move to ``[x, y, z, roll, pitch, yaw]``; return its duration [s].

        Non-blocking; a later :meth:`ArmBackend.hold` stops it where the arm is. Raises
        :class:`~widowx_driver.arm_backend.BackendError` when the pose has no solution.
        """
