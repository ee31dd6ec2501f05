"""The driver's joint_command path with its shipped real-robot parameters, on the REAL toolbox and simulated xs_sdk.

A joint target within the envelope is reached; a too-large step, a NaN, wrong joint names, a target
whose end effector leaves the workspace box, a target beyond the URDF joint limits and any target
during an e-stop are refused and counted, and the arm does not move; the watchdog holds the arm
(at its measured, pushed pose) after joint commands stop; the VLA bridge's own publisher drives it.
Every wait is on the driver's counters or on the xs_sdk's joint states.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from rclpy.duration import Duration
from rclpy.node import Node
from rclpy.parameter import Parameter
from sarl_interfaces.msg import ArmState
from sarl_interfaces.srv import ClearEstop
from sensor_msgs.msg import JointState
from std_msgs.msg import Bool
from support.applied_command import send_until_applied
from support.estop_clear import clear_request
from support.interbotix_peer import ARM_JOINTS, ArmObserver
from support.ros_node import wait_future, wait_until
from widowx_driver.driver_node import ESTOP_QOS
from widowx_driver.interbotix_backend import fk_position

CONFIG = Path(__file__).resolve().parents[3] / "config" / "real_widowx.yaml"
SHIPPED_CONFIG = yaml.safe_load(CONFIG.read_text())
SHIPPED = SHIPPED_CONFIG["widowx_driver"]["ros__parameters"]
MAX_STEP = SHIPPED["max_joint_step"]
START_JOINTS = np.array([0.501, -0.031, 1.350, 0.514, -1.351, -0.123])
"""The arm joints at the shipped home pose [0.25, 0.05, 0.12] (as in test_interbotix_driver.py)."""
SMALL_STEP = np.array([0.08, -0.06, 0.05, 0.0, 0.07, 0.09])
"""A joint change inside max_joint_step (0.1 rad shipped) whose end effector stays in the box."""
REACHED = 0.01
"""[rad] measured joints this close to the target count as reached."""
STILL = 0.002
"""[rad] a refused command must not move any joint further than this (xs_sdk readings jitter by less)."""


@pytest.fixture
def driver(sim, observer, make_driver):
    observer.push(START_JOINTS)
    return make_driver(**{**SHIPPED, "camera_device": ""})


@pytest.fixture
def link(driver, make_host, make_probe):
    host = make_host(lambda context: Node("joint_command_peer", context=context), threads=2)
    return JointLink(host.node, make_probe)


class JointLink:
    """Publishes joint_command as the bridge does (stamped now, the driver's frame) and watches arm_state."""

    def __init__(self, node, make_probe) -> None:
        self._node = node
        self.states = make_probe(node, ArmState, "arm_state")
        self.commands = node.create_publisher(JointState, "joint_command", 10)
        self.estop = node.create_publisher(Bool, "estop", ESTOP_QOS)
        self.clear = node.create_client(ClearEstop, "clear_estop")
        wait_until(lambda: self.commands.get_subscription_count() > 0, 20, "the driver to subscribe joint_command")
        self.states.wait_first(20, "a first arm_state")

    def send(self, positions, names=(*ARM_JOINTS, "gripper"), gripper: float | None = 1.0, age: float = 0.0,
             frame_id: str = SHIPPED["frame_id"]) -> None:  # fmt: skip
        values = [float(p) for p in positions] + ([] if gripper is None else [gripper])
        msg = JointState(name=list(names), position=values)
        msg.header.stamp = (self._node.get_clock().now() - Duration(nanoseconds=int(age * 1e9))).to_msg()
        msg.header.frame_id = frame_id
        self.commands.publish(msg)

    def apply(self, what: str, positions) -> ArmState:
        """Send until applied: only a refusal counted as stale (a tick held up by load) is re-sent."""
        return send_until_applied(lambda: self.send(positions), self.states.latest, what)

    def refuse(self, what: str, **send) -> ArmState:
        """Send once (again only if refused as stale) and return the arm_state that counts it refused."""
        for _ in range(5):
            before = self.states.latest()
            self.send(**send)
            state = self.states.wait_for(
                lambda m, b=before: m.commands_applied + m.commands_rejected > b.commands_applied + b.commands_rejected,
                10.0, what)  # fmt: skip
            if state.commands_stale == before.commands_stale:
                assert state.commands_applied == before.commands_applied, f"{what}: applied, not refused"
                assert state.commands_rejected == before.commands_rejected + 1
                return state
        raise AssertionError(f"{what}: refused as stale five times in a row")


def assert_reaches(observer: ArmObserver, target: np.ndarray, what: str) -> None:
    wait_until(lambda: np.max(np.abs(observer.arm_joints() - target)) < REACHED, 10.0, what)


def assert_still(observer: ArmObserver, before: np.ndarray) -> None:
    """After the simulated motors ran 10 more updates, no joint moved."""
    moved = np.max(np.abs(observer.settled_joints() - before))
    assert moved < STILL, f"a refused joint command moved the arm by {moved:.4f} rad"


def test_a_small_joint_target_is_reached_and_counted_applied(driver, link, observer):
    target = observer.arm_joints() + SMALL_STEP
    assert np.max(np.abs(SMALL_STEP)) <= MAX_STEP
    state = link.apply("the joint target applied", target)
    assert state.commands_rejected == state.commands_stale and not state.holding
    assert_reaches(observer, target, "the measured joints at the target")
    assert state.commands_unsupported == 0


def test_a_stream_of_joint_targets_walks_the_arm_and_only_the_newest_of_a_burst_is_applied(driver, link, observer):
    start = observer.arm_joints()
    waist = np.array([1.0, 0, 0, 0, 0, 0])
    for step in range(1, 4):  # at the driver's rate, each from where the last one got
        link.apply(f"joint target {step}", start + 0.05 * step * waist)
        assert_reaches(observer, start + 0.05 * step * waist, f"joint target {step} reached")
    # A burst faster than the 5 Hz tick: every target is accounted for, the newest one wins.
    for _ in range(5):  # again only when load made a target stale
        burst = [observer.arm_joints() + 0.02 * k * waist for k in range(1, 6)]
        before = link.states.latest()
        for positions in burst:
            link.send(positions)
        count = before.commands_applied + before.commands_rejected + len(burst)
        done = link.states.wait_for(lambda m, c=count: m.commands_applied + m.commands_rejected >= c, 10.0,
                                    "the burst counted")  # fmt: skip
        if done.commands_stale == before.commands_stale:
            break
    assert done.commands_superseded > before.commands_superseded
    assert done.commands_applied > before.commands_applied
    assert_reaches(observer, burst[-1], "the newest target of the burst")


@pytest.mark.parametrize(
    "case",
    ["too large a step", "NaN", "the simulator's joint names", "a missing joint", "an unknown joint"],
)
def test_malformed_or_too_large_joint_commands_are_refused_and_nothing_moves(case, driver, link, observer):
    measured = observer.arm_joints()
    send = {
        "too large a step": {"positions": measured + np.array([0, 0, 0, 0, 0, MAX_STEP + 0.05])},
        "NaN": {"positions": measured + np.array([0, 0, math.nan, 0, 0, 0])},
        "the simulator's joint names": {"positions": [*measured[:6], 1.0],
                                        "names": ("ee_x", "ee_y", "ee_z", "ee_roll", "ee_pitch", "ee_yaw", "gripper"),
                                        "gripper": None},
        "a missing joint": {"positions": measured[:5], "names": ARM_JOINTS[:5], "gripper": None},
        "an unknown joint": {"positions": [*measured, 0.0], "names": (*ARM_JOINTS, "elbow_2"), "gripper": None},
    }[case]
    link.refuse(case, **send)
    assert_still(observer, measured)


@pytest.mark.parametrize("stamp_or_frame,counter", [({"age": 1.0}, "commands_stale"),
                                                    ({"age": -1.0}, "commands_stale"),
                                                    ({"frame_id": "base_link"}, "commands_wrong_frame")])  # fmt: skip
def test_stale_future_and_wrong_frame_joint_commands_are_refused_by_reason(stamp_or_frame, counter, driver, link,
                                                                           observer):  # fmt: skip
    measured = observer.arm_joints()
    before = link.states.latest()
    link.send(measured + SMALL_STEP, **stamp_or_frame)
    state = link.states.wait_for(lambda m: getattr(m, counter) > getattr(before, counter), 10.0, f"{counter} counted")
    assert state.commands_rejected == before.commands_rejected + 1 and state.commands_applied == before.commands_applied
    assert_still(observer, measured)


def test_a_target_whose_end_effector_leaves_the_box_is_refused(driver, link, observer):
    top = SHIPPED["workspace_max"][2]
    near_top = START_JOINTS + np.array([0, -0.15, 0, 0, 0, 0])
    observer.push(near_top)
    target = near_top + np.array([0, -0.1, -0.1, 0, 0, 0])  # shoulder and elbow up: within max_joint_step
    assert fk_position("wx250s", near_top)[2] < top < fk_position("wx250s", target)[2]
    link.refuse("the target above the box", positions=target)
    assert_still(observer, near_top)


def test_a_target_beyond_the_urdf_joint_limit_is_refused_by_the_toolbox_and_counted(driver, link, observer):
    near_limit = START_JOINTS.copy()
    near_limit[5] = 3.10  # wrist_rotate, limit +3.1416 (wx250s.urdf); turning it keeps the end effector in place
    observer.push(near_limit)
    target = near_limit + np.array([0, 0, 0, 0, 0, 0.08])
    assert np.max(np.abs(target - near_limit)) <= MAX_STEP  # the driver's step limit is not what refuses it
    assert np.linalg.norm(fk_position("wx250s", target) - fk_position("wx250s", near_limit)) < 1e-3  # nor the box
    link.refuse("the target past the wrist_rotate limit", positions=target)
    assert_still(observer, near_limit)


def test_joint_commands_are_refused_during_an_estop_and_the_arm_stays(driver, link, observer):
    link.estop.publish(Bool(data=True))
    link.states.wait_for(lambda m: m.estop_active, 10.0, "the e-stop reported")
    measured = observer.arm_joints()
    link.refuse("a joint target during the e-stop", positions=measured + SMALL_STEP)
    assert_still(observer, measured)
    assert link.clear.wait_for_service(timeout_sec=20.0)
    assert wait_future(link.clear.call_async(clear_request()), 10.0).accepted
    link.states.wait_for(lambda m: not m.estop_active, 10.0, "the e-stop cleared")
    link.apply("a joint target after the clear", measured + SMALL_STEP)
    assert_reaches(observer, measured + SMALL_STEP, "the target after the clear")


def test_the_watchdog_holds_the_pushed_arm_after_joint_commands_stop(driver, link, observer):
    target = observer.arm_joints() + SMALL_STEP
    applied = link.apply("the last joint target", target)
    assert not applied.holding
    assert_reaches(observer, target, "the last target")
    pushed = target + np.array([0.3, -0.2, 0.2, 0.0, 0.0, 0.0])  # a hand moves the arm away from the last target
    observer.push(pushed)
    link.states.wait_for(lambda m: m.holding, SHIPPED["watchdog_timeout"] + 5.0, "the watchdog hold")
    assert_still(observer, pushed)


def test_the_vla_bridge_joint_profile_publisher_drives_the_arm(driver, make_host, observer, make_probe):
    """The bridge's own publish_command with its shipped real-robot parameters, profile joint_position."""
    from sarl_vla_bridge.bridge_node import VlaBridgeNode

    shipped = {**SHIPPED_CONFIG["vla_bridge"]["ros__parameters"], "policy_profile": "joint_position"}
    overrides = [Parameter(key, value=value) for key, value in shipped.items()]
    bridge = make_host(lambda context: VlaBridgeNode(context=context, parameter_overrides=overrides)).node
    states = make_probe(make_host(lambda c: Node("bridge_watch", context=c), threads=2).node, ArmState, "arm_state")
    states.wait_first(20, "a first arm_state")
    wait_until(lambda: bridge.commands_processed() is not None, 20, "the bridge's first arm_state")
    wait_until(lambda: bridge._joints.msg is not None, 20, "the bridge's first joint_states (the profile's state)")
    target = observer.arm_joints() + SMALL_STEP
    row = np.array([*target, 0.0])  # DROID's gripper convention: 0 = open
    applied = send_until_applied(lambda: bridge.publish_command(row), states.latest, "the bridge's joint target")
    assert applied.commands_rejected == applied.commands_stale, "the driver refused the bridge's joint command"
    assert_reaches(observer, target, "the bridge's joint target reached")
    wait_until(lambda: bridge.commands_processed() >= applied.commands_applied + applied.commands_rejected, 10,
               "the bridge seeing the driver's confirmation (its settle)")  # fmt: skip
