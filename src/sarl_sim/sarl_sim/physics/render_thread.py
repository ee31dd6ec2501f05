"""A :class:`CameraRenderer` confined to one thread of its own, for callers that render from many threads.

Why: an EGL (or OSMesa) context can be current in only one thread at a time; MuJoCo's renderer makes its
context current on every render and never releases it, so a second thread's render fails with
``EGL_BAD_ACCESS`` (measured here). A ROS node renders from whichever executor thread runs the callback, so
the renderer is created, used and closed on one private thread, and callers wait for its answer.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from sarl_sim.physics.rendering import CameraRenderer
from sarl_sim.physics.world import PhysicsWorld

RENDER_TIMEOUT = 10.0
"""[s] longest wait for one frame (a software-rendered 128 px frame takes ~10 ms; this only bounds a hang)."""


class RenderThread:
    """Renders a :class:`PhysicsWorld`'s cameras on a private thread; raises what the renderer raises."""

    def __init__(self, world: PhysicsWorld, size: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mujoco_render")
        try:
            self._renderer: CameraRenderer | None = self._pool.submit(CameraRenderer, world, size).result(
                RENDER_TIMEOUT
            )
        except BaseException:
            self._pool.shutdown(wait=False)
            raise

    def render(self, camera: str) -> np.ndarray:
        """The current view of ``camera`` (see :meth:`CameraRenderer.render`); the caller keeps the world still."""
        if self._renderer is None:
            raise RuntimeError("the render thread is closed")
        return self._pool.submit(self._renderer.render, camera).result(RENDER_TIMEOUT)

    def close(self) -> None:
        """Free the OpenGL context on its own thread and end the thread; safe to call twice."""
        renderer, self._renderer = self._renderer, None
        if renderer is not None:
            self._pool.submit(renderer.close).result(RENDER_TIMEOUT)
            self._pool.shutdown(wait=True)
