"""The driver as its own process on the MuJoCo physics world (``sim_world:=physics``), talked to over real DDS.

What a user of the physics simulator would notice: end-effector deltas (after the driver's safety envelope)
and joint commands move the wx250s by what was asked, seen on ``arm_state`` and on ``joint_states`` with the
real joint names; an e-stop holds the arm where it is while commands keep coming; both cameras carry rendered
pictures of the configured size that change when the arm moves. One driver process serves the module.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from support.rendering import require_headless_rendering
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sarl_interfaces.msg import ArmCommand, ArmState
from sarl_interfaces.srv import ClearEstop
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import Bool
from support.estop_clear import clear_request
from support.processes import PeerProcess
from support.ros_node import call_repeatable, wait_future, wait_until
from widowx_driver.driver_node import ESTOP_QOS, LATEST_ONLY_QOS

IMAGE_WIDTH, IMAGE_HEIGHT = 112, 80
"""Not square and not the render size, so the published size must be the driver's configured one."""
ARM_JOINTS = ["waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate"]
REAL_JOINT_NAMES = [*ARM_JOINTS, "gripper", "left_finger", "right_finger"]
"""What the real xs_sdk publishes for a wx250s, in its order (config/wx250s.yaml ``joint_order``, then fingers)."""
SETTLE_TOLERANCE = 0.006
"""[m] a delta is reached to within this after one 0.2 s period (the servos cover ~90 % of it; test_control)."""


@pytest.fixture(scope="module")
def physics_driver(module_domain, tmp_path_factory):
    """``python -m widowx_driver.driver_node`` on the physics world: this checkout's code, this module's domain."""
    require_headless_rendering()
    parameters = {"sim_world": "physics", "task_name": "pot_lid_to_towel", "seed": "0", "wrist_camera": "true",
                  "image_width": str(IMAGE_WIDTH), "image_height": str(IMAGE_HEIGHT), "control_rate_hz": "10.0",
                  "watchdog_timeout": "30.0", "command_max_age": "2.0"}  # fmt: skip
    # command_max_age: stale commands are test_driver_node's subject; here a loaded 2-core machine must not
    # turn a late delivery into a refusal.
    args = [sys.executable, "-m", "widowx_driver.driver_node", "--ros-args"]
    for name, value in parameters.items():
        args += ["-p", f"{name}:={value}"]
    process = PeerProcess(args, tmp_path_factory.mktemp("physics_driver") / "driver.log")
    yield process
    code = process.stop()
    assert code == 0, process.log_text()


class Arm:
    """The peer's view of the driver process: commands out, arm_state / joint_states / images in."""

    def __init__(self, node: Node, make_probe, process: PeerProcess) -> None:
        self.node = node
        self._process = process
        self.states = make_probe(node, ArmState, "arm_state")
        self.joints = make_probe(node, JointState, "joint_states", qos_profile_sensor_data)
        self.cameras = {topic: make_probe(node, Image, topic, LATEST_ONLY_QOS)
                        for topic in ("camera/image_raw", "camera/wrist/image_raw")}  # fmt: skip
        self.commands = node.create_publisher(ArmCommand, "arm_command", 10)
        self.joint_commands = node.create_publisher(JointState, "joint_command", 10)
        wait_until(lambda: self.commands.get_subscription_count() > 0 or not process.is_running(), 30,
                   "the driver process to subscribe arm_command")  # fmt: skip
        assert process.is_running(), process.log_text()
        wait_until(lambda: self.joint_commands.get_subscription_count() > 0, 20, "the driver's joint_command")
        self.states.wait_first(20, "a first arm_state")

    def send(self, **fields: float) -> None:
        msg = ArmCommand(source=ArmCommand.SOURCE_OPERATOR, gripper=1.0)
        msg.header.stamp = self.node.get_clock().now().to_msg()
        msg.header.frame_id = "base_link"
        for name, value in fields.items():
            setattr(msg, name, float(value))
        self.commands.publish(msg)

    def send_joints(self, positions: np.ndarray) -> None:
        msg = JointState(name=list(ARM_JOINTS), position=[float(p) for p in positions])
        msg.header.stamp = self.node.get_clock().now().to_msg()
        msg.header.frame_id = "base_link"
        self.joint_commands.publish(msg)

    def applied_at_least(self, count: int, what: str) -> ArmState:
        """The first arm_state counting ``count`` applied commands; on timeout, what the driver counted instead."""
        try:
            return self.states.wait_for(lambda m: m.commands_applied >= count, 10.0, what)
        except TimeoutError as error:
            last = self.states.latest()
            counted = {name: getattr(last, f"commands_{name}") for name in ("received", "applied", "rejected",
                                                                            "stale", "lost")}  # fmt: skip
            raise AssertionError(f"{error}; the driver counted {counted}; its log:\n"
                                 f"{self._process.log_text()[-3000:]}") from error

    def joints_after(self, state: ArmState) -> JointState:
        """The first joint_states published at or after ``state`` (same driver clock and tick)."""
        return self.joints.wait_for(lambda m: stamp_s(m.header.stamp) >= stamp_s(state.header.stamp), 10.0,
                                    "joint_states after that arm_state")  # fmt: skip


@pytest.fixture
def arm(physics_driver, make_host, make_probe) -> Arm:
    peer = make_host(lambda context: Node("physics_driver_peer", context=context), threads=2).node
    return Arm(peer, make_probe, physics_driver)


def stamp_s(stamp) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def xyz(msg: ArmState) -> np.ndarray:
    return np.array([msg.x, msg.y, msg.z])


def pixels(msg: Image) -> np.ndarray:
    return np.frombuffer(bytes(msg.data), dtype=np.uint8).reshape(msg.height, msg.width, 3)


def test_deltas_and_joint_commands_move_the_physics_arm_as_commanded(arm):
    start = arm.states.latest()
    assert start.estop_active is False
    waist_before = arm.joints.wait_first(10, "joint_states").position[0]  # received before any command below
    for delta in ({"dx": 0.02}, {"dx": 0.02}, {"dy": 0.03}, {"dy": 0.03}):
        arm.send(**delta)
    moved = arm.applied_at_least(start.commands_applied + 4, "four deltas applied")
    np.testing.assert_allclose(xyz(moved) - xyz(start), (0.04, 0.06, 0.0), atol=SETTLE_TOLERANCE)
    joints = arm.joints_after(moved)
    assert list(joints.name) == REAL_JOINT_NAMES
    assert joints.position[0] - waist_before > 0.1, "the waist turns the arm toward +y"

    arm.send(dx=-0.2)  # four times the envelope's step limit: clipped to 5 cm before the physics sees it
    clipped = arm.states.wait_for(lambda m: m.commands_clipped > moved.commands_clipped, 10.0, "a clipped delta")
    assert clipped.commands_applied == moved.commands_applied + 1
    np.testing.assert_allclose(xyz(clipped) - xyz(moved), (-0.05, 0.0, 0.0), atol=SETTLE_TOLERANCE)

    target = np.array(arm.joints_after(clipped).position[:6])
    target[0] -= 0.08  # one joint step (max_joint_step 0.1 rad) back toward -y
    arm.send_joints(target)
    stepped = arm.applied_at_least(clipped.commands_applied + 1, "the joint command applied")
    reached = np.array(arm.joints_after(stepped).position[:6])
    np.testing.assert_allclose(reached, target, atol=0.02)
    assert stepped.y < clipped.y - 0.01, "turning the waist back moves the hand toward -y"


def test_an_estop_holds_the_physics_arm_while_commands_keep_coming(arm):
    estop = arm.node.create_publisher(Bool, "estop", ESTOP_QOS)
    clear = arm.node.create_client(ClearEstop, "clear_estop")
    wait_until(lambda: estop.get_subscription_count() > 0, 20, "the driver to subscribe estop")
    assert clear.wait_for_service(timeout_sec=20.0)
    start = arm.states.latest()
    streamer = arm.node.create_timer(0.1, lambda: arm.send(dy=-0.01))  # a sender that keeps moving the arm
    try:
        moving = arm.applied_at_least(start.commands_applied + 3, "the arm moving")
        assert moving.y < start.y - 0.01
        estop.publish(Bool(data=True))
        held = arm.states.wait_for(lambda m: m.estop_active and m.holding, 10.0, "arm_state reporting the hold")
        refused = arm.states.wait_for(lambda m: m.commands_rejected >= held.commands_rejected + 5, 10.0,
                                      "five commands refused during the e-stop")  # fmt: skip
        assert refused.commands_applied == held.commands_applied
        # Where the arm was when the hold came: the last report before it (after a command still being applied
        # when the e-stop arrived, if there was one). The hold and everything after it must leave it there.
        states = arm.states.messages
        first_held = next(i for i, m in enumerate(states) if m.estop_active and m.holding)
        before = next(m for m in reversed(states[:first_held]) if not m.holding)
        drift = max(float(np.linalg.norm(xyz(m) - xyz(before))) for m in states[first_held:] if m.estop_active)
        assert drift < 0.002, f"the arm moved {drift * 1e3:.1f} mm from where the e-stop found it"
        joints_before = np.array(arm.joints_after(before).position)
        np.testing.assert_allclose(arm.joints_after(refused).position, joints_before, atol=1e-3)
    finally:
        streamer.cancel()
        answer = wait_future(clear.call_async(clear_request()), 10)
        assert answer.accepted, answer.message
    arm.states.wait_for(lambda m: not m.estop_active, 10.0, "the e-stop cleared for the next test")


def test_both_cameras_carry_rendered_frames_of_the_configured_size_that_follow_the_arm(arm):
    first = {topic: probe.wait_first(20, topic) for topic, probe in arm.cameras.items()}
    for topic, image in first.items():
        assert (image.width, image.height, image.encoding) == (IMAGE_WIDTH, IMAGE_HEIGHT, "rgb8"), topic
        assert len(image.data) == IMAGE_WIDTH * IMAGE_HEIGHT * 3, topic
        assert pixels(image).std() > 10, f"{topic}: a blank picture"
    bridge, wrist = (pixels(image).astype(int) for image in first.values())
    assert np.abs(bridge - wrist).mean() > 20, "the wrist camera shows the third-person picture"

    start = arm.states.latest()
    toward_middle = 0.04 if start.y < 0.05 else -0.04  # the box spans y -0.15..0.25: room either way
    for _ in range(3):
        arm.send(dy=toward_middle)
    moved = arm.applied_at_least(start.commands_applied + 3, "three deltas applied")
    for topic, probe in arm.cameras.items():
        after = probe.wait_for(lambda m: stamp_s(m.header.stamp) >= stamp_s(moved.header.stamp), 10.0,
                               f"{topic} after the motion")  # fmt: skip
        changed = np.abs(pixels(after).astype(int) - pixels(first[topic]).astype(int)).max(axis=2) > 30
        assert changed.mean() > 0.01, f"{topic}: only {changed.mean():.1%} of the pixels changed as the arm moved"


def test_the_scene_services_answer_from_the_physics_state(arm):
    """The learning graph's services: the success detector reads the physics state; a new layout is laid out."""
    from sarl_interfaces.srv import EvaluateTask, ResetScene

    evaluate = arm.node.create_client(EvaluateTask, "sim/evaluate_task")
    reset = arm.node.create_client(ResetScene, "sim/reset_scene")
    assert evaluate.wait_for_service(timeout_sec=20.0) and reset.wait_for_service(timeout_sec=20.0)
    answer = call_repeatable(evaluate, EvaluateTask.Request(), 10.0)
    assert answer.task_success is False and "On(pot_lid, towel): no" in answer.detail, answer.detail
    reply = call_repeatable(reset, ResetScene.Request(task_name="banana_pot_sushi_bowl", seed=2), 20.0)
    assert reply.accepted, reply.message
    assert "banana" in reply.object_names
    answer = call_repeatable(evaluate, EvaluateTask.Request(), 10.0)
    assert answer.detail == "In(banana, pot_right): no; In(sushi, bowl): no", answer.detail
