"""The MJCF arm carries the wx250s facts: real joint names, limits, masses, finger travel, zero pose."""

from __future__ import annotations

import mujoco
import numpy as np
import pytest
from sarl_sim.physics import arm_model
from sarl_sim.physics.arm_model import ARM_JOINT_NAMES, FINGER_CLOSED, FINGER_OPEN, JOINTS
from sarl_sim.physics.pose import matrix_to_rpy, rpy_to_matrix
from sarl_sim.physics.world import PhysicsWorld

URDF_LIMITS = {
    "waist": (-3.141582653589793, 3.141582653589793),
    "shoulder": (-1.8849555921538759, 1.9896753472735358),
    "elbow": (-2.1467549799530254, 1.6057029118347832),
    "forearm_roll": (-3.141582653589793, 3.141582653589793),
    "wrist_angle": (-1.7453292519943295, 2.1467549799530254),
    "wrist_rotate": (-3.141582653589793, 3.141582653589793),
    "left_finger": (0.015, 0.037),
    "right_finger": (-0.037, -0.015),
}
"""Copied by hand from the wx250s URDF, independently of ``arm_model``."""


def test_the_joints_have_the_real_names_in_driver_order(task_world: PhysicsWorld) -> None:
    names, positions = task_world.joint_positions()
    assert names == ["waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate",
                     "left_finger", "right_finger"]  # fmt: skip
    assert positions.shape == (8,)


@pytest.mark.parametrize("name", list(URDF_LIMITS))
def test_the_compiled_joint_limits_are_the_urdf_limits(task_world: PhysicsWorld, name: str) -> None:
    model = task_world.model
    joint = model.joint(name)
    assert model.jnt_limited[joint.id]
    np.testing.assert_allclose(joint.range, URDF_LIMITS[name], atol=1e-9)


def test_link_masses_add_up_to_the_urdf_arm() -> None:
    world_mass = sum(fact.mass for fact in arm_model.INERTIALS.values())
    model = PhysicsWorld([], np.zeros((0, 3))).model
    arm_bodies = [model.body(name).id for name in ("base_link", "shoulder_link", "upper_arm_link",
                  "upper_forearm_link", "lower_forearm_link", "wrist_link", "gripper_link", "gripper_prop_link",
                  "gripper_bar_link", "left_finger_link", "right_finger_link")]  # fmt: skip
    assert model.body_mass[arm_bodies].sum() == pytest.approx(world_mass, rel=1e-6)
    # The URDF's links (less its three 1 g placeholders), summed by hand from the file.
    assert world_mass == pytest.approx(2.134879, abs=1e-6)


def test_zero_pose_puts_the_end_effector_where_the_toolbox_says() -> None:
    """Interbotix's ``mr_descriptions.wx250s.M`` has the end effector at (0.458325, 0, 0.36065) m at zero."""
    world = PhysicsWorld([], np.zeros((0, 3)))
    world.set_arm(np.zeros(6), finger=FINGER_OPEN)
    np.testing.assert_allclose(world.data.site("ee_gripper").xpos, (0.458325, 0.0, 0.36065), atol=1e-6)


def test_fingers_travel_the_urdf_range_and_the_right_one_mirrors(task_world: PhysicsWorld) -> None:
    for finger in (FINGER_CLOSED, FINGER_OPEN):
        task_world.set_arm(task_world.arm_joints(), finger=finger)
        left, right = task_world.data.qpos[task_world.finger_qpos_index]
        assert left == pytest.approx(finger) and right == pytest.approx(-finger)
    assert JOINTS["left_finger"].upper - JOINTS["left_finger"].lower == pytest.approx(0.022)


def test_servo_force_limits_are_the_urdf_efforts(task_world: PhysicsWorld) -> None:
    efforts = {"waist": 10, "shoulder": 20, "elbow": 15, "forearm_roll": 2, "wrist_angle": 5, "wrist_rotate": 1}
    for name in ARM_JOINT_NAMES:
        np.testing.assert_allclose(task_world.model.actuator(name).forcerange, (-efforts[name], efforts[name]))


def test_pose_math_matches_the_driver() -> None:
    pose_math = pytest.importorskip("widowx_driver.pose_math", reason="the driver package is not on the path")
    rng = np.random.default_rng(3)
    for roll, pitch, yaw in rng.uniform(-1.5, 1.5, size=(20, 3)):
        np.testing.assert_allclose(rpy_to_matrix(roll, pitch, yaw), pose_math.rpy_to_matrix(roll, pitch, yaw))
        rotation = rpy_to_matrix(roll, pitch, yaw)
        np.testing.assert_allclose(matrix_to_rpy(rotation), pose_math.matrix_to_rpy(rotation), atol=1e-12)


def test_objects_rest_still_after_the_scene_settles(task_world: PhysicsWorld) -> None:
    before = {name: task_world.object_position(name) for name in task_world.object_names()}
    task_world.settle(1.0)
    for name, position in before.items():
        assert np.linalg.norm(task_world.object_position(name) - position) < 0.002, name
    assert not np.isnan(task_world.data.qpos).any()
    assert mujoco.mj_name2id(task_world.model, mujoco.mjtObj.mjOBJ_CAMERA, "bridge") >= 0
