"""The interbotix backend against the REAL toolbox and the REAL simulated xs_sdk (../shared/upstream/interbotix).

``xs_sdk_sim.py`` runs as its own process (one per module) with the wx250s motor, mode and URDF
configuration; the backend and the real ``InterbotixManipulatorXS`` run in the test process; an
:class:`ArmObserver` on a third node pushes the arm and records what it did. What the simulated
xs_sdk can show: a position command with a profile of at most 300 ms is executed at its next 30 Hz
update (longer profiles are interpolated over the profile time), gripper efforts integrate per update.
So these tests see commanded *targets* and profiles exactly, not motor dynamics.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest
from support.interbotix_peer import ArmObserver
from support.ros_node import wait_until
from widowx_driver.arm_backend import BackendError
from widowx_driver.interbotix_backend import HOLD_MEASUREMENT_WAIT, InterbotixBackend
from widowx_driver.interbotix_session import ARM_MODULE

HOME = np.array([0.25, 0.05, 0.12, 0.0, 0.0, 0.0])
"""config/real_widowx.yaml's reset_controller.home_pose."""
SLEEP_JOINTS = np.array([0.0, -1.80, 1.55, 0.0, 0.8, 0.0])
"""wx250s.yaml's sleep_positions: where the simulated (and a powered-up real) arm starts."""


@pytest.fixture(scope="module")
def backend(sim, observer):
    arm = InterbotixBackend(robot_model="wx250s", moving_time=0.2, connect_timeout=30.0)
    arm.connect()
    yield arm
    arm.close()


def ee_position(arm: InterbotixBackend) -> np.ndarray:
    return arm.state()[:3]


def reach(arm: InterbotixBackend, observer: ArmObserver, pose: np.ndarray) -> None:
    """Joint-space move to ``pose`` and wait until the arm is there."""
    arm.move_to_pose(pose)
    wait_until(lambda: np.linalg.norm(ee_position(arm) - pose[:3]) < 0.005, 15.0, f"the arm at {pose[:3]}")
    observer.wait_states(3)


def test_connect_writes_the_control_profile_and_reads_it_back(backend):
    # modes.yaml starts the arm group at 2000/300 ms; the toolbox alone would never change that.
    assert backend.session.read_register("Profile_Velocity") == [200] * 6
    assert backend.session.read_register("Profile_Acceleration") == [100] * 6
    assert backend.frame_id == "wx250s/base_link"


def test_state_is_live_after_an_external_push(backend, observer):
    before = backend.state()
    pushed = observer.arm_joints() + np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    observer.push(pushed)
    after = backend.state()
    assert np.linalg.norm(after[:3] - before[:3]) > 0.05, "the backend still reports the pose before the push"
    names, positions = backend.joint_state()
    assert positions[names.index("waist")] == pytest.approx(pushed[0], abs=1e-3)


def test_joint_space_move_leaves_the_sleep_pose_and_reaches_home(backend, observer):
    observer.push(SLEEP_JOINTS)
    # From the sleep pose a Cartesian step is refused (the shoulder sits next to its limit) ...
    start = time.monotonic()
    reach(backend, observer, HOME)
    assert time.monotonic() - start < 10.0
    # ... and from a twisted wrist too, both ways.
    for twist in (1.5, -1.5):
        observer.push(observer.arm_joints() + np.array([0.0, 0.0, 0.0, twist, 0.0, 0.0]))
        start = time.monotonic()
        reach(backend, observer, HOME)
        assert time.monotonic() - start < 10.0
    np.testing.assert_allclose(backend.state()[3:6], HOME[3:6], atol=0.02)


def test_hold_after_an_external_push_holds_the_pushed_pose(backend, observer):
    reach(backend, observer, HOME)
    backend.apply(np.array([0.0, 0.02, 0.0, 0, 0, 0, 1.0]))  # the toolbox now has a cached target at HOME + 2 cm
    observer.settled_joints()
    # Pushed by hand far from that target: > 10 cm at the end effector.
    observer.push(observer.arm_joints() + np.array([0.5, -0.3, 0.2, 0.0, 0.0, 0.0]))
    pushed = ee_position(backend)
    assert np.linalg.norm(pushed - (HOME[:3] + np.array([0, 0.02, 0]))) > 0.10
    backend.hold()
    observer.settled_joints(ticks=15)
    assert np.linalg.norm(ee_position(backend) - pushed) < 0.002


def test_hold_during_a_slow_move_stops_where_the_arm_is(backend, observer):
    observer.push(SLEEP_JOINTS)
    backend.move_to_pose(HOME)  # a move over more than a second, interpolated by the xs_sdk
    observer.wait_states(8)
    measured = ee_position(backend)
    backend.hold()
    observer.settled_joints(ticks=15)
    final = ee_position(backend)
    assert np.linalg.norm(final - HOME[:3]) > 0.02, "the move had finished before the hold: nothing was tested"
    # The simulated xs_sdk runs at most one more update before the hold arrives: the arm stays within it.
    assert np.linalg.norm(final - measured) < 0.02
    observer.wait_states(15)
    assert np.linalg.norm(ee_position(backend) - final) < 0.002, "the arm kept moving after the hold"


def test_gripper_closes_and_opens_to_its_limits_and_the_motor_is_switched_off(backend, observer):
    reach(backend, observer, HOME)
    for target, opening in ((0.0, 0.0), (1.0, 1.0)):
        sent = time.monotonic()
        count = len(observer.gripper_commands)
        backend.apply(np.array([0, 0, 0, 0, 0, 0, target]))

        def switched_off(count=count) -> bool:
            return len(observer.gripper_commands) > count and observer.gripper_commands[-1][1] == 0.0

        wait_until(switched_off, 5.0, "the gripper motor switched off at its limit")
        efforts = [effort for _, effort in observer.gripper_commands[count:]]
        assert efforts[0] != 0.0 and (efforts[0] < 0) == (target == 0.0)
        stopped = observer.gripper_commands[-1][0]
        # What failed before was "never": the toolbox's 50 Hz gripper timer did not run, so the motor pushed
        # against its end stop indefinitely. A bound of seconds tells "runs" from "never" on a loaded CI
        # machine too (seen there: 1.12 s from the command to the switch-off; ~0.3 s on a quiet one).
        print(f"gripper to {opening:.0f}: motor off {stopped - sent:.2f} s after the command")
        assert stopped - sent < 3.0
        observer.wait_states(3)
        assert backend.state()[6] == pytest.approx(opening, abs=0.05)


def test_missing_toolbox_fails_connect_naming_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, ARM_MODULE, None)  # makes the import raise ImportError
    with pytest.raises(BackendError, match="interbotix_xs_modules"):
        InterbotixBackend().connect()


def test_not_connected_backend_refuses_to_read():
    with pytest.raises(BackendError, match="not connected"):
        InterbotixBackend().state()


def test_a_hold_waits_for_joints_measured_after_it_was_asked_for(backend):
    """The toolbox's joint_states carry the xs_sdk's stamp; a hold waits for one newer than its request."""
    bot = backend._connected().bot
    now = bot.core.get_node().get_clock().now().nanoseconds
    assert backend._await_measurement_after(bot, now)  # the 30 Hz xs_sdk answers within its bound
    future = now + 60 * 1_000_000_000  # a reading that never comes: the wait ends at its bound
    asked = time.monotonic()
    assert not backend._await_measurement_after(bot, future)
    assert time.monotonic() - asked >= HOLD_MEASUREMENT_WAIT
