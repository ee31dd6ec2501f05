"""Offscreen RGB images from the scene's cameras: the third-person ``bridge`` view and the ``wrist`` camera.

Why a small wrapper: the renderer owns an OpenGL context that must be created once, reused every step (cheap)
and closed explicitly (EGL contexts torn down at interpreter exit print errors), and a machine without a
working headless OpenGL must get an error that says what to install, not a crash deep in PyOpenGL.
"""

from __future__ import annotations

import os

import mujoco
import numpy as np

from sarl_sim.physics.scene_model import MAX_RENDER_SIZE
from sarl_sim.physics.world import PhysicsWorld

CAMERAS = ("bridge", "wrist")
"""Camera names in the scene: third-person over-the-shoulder view, and the camera on the gripper."""
DEFAULT_SIZE = 96
"""Image side (px) the stand-in VLA is meant to see."""


class RenderUnavailableError(RuntimeError):
    """No headless OpenGL here; the message names the backend tried and what to do."""


class CameraRenderer:
    """Renders square RGB frames of a :class:`PhysicsWorld`'s cameras; call :meth:`close` when done."""

    def __init__(self, world: PhysicsWorld, size: int = DEFAULT_SIZE) -> None:
        if not 16 <= size <= MAX_RENDER_SIZE:
            raise ValueError(f"size must be 16..{MAX_RENDER_SIZE} px (the model's offscreen buffer), got {size}")
        self._world = world
        backend = os.environ.get("MUJOCO_GL", "")
        try:
            self._renderer = mujoco.Renderer(world.model, size, size)
        except Exception as error:  # PyOpenGL raises its own error types per backend
            raise RenderUnavailableError(
                f"offscreen rendering failed with MUJOCO_GL={backend!r}: {type(error).__name__}: {error}. "
                "Headless rendering needs EGL (libegl1 + Mesa, MUJOCO_GL=egl) or OSMesa (libosmesa6, "
                "MUJOCO_GL=osmesa), chosen before mujoco is first imported."
            ) from error

    def render(self, camera: str) -> np.ndarray:
        """The current view of ``camera`` as (size, size, 3) uint8 RGB."""
        if camera not in CAMERAS:
            raise ValueError(f"unknown camera {camera!r}; cameras: {', '.join(CAMERAS)}")
        self._renderer.update_scene(self._world.data, camera=camera)
        return self._renderer.render().copy()

    def close(self) -> None:
        """Release the OpenGL context; safe to call twice."""
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None

    def __enter__(self) -> CameraRenderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
