"""Doctor verdicts for the real arm's chain: frozen arm state, xs_sdk node name (real and simulated)."""

from __future__ import annotations

import pytest
from sarl_bringup.doctor_arm import ArmMotionSample, check_arm_motion, check_motor_profile, xs_sdk_node
from sarl_bringup.doctor_checks import Status


def samples(applied: list[int], xs: list[float]) -> list[ArmMotionSample]:
    return [ArmMotionSample(a, (x, 0.05, 0.12)) for a, x in zip(applied, xs, strict=True)]


@pytest.mark.parametrize(("applied", "xs", "status"), [
    ([0, 2, 4, 6], [0.25, 0.25, 0.25, 0.25], Status.FAIL),      # commands acknowledged, pose frozen
    ([0, 2, 4, 6], [0.25, 0.26, 0.27, 0.28], Status.PASS),      # commands acknowledged, arm moving
    ([5, 5, 5, 5], [0.25, 0.25, 0.25, 0.25], Status.SKIP),      # no commands: cannot tell
    ([0], [0.25], Status.SKIP),
])  # fmt: skip
def test_frozen_arm_state_is_told_from_a_live_one(applied, xs, status):
    assert check_arm_motion(samples(applied, xs)).status is status


def test_frozen_verdict_names_the_joint_states_topic():
    assert "joint_states" in check_arm_motion(samples([0, 3, 6], [0.25] * 3)).fix


@pytest.mark.parametrize(("found", "expected"), [
    (["/wx250s/xs_sdk", "/widowx_driver"], "/wx250s/xs_sdk"),
    (["/wx250s/xs_sdk_sim", "/widowx_driver"], "/wx250s/xs_sdk_sim"),
    (["/widowx_driver"], "/wx250s/xs_sdk"),                     # missing: reported under the real arm's name
])  # fmt: skip
def test_xs_sdk_node_name_for_real_and_simulated_arms(found, expected):
    assert xs_sdk_node("wx250s", found) == expected


@pytest.mark.parametrize(("values", "status"), [
    ([200] * 6, Status.PASS),
    ([2000] * 6, Status.FAIL),     # modes.yaml's profile: the driver never wrote its own
    ([], Status.FAIL),
    (None, Status.FAIL),           # the xs_sdk did not answer
])  # fmt: skip
def test_motor_profile_must_equal_the_control_period(values, status):
    assert check_motor_profile(values, 5.0, "wx250s").status is status
