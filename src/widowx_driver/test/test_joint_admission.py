"""Joint commands without ROS: names, finite values, the step limit, the workspace box, the newest-target slot."""

import math

import numpy as np
import pytest
from widowx_driver.joint_admission import JointCommandError, JointLimits, parse_joint_command
from widowx_driver.joint_command_slot import NewestJointTarget

ARM = ("waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate")
TARGET = [0.1, -0.2, 0.3, 0.0, 0.5, -0.1]
LIMITS = JointLimits(max_joint_step=0.1, workspace_min=(0.1, -0.15, -0.1), workspace_max=(0.45, 0.25, 0.18))
INSIDE = np.array([0.25, 0.05, 0.12])


def test_names_in_any_order_map_to_the_arm_order_and_the_gripper_is_optional():
    shuffled = [*reversed(ARM), "gripper"]
    target = parse_joint_command(shuffled, [*reversed(TARGET), 0.3], ARM, 12.5)
    assert target.positions.tolist() == TARGET
    assert (target.gripper, target.gripper_clipped, target.stamp_s) == (0.3, False, 12.5)
    assert parse_joint_command(ARM, TARGET, ARM, 0.0).gripper is None


@pytest.mark.parametrize("gripper,expected", [(1.7, 1.0), (-0.2, 0.0)])
def test_a_gripper_outside_0_1_is_clipped_and_says_so(gripper, expected):
    target = parse_joint_command([*ARM, "gripper"], [*TARGET, gripper], ARM, 0.0)
    assert (target.gripper, target.gripper_clipped) == (expected, True)


@pytest.mark.parametrize(
    "names,positions,match",
    [
        (ARM[:5], TARGET[:5], r"missing \['wrist_rotate'\]"),
        ([*ARM, "elbow_2"], [*TARGET, 0.0], r"unexpected \['elbow_2'\]"),
        (["ee_x", "ee_y", "ee_z", "ee_roll", "ee_pitch", "ee_yaw", "gripper"], [0.0] * 7, "missing"),  # the sim's
        ([*ARM, "elbow"], [*TARGET, 0.0], "more than once"),
        (ARM, TARGET[:5], "6 names but 5 positions"),
        (ARM, [*TARGET[:2], math.nan, *TARGET[3:]], r"non-finite value for \['elbow'\]"),
        ([*ARM, "gripper"], [*TARGET, math.inf], r"non-finite value for \['gripper'\]"),
    ],
)
def test_malformed_commands_are_refused_saying_what_is_wrong(names, positions, match):
    with pytest.raises(JointCommandError, match=match):
        parse_joint_command(names, positions, ARM, 0.0)


def test_a_step_up_to_the_limit_inside_the_box_is_allowed():
    target = parse_joint_command(ARM, TARGET, ARM, 0.0)
    measured = np.array(TARGET) - np.array([0.1, -0.1, 0.05, 0.0, 0.0, 0.0])
    assert LIMITS.problem(target, measured, ARM, INSIDE) is None


def test_a_step_over_the_limit_on_one_joint_is_refused_naming_it():
    target = parse_joint_command(ARM, TARGET, ARM, 0.0)
    measured = np.array(TARGET) + np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.101])
    assert "wrist_rotate would move 0.101 rad" in LIMITS.problem(target, measured, ARM, INSIDE)


@pytest.mark.parametrize("end_effector", [[0.25, 0.05, 0.181], [0.09, 0.05, 0.12], [0.25, 0.26, 0.12],
                                          [0.25, math.nan, 0.12]])  # fmt: skip
def test_a_target_whose_end_effector_is_outside_the_box_is_refused(end_effector):
    target = parse_joint_command(ARM, TARGET, ARM, 0.0)
    assert "outside the workspace box" in LIMITS.problem(target, np.array(TARGET), ARM, np.array(end_effector))


def test_a_non_finite_measurement_refuses_any_target():
    target = parse_joint_command(ARM, TARGET, ARM, 0.0)
    assert "not finite" in LIMITS.problem(target, np.full(6, math.nan), ARM, INSIDE)


@pytest.mark.parametrize("step", [0.0, -0.1, math.nan, math.inf, 3.5])
def test_the_step_limit_must_be_a_sane_number_of_radians(step):
    with pytest.raises(ValueError, match="max_joint_step"):
        JointLimits(step, (0.1, -0.15, -0.1), (0.45, 0.25, 0.18))


def test_only_the_newest_target_waits_and_the_replaced_one_is_handed_back():
    slot = NewestJointTarget()
    first, second = (parse_joint_command(ARM, TARGET, ARM, stamp) for stamp in (1.0, 2.0))
    assert slot.offer(first) is None
    assert slot.offer(second) is first
    assert slot.take() is second
    assert slot.take() is None
