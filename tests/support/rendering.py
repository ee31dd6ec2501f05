"""Skip, with the reason, where MuJoCo cannot render offscreen (tests of the physics world's cameras)."""

from __future__ import annotations

import numpy as np
import pytest


def require_headless_rendering() -> None:
    from sarl_sim.physics.rendering import CameraRenderer, RenderUnavailableError
    from sarl_sim.physics.world import PhysicsWorld

    try:
        CameraRenderer(PhysicsWorld([], np.zeros((0, 3))), 16).close()
    except RenderUnavailableError as error:
        pytest.skip(str(error))
