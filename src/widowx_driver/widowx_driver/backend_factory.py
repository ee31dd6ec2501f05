"""Builds the arm backend a :class:`DriverConfig` asks for.

Why a separate function: the node takes any ``config -> ArmBackend`` callable,
so tests hand it a fake arm; and each backend module is imported only when
selected, so the simulator profile never imports interbotix and the real
robot never imports the simulator.
"""

from __future__ import annotations

import os

from widowx_driver.arm_backend import ArmBackend, BackendError
from widowx_driver.driver_config import DriverConfig


def make_backend(config: DriverConfig) -> ArmBackend:
    """The backend named by ``config.backend``, not yet connected."""
    if config.backend == "sim" and config.sim_world == "physics":
        try:
            from widowx_driver.physics_sim_backend import PhysicsSimBackend, render_size_for
        except Exception as error:  # MuJoCo loads its OpenGL backend at import: a missing or unknown one fails here
            raise BackendError(
                f"sim_world 'physics' cannot load MuJoCo with MUJOCO_GL={os.environ.get('MUJOCO_GL', '')!r}: "
                f"{type(error).__name__}: {error}. Headless rendering needs EGL (libegl1 + Mesa, MUJOCO_GL=egl, "
                "the default) or OSMesa (libosmesa6, MUJOCO_GL=osmesa)"
            ) from error
        return PhysicsSimBackend(task_name=config.task_name, seed=config.seed,
                                 render_size=render_size_for(config.image_width, config.image_height))  # fmt: skip
    if config.backend == "sim":
        from widowx_driver.sim_backend import SimBackend

        return SimBackend(task_name=config.task_name, seed=config.seed)
    if config.backend == "interbotix":
        from widowx_driver.camera import OpenCvCamera
        from widowx_driver.interbotix_backend import InterbotixBackend

        camera = (
            OpenCvCamera(config.camera_device, config.image_width, config.image_height)
            if config.camera_device
            else None
        )
        return InterbotixBackend(
            robot_model=config.robot_model,
            moving_time=1.0 / config.rate_hz,
            connect_timeout=config.connect_timeout,
            camera=camera,
        )
    raise ValueError(f"backend must be 'sim' or 'interbotix', got {config.backend!r}")
