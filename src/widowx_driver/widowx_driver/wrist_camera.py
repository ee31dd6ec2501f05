"""The wrist camera behind ``camera/wrist/image_raw``: a second view, for policies trained with one.

openpi's LIBERO and DROID checkpoints (and WidowX fine-tunes that use a wrist
view) read a wrist image next to the third-person one. Real robot: a second
OpenCV/V4L2 device (``wrist_camera_device``), read in the background like the
first. Physics simulator: the camera on its gripper, rendered by the backend
(:class:`~widowx_driver.wrist_view.WristView`). Kinematic simulator: a close-up
from the gripper's point of view, i.e. the third-person render around the
gripper's projected position, magnified, so it moves with the hand and shows
what is between the fingers.
"""

from __future__ import annotations

import cv2
import numpy as np

from widowx_driver.camera import OpenCvCamera
from widowx_driver.wrist_view import WristView

WRIST_TOPIC = "camera/wrist/image_raw"
SIM_WRIST_FIELD_PX = 96
"""Side of the third-person patch (around the gripper) the simulated wrist view magnifies."""


def sim_wrist_view(third_person: np.ndarray, ee_state: np.ndarray) -> np.ndarray:
    """The simulated wrist image: the patch of ``third_person`` around the gripper, same size as ``third_person``."""
    from sarl_sim.camera import project

    height, width = third_person.shape[:2]
    u, v = project(float(ee_state[0]), float(ee_state[1]), float(ee_state[2]))
    half = SIM_WRIST_FIELD_PX // 2
    padded = cv2.copyMakeBorder(third_person, half, half, half, half, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    u, v = int(np.clip(u, 0, width - 1)) + half, int(np.clip(v, 0, height - 1)) + half
    patch = padded[v - half : v + half, u - half : u + half]
    return cv2.resize(patch, (width, height), interpolation=cv2.INTER_LINEAR)


class WristCamera:
    """Latest wrist frame: from a device (real), rendered by the backend (physics sim) or derived from the
    third-person render (kinematic sim)."""

    def __init__(self, device: OpenCvCamera | None, rendered: WristView | None = None) -> None:
        self._device = device
        self._rendered = rendered

    @classmethod
    def open(cls, backend: str, enabled: bool, device: str, width: int, height: int,
             rendered: WristView | None = None) -> WristCamera | None:  # fmt: skip
        """None when disabled; opens (bounded) and raises RuntimeError naming the device when it fails.

        ``rendered``: the backend, when it renders a wrist camera of its own (it then wins over both others).
        """
        if not enabled:
            return None
        if rendered is not None:
            return cls(None, rendered)
        if backend == "sim":
            return cls(None)
        camera = OpenCvCamera(device, width, height)
        camera.open()
        return cls(camera)

    def frame(self, third_person: np.ndarray | None, ee_state: np.ndarray) -> np.ndarray | None:
        """RGB (H, W, 3) uint8, or None when there is no frame yet."""
        if self._device is not None:
            return self._device.latest()
        if self._rendered is not None:
            return self._rendered.wrist_frame()
        return None if third_person is None else sim_wrist_view(third_person, ee_state)

    def problem(self) -> str | None:
        """Why a real wrist camera gives no frame (see OpenCvCamera.problem); None for the simulated ones."""
        return None if self._device is None else self._device.problem()

    def close(self) -> None:
        if self._device is not None:
            self._device.close()
