"""Profiles without ROS: state layouts, action conversion, gripper conventions, metadata and shape checks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sarl_vla_bridge.profiles import (
    PROFILES,
    ActionSpace,
    Camera,
    EeDeltaCommand,
    Gripper,
    JointCommand,
    RobotSnapshot,
    get_profile,
)
from sarl_vla_bridge.state_math import euler_to_axis_angle, euler_to_matrix

POSE = np.array([0.3, -0.1, 0.2, 0.0, 0.0, np.pi / 2])
JOINTS = np.array([0.1, -0.2, 0.3, 0.0, 0.4, -0.1])
SNAPSHOT = RobotSnapshot({Camera.THIRD_PERSON: np.zeros((8, 8, 3), np.uint8)}, POSE, 0.25, JOINTS)


def test_every_shipped_profile_is_complete_and_the_default_is_bridge_ee_delta():
    assert sorted(PROFILES) == ["bridge_ee_delta", "joint_position", "libero"]
    for profile in PROFILES.values():
        assert profile.observation_keys[-1] == "prompt" and profile.replan_steps >= 1 and profile.control_rate_hz > 0
    with pytest.raises(ValueError, match="shipped profiles"):
        get_profile("droid")


@pytest.mark.parametrize(
    ("convention", "open_value", "closed_value"),
    [(Gripper.OPEN_1, 1.0, 0.0), (Gripper.CLOSED_1, 0.0, 1.0), (Gripper.SIGNED_CLOSE_POSITIVE, -1.0, 1.0)],
)
def test_gripper_conventions_map_open_and_closed_both_ways(convention, open_value, closed_value):
    assert convention.to_opening(open_value) == 1.0 and convention.to_opening(closed_value) == 0.0
    assert convention.from_opening(1.0) == open_value and convention.from_opening(0.0) == closed_value
    assert convention.to_opening(5.0) in (0.0, 1.0)  # out of range is clipped, never passed on


def test_state_layouts():
    bridge = get_profile("bridge_ee_delta").state(SNAPSHOT)["observation/state"]
    assert bridge.dtype == np.float32 and bridge.tolist() == pytest.approx([*POSE, 0.25])
    libero = get_profile("libero").state(SNAPSHOT)["observation/state"]
    assert libero.shape == (8,) and libero.tolist() == pytest.approx([0.3, -0.1, 0.2, 0, 0, np.pi / 2, 0.01, -0.01])
    joint = get_profile("joint_position").state(SNAPSHOT)
    assert joint["observation/joint_position"].tolist() == pytest.approx(JOINTS)
    assert joint["observation/gripper_position"].tolist() == [0.75]  # DROID: 1 = closed
    with pytest.raises(ValueError, match="needs joint positions"):
        get_profile("joint_position").state(RobotSnapshot({}, POSE, 0.5))


@pytest.mark.parametrize("euler", [(0.2, 0.3, 0.4), (-1.0, 0.5, 2.5), (np.pi, 0.0, 0.0), (0.0, 0.0, 0.0)])
def test_axis_angle_is_the_same_rotation(euler):
    vector = euler_to_axis_angle(*euler)
    angle = np.linalg.norm(vector)
    assert angle <= np.pi + 1e-9
    axis = vector / angle if angle > 0 else np.array([1.0, 0, 0])
    skew = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    rodrigues = np.eye(3) + np.sin(angle) * skew + (1 - np.cos(angle)) * skew @ skew
    assert np.allclose(rodrigues, euler_to_matrix(*euler), atol=1e-6)


def test_ee_delta_rows_are_scaled_per_profile():
    row = np.array([0.5, -1.0, 0.2, 0.0, 0.4, -0.2, 1.0])
    bridge = get_profile("bridge_ee_delta").command(row)
    assert isinstance(bridge, EeDeltaCommand) and bridge.delta.tolist() == pytest.approx(row[:6])
    assert bridge.gripper == 1.0
    libero = get_profile("libero").command(row)
    assert libero.delta.tolist() == pytest.approx([0.025, -0.05, 0.01, 0.0, 0.2, -0.1]) and libero.gripper == 0.0


def test_joint_rows_are_targets_or_integrated_velocities():
    row = np.array([0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 1.0])
    position = get_profile("joint_position").command(row)
    assert isinstance(position, JointCommand) and position.positions.tolist() == pytest.approx(row[:6])
    assert position.gripper == 0.0
    velocity = dataclasses.replace(get_profile("joint_position"), action_space=ActionSpace.JOINT_VELOCITY)
    moved = velocity.command(row, SNAPSHOT, period=0.1)
    assert moved.positions.tolist() == pytest.approx(JOINTS + row[:6] * 0.1)


def test_actions_and_metadata_are_checked_against_the_profile():
    libero = get_profile("libero")
    assert libero.check_actions(np.zeros((10, 7))) is None
    problem = libero.check_actions(np.zeros((15, 8)))
    assert "profile 'libero'" in problem and "(H >= 1, 7)" in problem and "(15, 8)" in problem
    assert libero.check_metadata({}) is None and libero.check_metadata({"reset_pose": [0, 1]}) is None
    problem = libero.check_metadata({"action_dim": 8, "observation_keys": ["observation/joint_position"]})
    assert "action_dim 8" in problem and "observation/joint_position" in problem
    with_scene = {"observation_keys": ["observation/image", "observation/state", "observation/scene", "prompt"]}
    assert "observation/scene" in get_profile("bridge_ee_delta").check_metadata(with_scene)
    assert get_profile("bridge_ee_delta").check_metadata(with_scene, ("observation/scene",)) is None
