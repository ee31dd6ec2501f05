"""The physics backend's scene services: success read off the physics state, the scene array, new layouts.

The scripted expert drives the backend through the driver's own interface (``state`` / ``apply``); only the
expert reads the world's privileged poses.
"""

from __future__ import annotations

import numpy as np
import pytest
from sarl_sim.physics.expert import PickAndPlaceExpert
from sarl_sim.scene import validate_scene
from support.rendering import require_headless_rendering
from widowx_driver.physics_sim_backend import PhysicsSimBackend


@pytest.fixture
def backend():
    require_headless_rendering()
    arm = PhysicsSimBackend("banana_pot_sushi_bowl", seed=0, render_size=32)
    arm.connect()
    yield arm
    arm.close()


def test_the_task_succeeds_once_both_items_rest_in_their_places(backend):
    assert backend.evaluate_task() == (False, "In(banana, pot_right): no; In(sushi, bowl): no")
    expert = PickAndPlaceExpert(backend._world, backend)  # the backend is the expert's controller
    expert.pick("banana")
    scene = validate_scene(backend.scene_array())
    names = backend._world.object_names()
    banana, pot = names.index("banana"), names.index("pot_right")
    assert scene[banana, 9] == 1.0, "held column"
    expert.place("banana", "pot_right")
    backend._world.settle(0.5)
    scene = backend.scene_array()
    assert scene[banana, 9] == 0.0 and scene[banana, 10] == pot, "support column: in the right pot"
    assert backend.evaluate_task() == (False, "In(banana, pot_right): yes; In(sushi, bowl): no")
    expert.pick_and_place("sushi", "bowl")
    backend._world.settle(0.5)
    assert backend.evaluate_task()[0]


def test_reset_scene_lays_out_a_new_task_and_refuses_bad_requests(backend):
    before = backend.scene_array()
    info = backend.reset_scene("pot_lid_to_towel", seed=3)
    assert info.task_name == "pot_lid_to_towel" and "pot_lid" in info.object_names
    assert backend.evaluate_task()[0] is False
    assert backend.camera_frame().shape == (32, 32, 3)
    assert not np.array_equal(before.shape, backend.scene_array().shape) or not np.allclose(
        before, backend.scene_array())
    with pytest.raises(ValueError, match="seed"):
        backend.reset_scene("", seed=-1)
    with pytest.raises(ValueError):
        backend.reset_scene("no_such_task", seed=0)
    assert backend.reset_scene("", seed=4).task_name == "pot_lid_to_towel", "'' keeps the task"
