"""The driver's delta interface on the physics arm: IK reaches poses, deltas move the hand by about the delta."""

from __future__ import annotations

import numpy as np
import pytest
from sarl_sim.physics.arm_control import DeltaArmController
from sarl_sim.physics.pose import rpy_to_matrix
from sarl_sim.physics.world import HOME_JOINTS, PhysicsWorld

PITCH_DOWN = 1.3
"""Gripper pitch the scripted expert uses (rad)."""


def _targets() -> list[tuple[float, float, float]]:
    """A grid over the Bridge workspace box the arm can reach with a steep gripper (x 0.15-0.40, z -0.08-0.15)."""
    return [(x, y, z) for x in (0.15, 0.25, 0.40) for y in (-0.15, 0.05, 0.25) for z in (-0.08, 0.03, 0.15)]


@pytest.mark.parametrize("target", _targets())
def test_ik_reaches_workspace_poses_within_tolerance(controller: DeltaArmController, target) -> None:
    yaw = float(np.arctan2(target[1], target[0]))
    solution = controller.ik.solve(np.array(target), rpy_to_matrix(0.0, PITCH_DOWN, yaw), seed=HOME_JOINTS)
    assert solution.reached, solution
    position, _ = controller.ik.forward(solution.joints)
    assert np.linalg.norm(position - target) < 0.002
    assert np.all(solution.joints >= controller.ik._low - 1e-9) and np.all(
        solution.joints <= controller.ik._high + 1e-9
    )


def test_ik_reports_a_pose_out_of_reach(controller: DeltaArmController) -> None:
    solution = controller.ik.solve(np.array([0.9, 0.0, 0.1]), rpy_to_matrix(0, PITCH_DOWN, 0), seed=HOME_JOINTS)
    assert not solution.reached
    assert solution.position_error > 0.1


@pytest.mark.parametrize(
    "delta",
    [(0.03, 0, 0), (-0.03, 0, 0), (0, 0.03, 0), (0, -0.03, 0), (0, 0, 0.03), (0, 0, -0.03), (0.04, -0.03, -0.04)],
)
def test_a_delta_moves_the_end_effector_by_about_that_delta(controller: DeltaArmController, delta) -> None:
    before = controller.state()
    assert controller.apply(np.array([*delta, 0.0, 0.0, 0.0, 1.0]))
    moved = controller.state()[:3] - before[:3]
    np.testing.assert_allclose(moved, delta, atol=0.004)  # the servos settle to ~90 % within the 0.2 s period
    controller.apply(np.array([0, 0, 0, 0, 0, 0, 1.0]))  # one more period: the rest of the way
    np.testing.assert_allclose(controller.state()[:3] - before[:3], delta, atol=0.002)


def test_a_rotation_delta_turns_the_gripper(controller: DeltaArmController) -> None:
    before = controller.state()
    for _ in range(2):
        controller.apply(np.array([0, 0, 0, 0, 0, 0.2, 1.0]))
        controller.apply(np.zeros(7) + np.array([0, 0, 0, 0, 0, 0, 1.0]))
    assert controller.state()[5] - before[5] == pytest.approx(0.4, abs=0.04)


def test_an_unreachable_delta_is_refused_and_the_arm_holds(controller: DeltaArmController) -> None:
    controller.apply(np.array([0, 0, 0, 0, 0, 0, 1.0]))
    before = controller.state()
    assert not controller.apply(np.array([0.8, 0, 0, 0, 0, 0, 1.0]))
    np.testing.assert_allclose(controller.state()[:3], before[:3], atol=0.002)


def test_non_finite_deltas_are_rejected_with_a_message(controller: DeltaArmController) -> None:
    with pytest.raises(ValueError, match="7 finite numbers"):
        controller.apply(np.array([np.nan, 0, 0, 0, 0, 0, 1.0]))


def test_the_gripper_opening_follows_the_binary_command(task_world: PhysicsWorld) -> None:
    controller = DeltaArmController(task_world)
    assert controller.state()[6] == pytest.approx(1.0, abs=0.01)
    controller.apply(np.array([0, 0, 0, 0, 0, 0, 0.2]))
    assert controller.state()[6] == pytest.approx(0.0, abs=0.02)
    controller.apply(np.array([0, 0, 0, 0, 0, 0, 0.7]))
    assert controller.state()[6] == pytest.approx(1.0, abs=0.02)
    names, positions = controller.joint_state()
    assert names[-3:] == ["gripper", "left_finger", "right_finger"]  # the real xs_sdk's order
    assert positions[7] == pytest.approx(0.037, abs=0.001) and positions[8] == pytest.approx(-0.037, abs=0.001)
    assert positions[6] == pytest.approx(1.268, abs=0.02)  # the servo angle of a fully open gripper


@pytest.mark.parametrize("angle", [-0.4, 0.0, 0.6, 1.27])
def test_the_gripper_joint_is_the_servo_angle_the_xs_sdk_derives_the_fingers_from(angle: float) -> None:
    from sarl_sim.physics.arm_model import gripper_servo_angle

    horn, arm = 0.014, 0.024  # the xs_sdk's robot_convert_angular_position_to_linear, with the wx250s numbers
    finger = horn * np.sin(angle) + np.sqrt(arm**2 - (horn * np.cos(angle)) ** 2)
    assert gripper_servo_angle(finger) == pytest.approx(angle, abs=1e-9)


def test_a_joint_target_is_reached_in_about_one_control_period(controller: DeltaArmController) -> None:
    start = controller.joint_state()[1][:6]
    goal = start + np.array([0.1, -0.05, 0.05, 0.0, 0.08, 0.0])
    assert controller.apply_joints(goal, gripper=None)
    np.testing.assert_allclose(controller.joint_state()[1][:6], goal, atol=0.02)
    controller.apply_joints(goal, gripper=None)  # one more period: the rest of the way
    np.testing.assert_allclose(controller.joint_state()[1][:6], goal, atol=0.005)


@pytest.mark.parametrize(
    "offset,why",
    [((0.7, 0, 0, 0, 0, 0), "0.7 rad in 0.2 s is faster than the 3.14 rad/s velocity limit"),
     ((0, 0, 0, 0, -2.65, 0), "wrist_angle below its -1.745 rad limit")],
)  # fmt: skip
def test_a_joint_target_past_the_limits_is_refused_and_nothing_moves(controller: DeltaArmController, offset, why):
    before = controller.joint_state()[1].copy()
    assert not controller.apply_joints(before[:6] + np.array(offset), gripper=0.0), why
    np.testing.assert_array_equal(controller.joint_state()[1], before)  # the gripper did not close either
