"""The simulator backend: the sarl_sim world behind the driver's arm interface."""

import numpy as np
import pytest
from sarl_sim.scene import SCENE_DIM, encode_scene
from sarl_sim.world import HOME_STATE
from widowx_driver.arm_backend import BackendError
from widowx_driver.sim_backend import SIM_JOINT_NAMES, SimBackend

TASK = "pot_lid_to_towel"


@pytest.fixture
def backend():
    sim = SimBackend(TASK, seed=3)
    sim.connect()
    yield sim
    sim.close()


def test_unknown_task_fails_connect_naming_the_parameter():
    with pytest.raises(BackendError, match=r"task_name.*no_such_task"):
        SimBackend("no_such_task", 0).connect()


def test_starts_at_home_and_one_apply_is_one_world_step(backend):
    np.testing.assert_allclose(backend.state(), HOME_STATE)
    assert backend.apply(np.array([0.02, -0.01, 0.0, 0.0, 0.0, 0.1, 1.0]))
    np.testing.assert_allclose(backend.state()[:3], HOME_STATE[:3] + np.array([0.02, -0.01, 0.0]))
    names, positions = backend.joint_state()
    assert names == list(SIM_JOINT_NAMES)
    np.testing.assert_allclose(positions, backend.state())


def test_camera_frame_is_a_256_square_rgb_image_that_shows_motion(backend):
    before = backend.camera_frame()
    assert before.shape == (256, 256, 3) and before.dtype == np.uint8
    backend.apply(np.array([0.05, 0.05, -0.05, 0.0, 0.0, 0.0, 1.0]))
    assert np.any(backend.camera_frame() != before)


def test_scene_array_is_the_sims_own_stand_in_vla_encoding(backend):
    scene = backend.scene_array()
    assert scene.dtype == np.float32 and scene.shape[1] == SCENE_DIM
    np.testing.assert_array_equal(scene, encode_scene(backend._live_world()))


def test_reset_scene_is_deterministic_per_seed_and_can_switch_task(backend):
    first = backend.reset_scene("", 11)
    layout = backend.scene_array().copy()
    backend.apply(np.array([0.05, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]))
    assert backend.reset_scene(TASK, 11) == first
    np.testing.assert_array_equal(backend.scene_array(), layout)
    np.testing.assert_allclose(backend.state(), HOME_STATE)
    other = backend.reset_scene("stack_blocks", 11)
    assert other.task_name == "stack_blocks" and "red_block" in other.object_names
    with pytest.raises(ValueError, match="unknown task"):
        backend.reset_scene("no_such_task", 0)


def test_evaluate_task_reports_each_sub_goal(backend):
    success, detail = backend.evaluate_task()
    assert success is False
    assert detail == "On(pot_lid, towel): no"
