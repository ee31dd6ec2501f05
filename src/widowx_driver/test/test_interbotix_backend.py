"""The real-arm backend against a stand-in for ``interbotix_xs_modules`` (the toolbox is not installable here).

The fake mirrors only the toolbox calls the backend makes (checked against
Interbotix/interbotix_ros_toolboxes, xs_robot/arm.py, core.py, gripper.py), so
these tests pin how deltas become poses and what happens when the toolbox is
missing, hangs or exits.
"""

from __future__ import annotations

import sys
import threading
import time
import types
from typing import ClassVar

import numpy as np
import pytest
from widowx_driver.arm_backend import BackendError
from widowx_driver.interbotix_backend import INTERBOTIX_MODULE, InterbotixBackend
from widowx_driver.pose_math import matrix_to_pose, pose_to_matrix

ARM_JOINTS = ["waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate"]
START_POSE = np.array([0.30, 0.00, 0.10, 0.0, 0.3, 0.1])


class FakeBot:
    """Records calls the way ``InterbotixManipulatorXS`` would receive them."""

    instances: ClassVar[list[FakeBot]] = []
    behaviour: ClassVar[str] = "ok"

    def __init__(self, robot_model, group_name, gripper_name, moving_time, accel_time):
        if FakeBot.behaviour == "exit":
            sys.exit(1)  # what the toolbox does when the xs_sdk services are absent
        if FakeBot.behaviour == "hang":
            threading.Event().wait(5.0)
        self.kwargs = dict(robot_model=robot_model, group_name=group_name, gripper_name=gripper_name,
                           moving_time=moving_time, accel_time=accel_time)  # fmt: skip
        self.calls: list[tuple] = []
        self.core = types.SimpleNamespace(
            js_mutex=threading.Lock(),
            joint_states=types.SimpleNamespace(
                name=[*ARM_JOINTS, "left_finger", "right_finger"],
                position=[0.1, 0.2, 0.3, 0.0, 0.4, 0.0, 0.026, -0.026],
            ),
        )
        bot = self

        class Arm:
            group_info = types.SimpleNamespace(joint_names=ARM_JOINTS)

            def get_ee_pose(self):
                return pose_to_matrix(START_POSE)

            def get_joint_commands(self):
                return [0.1, 0.2, 0.3, 0.0, 0.4, 0.0]

            def set_ee_pose_matrix(self, T_sd, custom_guess=None, execute=True, moving_time=None, accel_time=None,
                                   blocking=True):  # fmt: skip
                bot.calls.append(("set_ee_pose_matrix", np.array(T_sd), custom_guess, execute, moving_time, blocking))
                return [0.0] * 6, T_sd[2, 3] < 0.5  # "unreachable" above 0.5 m

            def set_joint_positions(self, joint_positions, moving_time=None, accel_time=None, blocking=True):
                bot.calls.append(("set_joint_positions", list(joint_positions), blocking))
                return True

        class Gripper:
            left_finger_index = 6
            left_finger_lower_limit = 0.015
            left_finger_upper_limit = 0.037

            def grasp(self, delay=1.0):
                bot.calls.append(("grasp", delay))

            def release(self, delay=1.0):
                bot.calls.append(("release", delay))

        self.arm, self.gripper = Arm(), Gripper()
        FakeBot.instances.append(self)

    def shutdown(self):
        self.calls.append(("shutdown",))


@pytest.fixture
def fake_toolbox(monkeypatch):
    module = types.ModuleType(INTERBOTIX_MODULE)
    module.InterbotixManipulatorXS = FakeBot
    monkeypatch.setitem(sys.modules, INTERBOTIX_MODULE, module)
    FakeBot.instances.clear()
    FakeBot.behaviour = "ok"
    yield FakeBot
    FakeBot.behaviour = "ok"


def test_missing_toolbox_fails_connect_naming_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, INTERBOTIX_MODULE, None)  # makes the import raise ImportError
    with pytest.raises(BackendError, match="interbotix_xs_modules"):
        InterbotixBackend().connect()


def test_connects_to_the_wx250s_arm_and_gripper(fake_toolbox):
    backend = InterbotixBackend(moving_time=0.2)
    backend.connect()
    (bot,) = fake_toolbox.instances
    assert bot.kwargs == dict(robot_model="wx250s", group_name="arm", gripper_name="gripper",
                              moving_time=0.2, accel_time=0.1)  # fmt: skip
    state = backend.state()
    np.testing.assert_allclose(state[:6], START_POSE, atol=1e-12)
    assert state[6] == pytest.approx((0.026 - 0.015) / (0.037 - 0.015))


def test_a_delta_becomes_one_non_blocking_pose_command_seeded_with_the_joint_commands(fake_toolbox):
    backend = InterbotixBackend(moving_time=0.2)
    backend.connect()
    delta = np.array([0.01, -0.02, 0.03, 0.0, -0.1, 0.05, 1.0])
    assert backend.apply(delta) is True
    name, target, guess, execute, moving_time, blocking = fake_toolbox.instances[0].calls[0]
    assert name == "set_ee_pose_matrix" and execute and not blocking and moving_time == 0.2
    assert guess == [0.1, 0.2, 0.3, 0.0, 0.4, 0.0]
    np.testing.assert_allclose(matrix_to_pose(target), START_POSE + delta[:6], atol=1e-9)


def test_unreachable_pose_is_reported_not_raised(fake_toolbox):
    backend = InterbotixBackend()
    backend.connect()
    assert backend.apply(np.array([0.0, 0.0, 0.45, 0.0, 0.0, 0.0, 1.0])) is False


def test_gripper_commands_are_sent_only_when_the_target_crosses_half_open(fake_toolbox):
    backend = InterbotixBackend()
    backend.connect()
    for gripper in (1.0, 0.9, 0.2, 0.0, 0.1, 0.8):
        backend.apply(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, gripper]))
    gripper_calls = [call for call in fake_toolbox.instances[0].calls if call[0] in ("grasp", "release")]
    assert gripper_calls == [("release", 0.0), ("grasp", 0.0), ("release", 0.0)]


def test_hold_re_commands_the_measured_arm_joints_without_blocking(fake_toolbox):
    backend = InterbotixBackend()
    backend.connect()
    backend.hold()
    assert fake_toolbox.instances[0].calls[-1] == ("set_joint_positions", [0.1, 0.2, 0.3, 0.0, 0.4, 0.0], False)


def test_toolbox_exit_becomes_a_backend_error_with_a_hint(fake_toolbox):
    fake_toolbox.behaviour = "exit"
    with pytest.raises(BackendError, match="xs_sdk"):
        InterbotixBackend().connect()


def test_a_hanging_toolbox_fails_connect_at_the_deadline(fake_toolbox):
    fake_toolbox.behaviour = "hang"
    start = time.monotonic()
    with pytest.raises(BackendError, match=r"within 0.2 s"):
        InterbotixBackend(connect_timeout=0.2).connect()
    assert time.monotonic() - start < 2.0


def test_close_shuts_the_toolbox_down_once(fake_toolbox):
    backend = InterbotixBackend()
    backend.connect()
    backend.close()
    backend.close()
    assert fake_toolbox.instances[0].calls.count(("shutdown",)) == 1
    with pytest.raises(BackendError, match="not connected"):
        backend.state()
