"""The driver node with its shipped real-robot parameters, on the REAL toolbox and the REAL simulated xs_sdk.

Every ``widowx_driver`` value of ``config/real_widowx.yaml`` that the interbotix path uses is loaded as
shipped (only the camera is switched off: there is none here); the e-stop, the watchdog, lifecycle
deactivation and node shutdown are each fired right after the arm was pushed > 10 cm from the target
the toolbox last commanded, and must hold the pushed pose (< 2 mm).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from rclpy.lifecycle import TransitionCallbackReturn
from rclpy.node import Node
from sarl_interfaces.msg import ArmCommand, ArmState
from sarl_interfaces.srv import ClearEstop
from std_msgs.msg import Bool
from support import interbotix_peer
from support.applied_command import send_until_applied
from support.interbotix_peer import ArmObserver
from support.estop_clear import clear_request
from support.ros_node import wait_future, wait_until
from widowx_driver.driver_node import ESTOP_QOS
from widowx_driver.interbotix_backend import fk_position

CONFIG = Path(__file__).resolve().parents[3] / "config" / "real_widowx.yaml"
# This module once failed about one run in two on a loaded machine. Two causes, both fixed: a command
# queued behind a slow driver tick was refused as stale (Link.apply re-sends only those), and a hold
# computed from a joint reading taken before a push drove the arm back (the backend now holds on a
# reading the xs_sdk stamped after the hold was asked for).

SHIPPED = yaml.safe_load(CONFIG.read_text())["widowx_driver"]["ros__parameters"]
START_JOINTS = np.array([0.501, -0.031, 1.350, 0.514, -1.351, -0.123])
"""The arm joints at the shipped home pose [0.25, 0.05, 0.12, 0, 0, 0] (IK of the wx250s description)."""
PUSH = np.array([0.5, -0.3, 0.2, 0.0, 0.0, 0.0])
"""An external push of the arm joints: > 10 cm at the end effector from START_JOINTS."""


@pytest.fixture
def driver(sim, observer, make_driver):
    observer.push(START_JOINTS)
    return make_driver(**{**SHIPPED, "camera_device": ""})


@pytest.fixture
def link(driver, make_host, make_probe):
    host = make_host(lambda context: Node("interbotix_driver_peer", context=context), threads=2)
    return Link(host.node, make_probe)


class Link:
    def __init__(self, node, make_probe) -> None:
        self._node = node
        self.clear = node.create_client(ClearEstop, "clear_estop")
        self.states = make_probe(node, ArmState, "arm_state")
        self.commands = node.create_publisher(ArmCommand, "arm_command", 10)
        self.estop = node.create_publisher(Bool, "estop", ESTOP_QOS)
        wait_until(lambda: self.commands.get_subscription_count() > 0, 20, "the driver to subscribe arm_command")
        self.states.wait_first(20, "a first arm_state")

    def send(self, **fields: float) -> None:
        msg = ArmCommand(source=ArmCommand.SOURCE_OPERATOR, gripper=1.0)
        msg.header.stamp = self._node.get_clock().now().to_msg()
        msg.header.frame_id = SHIPPED["frame_id"]
        for name, value in fields.items():
            setattr(msg, name, float(value))
        self.commands.publish(msg)

    def apply(self, what: str, **fields: float) -> ArmState:
        """Send until applied: a command refused as stale (queued behind a slow tick) is re-stamped and re-sent."""
        return send_until_applied(lambda: self.send(**fields), self.states.latest, what)

    def wait_state(self, predicate, what: str, timeout: float = 10.0) -> ArmState:
        return self.states.wait_for(predicate, timeout, what)


def ee_xyz(observer: ArmObserver, driver) -> np.ndarray:
    """End-effector position of the measured joints, through the driver's own reading."""
    observer.wait_states(2)
    return np.asarray(driver._backend.state()[:3])


def push_away(observer: ArmObserver, driver, link: Link) -> np.ndarray:
    """Command a step (the toolbox caches its target), then push the arm > 10 cm away from it."""
    link.apply("the step applied", dy=0.01)
    target = ee_xyz(observer, driver)
    observer.push(observer.arm_joints() + PUSH)
    pushed = ee_xyz(observer, driver)
    assert np.linalg.norm(pushed - target) > 0.10
    return pushed


def assert_holds(observer: ArmObserver, driver, pushed: np.ndarray) -> None:
    observer.settled_joints(ticks=15)
    moved = np.linalg.norm(ee_xyz(observer, driver) - pushed)
    assert moved < 0.002, f"the arm moved {moved * 1000:.1f} mm after the hold"


def test_shipped_parameters_reach_the_toolbox(driver, link):
    assert driver._backend.session.read_register("Profile_Velocity") == [round(1000 / SHIPPED["control_rate_hz"])] * 6
    state = link.states.latest()
    assert state.header.frame_id == SHIPPED["frame_id"] == driver._backend.frame_id


def test_ten_one_centimetre_commands_and_a_clipped_one(driver, link, observer):
    start = ee_xyz(observer, driver)
    for count in range(1, 11):
        link.apply(f"command {count} applied", dx=0.01)
        time.sleep(0.2)  # the 5 Hz pace of the VLA bridge (a send rate, not a wait for a result)
    observer.settled_joints()
    after_ten = ee_xyz(observer, driver)
    assert after_ten[0] - start[0] == pytest.approx(0.10, abs=0.01)
    state = link.apply("the 20 cm command", dx=-0.20)
    assert state.commands_clipped == 1
    observer.settled_joints()
    step = ee_xyz(observer, driver)[0] - after_ten[0]
    assert step == pytest.approx(-SHIPPED["max_translation_step"], abs=0.002)
    assert state.commands_rejected == state.commands_stale  # nothing refused but what was re-sent


def test_a_large_rotation_moves_exactly_the_rotation_step(driver, link, observer):
    before = driver._backend.state()
    assert link.apply("the 0.5 rad command", dyaw=0.5).commands_clipped == 1
    observer.settled_joints()
    turned = driver._backend.state()[5] - before[5]
    assert turned == pytest.approx(SHIPPED["max_rotation_step"], abs=0.01)


def test_the_workspace_box_lower_y_bound_holds(driver, link, observer):
    low = SHIPPED["workspace_min"][1]
    for count in range(1, 10):
        link.send(dy=-SHIPPED["max_translation_step"])
        state = link.wait_state(lambda m, c=count: m.commands_applied + m.commands_rejected == c,
                                f"command {count} handled")  # fmt: skip
        time.sleep(0.2)  # 5 Hz: each step is relative to the measured pose, which must show the last one
    assert state.commands_rejected == state.commands_stale, (
        "a step was refused (no IK solution): the box was not what stopped the arm")
    observer.settled_joints()
    assert ee_xyz(observer, driver)[1] == pytest.approx(low, abs=0.002)


def test_command_to_first_motion_latency_through_the_driver(driver, link, observer):
    """From publishing arm_command to the first xs_sdk joint state that moved (arrival times in this process)."""
    latencies = []
    for i in range(10):
        before = observer.arm_joints()
        with observer._lock:
            seen = len(observer.states)
        sent = time.monotonic()
        link.send(dx=0.01 if i % 2 == 0 else -0.01)

        def first_moved(seen=seen, before=before):
            return next((arrival for arrival, _, joints in observer.states[seen:]
                         if max(abs(joints[n] - b) for n, b in zip(interbotix_peer.ARM_JOINTS, before, strict=True))
                         > 1e-4), None)  # fmt: skip

        wait_until(lambda f=first_moved: f() is not None, 5.0, "the first joint state that moved")
        latencies.append(first_moved() - sent)
        time.sleep(0.2)  # the 5 Hz command rate
    p50 = float(np.median(latencies))
    print(f"arm_command -> first motion: p50 {p50 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    # Budget: one 30 Hz xs_sdk update (33 ms) + DDS hops + IK; 150 ms is the bound.
    assert p50 < 0.150


def test_the_workspace_box_holds(driver, link, observer):
    top = SHIPPED["workspace_max"][2]
    for count in range(1, 6):
        link.send(dz=SHIPPED["max_translation_step"])
        link.wait_state(lambda m, c=count: m.commands_applied + m.commands_rejected == c, f"command {count} handled")
        time.sleep(0.2)  # the 5 Hz rate of a real sender
    observer.settled_joints()
    assert ee_xyz(observer, driver)[2] == pytest.approx(top, abs=0.002)


def test_estop_after_a_push_holds_the_pushed_pose(driver, link, observer):
    pushed = push_away(observer, driver, link)
    link.estop.publish(Bool(data=True))
    link.wait_state(lambda m: m.estop_active, "e-stop reported")
    assert_holds(observer, driver, pushed)
    assert link.clear.wait_for_service(timeout_sec=20.0)
    assert wait_future(link.clear.call_async(clear_request()), 10.0).accepted
    link.wait_state(lambda m: not m.estop_active, "e-stop cleared")


def test_watchdog_hold_after_a_push_holds_the_pushed_pose(driver, link, observer):
    pushed = push_away(observer, driver, link)
    link.wait_state(lambda m: m.holding, "the watchdog hold", timeout=SHIPPED["watchdog_timeout"] + 5.0)
    assert_holds(observer, driver, pushed)


def test_deactivate_cleanup_configure_activate_twice_in_one_process(driver, link, observer):
    for cycle in range(2):
        pushed = push_away(observer, driver, link)
        assert driver.trigger_deactivate() == TransitionCallbackReturn.SUCCESS
        assert_holds(observer, driver, pushed)
        assert driver.trigger_cleanup() == TransitionCallbackReturn.SUCCESS
        observer.push(START_JOINTS)
        assert driver.trigger_configure() == TransitionCallbackReturn.SUCCESS, f"configure again, cycle {cycle}"
        assert driver.trigger_activate() == TransitionCallbackReturn.SUCCESS
        # Live again: the state follows a push.
        observer.push(START_JOINTS + np.array([0.3, 0, 0, 0, 0, 0]))
        expected = ee_xyz(observer, driver)
        link.wait_state(lambda m, e=expected: np.linalg.norm(np.array([m.x, m.y, m.z]) - e) < 0.002,
                        f"arm_state following the arm after cycle {cycle}")  # fmt: skip
        observer.push(START_JOINTS)


def test_node_shutdown_after_a_push_holds_the_pushed_pose(driver, link, observer):
    pushed = push_away(observer, driver, link)
    backend = driver._backend
    observer.wait_states(2)
    driver.shut_down()
    observer.settled_joints(ticks=15)
    measured = observer.arm_joints()
    # The backend is closed now; the pose is the forward kinematics of what the xs_sdk reports.
    assert backend is not None
    assert np.linalg.norm(fk_position("wx250s", measured) - pushed) < 0.002


SLEEP_JOINTS = np.array([0.0, -1.80, 1.55, 0.0, 0.8, 0.0])
"""wx250s.yaml's sleep_positions: where a powered-up arm (and xs_sdk_sim) starts."""
RESET_STARTS = {
    "sleep pose": SLEEP_JOINTS,
    "wrist twisted +1.5 rad": START_JOINTS + np.array([0, 0, 0, 1.5, 0, 0]),
    "wrist twisted -1.5 rad": START_JOINTS + np.array([0, 0, 0, -1.5, 0, 0]),
    "a reasonable pose": START_JOINTS + np.array([0.15, 0.1, -0.1, 0.0, 0.1, 0.0]),
}


@pytest.fixture
def reset_client(driver, make_host):
    from rclpy.action import ActionClient
    from reset_controller.reset_node import ResetControllerNode
    from rclpy.parameter import Parameter
    from sarl_interfaces.action import ResetToHome
    from support.ros_node import SpunNode

    shipped = yaml.safe_load(CONFIG.read_text())["reset_controller"]["ros__parameters"]
    flat = {key: value for key, value in shipped.items() if key != "pid"}
    flat.update({f"pid.{key}": value for key, value in shipped["pid"].items()})
    overrides = [Parameter(key, value=value) for key, value in flat.items()]
    make_host(lambda context: ResetControllerNode(context=context, parameter_overrides=overrides))
    client_node = SpunNode("reset_test_client", start=False)
    client = ActionClient(client_node.node, ResetToHome, "reset_to_home")
    client_node.start()
    assert client.wait_for_server(timeout_sec=20.0)
    yield client, ResetToHome, shipped
    client_node.close()


@pytest.mark.parametrize("start", list(RESET_STARTS))
def test_reset_to_home_reaches_home_within_10_s(start, reset_client, driver, link, observer):

    client, action, shipped = reset_client
    observer.push(RESET_STARTS[start])
    pushed = fk_position("wx250s", RESET_STARTS[start])
    link.wait_state(lambda m: np.linalg.norm(np.array([m.x, m.y, m.z]) - pushed) < 0.002,
                    "arm_state at the start pose")  # the reset controller must not start from an older state
    began = time.monotonic()
    goal = wait_future(client.send_goal_async(action.Goal()), 10.0)
    assert goal.accepted
    result = wait_future(goal.get_result_async(), 30.0).result
    took = time.monotonic() - began
    home = np.array(shipped["home_pose"][:3])
    error = np.linalg.norm(fk_position("wx250s", observer.settled_joints(ticks=3)) - home)
    print(f"reset from {start}: {result.message}; {took:.1f} s, final error {error * 1000:.1f} mm")
    assert result.reached, result.message
    assert error < 0.01
    assert took < 10.0


def test_driver_process_sigterm_after_a_push_holds_the_pushed_pose(sim, observer, tmp_path, make_host, make_probe):
    """The real driver executable with the shipped parameter file, stopped the way a launcher stops it."""
    import os
    import sys

    from support.processes import PeerProcess

    observer.push(START_JOINTS)
    saved = dict(os.environ)
    os.environ.update(interbotix_peer.child_environment())
    try:
        process = PeerProcess([sys.executable, "-m", "widowx_driver.driver_node", "--ros-args", "--params-file",
                               str(CONFIG), "-p", 'camera_device:=""'], tmp_path / "driver.log")  # fmt: skip
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        host = make_host(lambda context: Node("interbotix_process_peer", context=context), threads=2)
        link = Link(host.node, make_probe)
        link.apply("the step applied", dy=0.01)
        observer.settled_joints()
        target = fk_position("wx250s", observer.arm_joints())
        observer.push(observer.arm_joints() + PUSH)
        pushed = fk_position("wx250s", observer.arm_joints())
        assert np.linalg.norm(pushed - target) > 0.10
        assert process.stop() == 0, process.log_text()[-3000:]
    finally:
        process.stop()
    observer.settled_joints(ticks=15)
    moved = np.linalg.norm(fk_position("wx250s", observer.arm_joints()) - pushed)
    assert moved < 0.002, f"SIGTERM moved the arm {moved * 1000:.1f} mm; driver log:\n{process.log_text()[-2000:]}"


def test_reset_cancelled_during_its_joint_space_move_stops_the_arm_there(reset_client, driver, link, observer):
    """From the sleep pose the reset controller asks the driver for a joint-space move home; a cancel
    mid-move must end it where the arm is (the controller's zero step re-targets the measured joints)."""
    client, action, shipped = reset_client
    observer.push(SLEEP_JOINTS)
    link.wait_state(lambda m: np.linalg.norm(np.array([m.x, m.y, m.z]) - fk_position("wx250s", SLEEP_JOINTS)) < 0.002,
                    "arm_state at the sleep pose")
    goal = wait_future(client.send_goal_async(action.Goal()), 10.0)
    assert goal.accepted
    wait_until(lambda: np.max(np.abs(observer.arm_joints() - SLEEP_JOINTS)) > 0.1, 10.0,
               "the joint-space move to start")
    wait_future(goal.cancel_goal_async(), 10.0)
    result = wait_future(goal.get_result_async(), 10.0).result
    at_result = fk_position("wx250s", observer.arm_joints())
    settled = fk_position("wx250s", observer.settled_joints(ticks=30))
    later = fk_position("wx250s", observer.settled_joints(ticks=30))
    home = np.array(shipped["home_pose"][:3])
    drift, still = np.linalg.norm(settled - at_result), np.linalg.norm(later - settled)
    print(f"{result.message}; moved {drift * 1000:.1f} mm after the result (the driver's next tick stops it), "
          f"then {still * 1000:.2f} mm in 1 s; {np.linalg.norm(settled - home) * 1000:.0f} mm from home")
    assert not result.reached and "canceled" in result.message, result.message
    # The move runs on until the driver's next tick applies the stop: 3.5-7 mm measured quiet, 33 mm once with
    # another test running. A move that ran on to home would cover all of the remaining way.
    remaining = np.linalg.norm(at_result - home)
    assert drift < remaining / 2, f"the arm moved {drift * 1000:.1f} of {remaining * 1000:.0f} mm on towards home"
    assert still < 0.001, f"the arm still moved {still * 1000:.1f} mm a second after the stop"
