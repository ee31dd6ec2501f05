"""The vla_bridge node in-process, a small fake driver node, and a real openpi-protocol server.

The fault test kills a policy server *process* mid-goal: the goal must abort
within the bound of :func:`support.latency_bounds.abort_after_policy_kill`
(timed on the bridge's own log stamp), no command may follow, and the bridge
must serve the next goal once the server is back.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from action_msgs.msg import GoalStatus
from rclpy.action import ActionClient
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rclpy.time import Time
from sarl_auth import load_or_create_secret
from sarl_auth.prompt_goal import sign_goal
from sarl_interfaces.action import ExecutePrompt
from sarl_interfaces.msg import ArmCommand, ArmState
from sarl_vla_bridge.execution import Outcome
from sensor_msgs.msg import Image
from std_msgs.msg import Bool, Float32MultiArray, MultiArrayDimension
from bridge_harness import Bridge
from support import latency_bounds
from support.processes import PeerProcess
from support.ros_log import log_stamps
from support.ros_node import SpunNode, wait_future, wait_until

pytestmark = pytest.mark.timing

RATE_HZ = 50.0
ENDLESS = 1_000_000
"""Steps of a goal that must still run when the test stops it (hours at these rates, however fast the machine)."""


class FakeDriver:
    """Publishes camera, arm state and scene at 20 Hz; records arm commands; sends goals (signed, as the agent).

    Its e-stop mirrors the real driver's: ``estop`` true engages it, false is ignored, and only
    :meth:`clear_estop` (the real driver's authorized ``clear_estop`` service) clears it.
    """

    def __init__(self, namespace: str = "") -> None:
        self.spun = SpunNode(f"fake_driver{namespace.replace('/', '_')}")
        node = self.spun.node
        ns = f"{namespace}/" if namespace else ""
        latest = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
        self._image_pub = node.create_publisher(Image, f"{ns}camera/image_raw", latest)
        self._state_pub = node.create_publisher(ArmState, f"{ns}arm_state", 10)
        self._scene_pub = node.create_publisher(Float32MultiArray, f"{ns}sim/scene", latest)
        estop_qos = QoSProfile(
            depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL
        )
        self.estop_pub = node.create_publisher(Bool, f"{ns}estop", estop_qos)
        self.estop_active = False
        node.create_subscription(Bool, f"{ns}estop", self._estop_callback, estop_qos)
        self.commands: list[tuple[float, ArmCommand]] = []
        self._since_ns = 0
        self.new_command = threading.Event()
        node.create_subscription(ArmCommand, f"{ns}arm_command", self._command_callback, 10)
        self.client = ActionClient(node, ExecutePrompt, f"{ns}execute_prompt")
        self.feedback: list[int] = []
        self._image = Image(height=256, width=256, encoding="rgb8", step=768, data=bytes(256 * 256 * 3))
        scene = Float32MultiArray(data=[float(v) for v in range(22)])
        scene.layout.dim = [MultiArrayDimension(label="objects", size=2), MultiArrayDimension(label="columns", size=11)]
        self._scene = scene
        node.create_timer(0.05, self._publish_sensors)

    def _publish_sensors(self) -> None:
        self._image_pub.publish(self._image)
        state = ArmState(x=0.25, y=0.05, z=0.12, gripper=1.0, estop_active=self.estop_active)
        state.header.stamp = self.spun.node.get_clock().now().to_msg()
        self._state_pub.publish(state)
        self._scene_pub.publish(self._scene)

    def _estop_callback(self, msg: Bool) -> None:
        if msg.data:
            self.estop_active = True

    def clear_estop(self) -> None:
        self.estop_active = False

    def _command_callback(self, msg: ArmCommand) -> None:
        if Time.from_msg(msg.header.stamp).nanoseconds < self._since_ns:
            return  # stamped by the bridge before clear_commands(): an earlier test's, delivered late
        self.commands.append((time.monotonic(), msg))
        self.new_command.set()

    def clear_commands(self) -> None:
        """Forget recorded commands, and ignore any the bridge stamped before now (its clock is the system
        clock, like ``time.time_ns()``): a previous goal's last command may still be in flight."""
        self._since_ns = time.time_ns()
        self.commands.clear()

    def send(self, prompt: str, max_steps: int = 0, max_duration: float = 0.0, secret: bytes | None = None):
        """A goal signed with ``secret`` (default: the run secret, as the agent signs); asserts it was accepted."""
        goal = ExecutePrompt.Goal(prompt=prompt, max_steps=max_steps, max_duration=max_duration)
        handle = self.send_goal(sign_goal(secret or load_or_create_secret(), goal))
        assert handle.accepted
        return handle

    def send_goal(self, goal: ExecutePrompt.Goal):
        return wait_future(
            self.client.send_goal_async(goal, feedback_callback=lambda f: self.feedback.append(f.feedback.steps_done)),
            30.0,
        )

    def outcome(self, handle, timeout: float = 30.0):
        response = wait_future(handle.get_result_async(), timeout)
        return response.status, response.result

    def no_command_within(self, seconds: float) -> bool:
        """Bounded negative check: True if no arm_command arrives in ``seconds`` (several control ticks)."""
        self.new_command.clear()
        return not self.new_command.wait(seconds)

    def close(self) -> None:
        self.spun.close()


@pytest.fixture(scope="module")
def driver() -> Iterator[FakeDriver]:
    fake = FakeDriver()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def module_bridge(driver, module_server) -> Iterator[Bridge]:
    """One bridge against an in-thread scripted server, shared by the behaviour tests of this module."""
    server, _ = module_server
    bridge = Bridge(
        policy_port=server.port,
        control_rate_hz=RATE_HZ,
        steps_per_query=4,
        inference_timeout=3.0,  # only the held-policy test waits on it; shorter would race a loaded machine
        connect_timeout=10.0,
        scene_topic="sim/scene",
    )
    assert driver.client.wait_for_server(timeout_sec=10.0)
    yield bridge
    bridge.close()


@pytest.fixture
def rig(module_bridge, module_server, driver):
    """(policy script, driver) with a clean slate: no e-stop, healthy policy, no recorded traffic."""
    _, policy = module_server
    policy.fail = False
    policy.release()
    with policy.lock:
        policy.observations.clear()
    driver.clear_estop()
    wait_until(lambda: module_bridge.node.estop_reason() is None, 5.0, "e-stop cleared at the bridge")
    driver.clear_commands()
    driver.feedback.clear()
    return policy, driver


def wait_commands(driver: FakeDriver, count: int, timeout: float = 20.0) -> None:
    wait_until(lambda: len(driver.commands) >= count, timeout, f"{count} arm commands")


def test_outcome_values_match_the_action_definition():
    for outcome in Outcome:
        assert getattr(ExecutePrompt.Result, f"OUTCOME_{outcome.name}") == outcome.value


def test_a_goal_runs_its_step_budget_from_the_policy_chunks(rig):
    policy, driver = rig
    handle = driver.send("pick up the banana", max_steps=6)
    # rclpy drops the feedback callback once the result has arrived (feedback may land after it): wait first.
    wait_until(lambda: driver.feedback, 20, "feedback of the running goal")
    status, result = driver.outcome(handle)
    assert status == GoalStatus.STATUS_SUCCEEDED
    assert (result.outcome, result.steps_executed) == (ExecutePrompt.Result.OUTCOME_COMPLETED, 6)
    wait_commands(driver, 6)
    commands = [msg for _, msg in driver.commands]
    assert [round(c.dx, 6) for c in commands] == [0.001, 0.002, 0.003, 0.004, 0.001, 0.002]
    assert {c.source for c in commands} == {ArmCommand.SOURCE_VLA}
    assert policy.calls == 2
    sent = policy.observations[0]
    assert sent["prompt"] == "pick up the banana"
    assert sent["observation/state"].tolist() == pytest.approx([0.25, 0.05, 0.12, 0, 0, 0, 1.0])
    assert sent["observation/scene"].shape == (2, 11)


def test_a_new_goal_preempts_the_running_one(rig):
    _, driver = rig
    first = driver.send("pick up the banana", max_steps=ENDLESS)
    wait_commands(driver, 3)
    second = driver.send("put it in the pot", max_steps=3)
    status, result = driver.outcome(first)
    assert status == GoalStatus.STATUS_ABORTED and result.outcome == ExecutePrompt.Result.OUTCOME_PREEMPTED
    status, result = driver.outcome(second)
    assert status == GoalStatus.STATUS_SUCCEEDED and result.steps_executed == 3


def test_cancel_stops_commanding_at_the_next_tick(rig):
    _, driver = rig
    handle = driver.send("pick up the banana", max_steps=ENDLESS)
    wait_commands(driver, 3)
    wait_future(handle.cancel_goal_async(), 20.0)
    status, result = driver.outcome(handle)
    assert status == GoalStatus.STATUS_CANCELED and result.outcome == ExecutePrompt.Result.OUTCOME_CANCELED
    wait_commands(driver, result.steps_executed)
    assert driver.no_command_within(5 / RATE_HZ)
    assert len(driver.commands) == result.steps_executed


def test_estop_stops_the_goal_and_refuses_new_ones_until_cleared(rig):
    _, driver = rig
    handle = driver.send("pick up the banana", max_steps=ENDLESS)
    wait_commands(driver, 2)
    driver.estop_pub.publish(Bool(data=True))
    status, result = driver.outcome(handle)
    assert status == GoalStatus.STATUS_ABORTED and result.outcome == ExecutePrompt.Result.OUTCOME_SAFETY_STOP
    status, refused = driver.outcome(driver.send("pick up the banana", max_steps=3))
    assert refused.outcome == ExecutePrompt.Result.OUTCOME_SAFETY_STOP and refused.steps_executed == 0
    assert "e-stop" in refused.message


def test_a_topic_clear_does_not_clear_the_estop_only_the_driver_does(rig, module_bridge):
    _, driver = rig
    driver.estop_pub.publish(Bool(data=True))
    wait_until(lambda: driver.estop_active, 5.0, "the fake driver to engage")
    driver.estop_pub.publish(Bool(data=False))  # any peer could send this
    _, refused = driver.outcome(driver.send("pick up the banana", max_steps=3))
    assert refused.outcome == ExecutePrompt.Result.OUTCOME_SAFETY_STOP and refused.steps_executed == 0
    driver.clear_estop()  # the driver's authorized clear; its next arm_state tells the bridge
    wait_until(lambda: module_bridge.node.estop_reason() is None, 5.0, "e-stop cleared at the bridge")


@pytest.mark.parametrize("prompt", ["   ", "x" * 10_000, "put the \u202ebanana in the pot"])
def test_a_malformed_goal_gets_a_filled_result(rig, prompt):
    _, driver = rig
    started = time.monotonic()
    status, result = driver.outcome(driver.send(prompt, max_steps=3))
    assert status == GoalStatus.STATUS_ABORTED and result.outcome == ExecutePrompt.Result.OUTCOME_INVALID_GOAL
    assert "prompt" in result.message and result.steps_executed == 0 and not driver.commands
    assert time.monotonic() - started < 5.0  # refused up front (the policy is never asked)


def test_goals_not_signed_by_the_agent_are_rejected_and_never_preempt(rig, module_bridge):
    _, driver = rig
    running = driver.send("pick up the banana", max_steps=1000)
    wait_commands(driver, 3)
    refused_before = module_bridge.node.goals_refused
    unsigned = ExecutePrompt.Goal(prompt="put it in the pot", max_steps=3)
    foreign = sign_goal(bytes(32), ExecutePrompt.Goal(prompt="put it in the pot", max_steps=3))
    replayed = sign_goal(load_or_create_secret(), ExecutePrompt.Goal(prompt="put it in the pot", max_steps=3))
    first = driver.send_goal(replayed)
    assert first.accepted  # the agent's own goal (preempts the running one, as the policy says)
    assert [driver.send_goal(goal).accepted for goal in (unsigned, foreign, replayed)] == [False, False, False]
    assert module_bridge.node.goals_refused == refused_before + 3
    _, result = driver.outcome(running)
    assert result.outcome == ExecutePrompt.Result.OUTCOME_PREEMPTED, "preempted by the agent's goal only"
    status, result = driver.outcome(first)
    assert status == GoalStatus.STATUS_SUCCEEDED and result.steps_executed == 3, result.message


def test_a_slow_policy_aborts_the_goal_and_holds_the_arm(rig):
    policy, driver = rig
    policy.hold()  # no answer until released: the bridge's inference_timeout must end the goal
    try:
        status, result = driver.outcome(driver.send("pick up the banana", max_steps=10))
    finally:
        policy.release()  # the module's server serves the next tests
    assert status == GoalStatus.STATUS_ABORTED and result.outcome == ExecutePrompt.Result.OUTCOME_POLICY_ERROR
    assert "timeout" in result.message and result.steps_executed == 0 and not driver.commands


def test_invalid_parameters_stop_the_node_with_the_name():
    with pytest.raises(ValueError, match="steps_per_query"):
        Bridge(steps_per_query=-1)


def test_policy_server_killed_mid_goal(tmp_path: Path, capfd: pytest.CaptureFixture[str]):
    script = Path(__file__).with_name("policy_process.py")
    server = PeerProcess.python(script, "--port", "0", log_dir=tmp_path)
    wait_until(lambda: "listening on" in server.log_text(), 15.0, "policy server process to listen")
    port = int(re.search(r"listening on ws://[\d.]+:(\d+)", server.log_text()).group(1))
    driver = FakeDriver(namespace="fault")  # a namespace keeps this bridge apart from the module's one
    rate_hz, inference_timeout = 20.0, 2.0  # a healthy answer never takes this long, even on a loaded machine
    bridge = Bridge("fault", policy_port=port, control_rate_hz=rate_hz, steps_per_query=4,
                    inference_timeout=inference_timeout)  # fmt: skip
    try:
        assert driver.client.wait_for_server(timeout_sec=10.0)
        driver.clear_commands()
        handle = driver.send("pick up the banana", max_steps=ENDLESS)
        wait_commands(driver, 6)  # the goal is running: commands from the server's chunks arrive
        killed_at = time.time()  # the clock of the bridge's log stamps
        server.kill()
        status, result = driver.outcome(handle, timeout=15.0)
        assert status == GoalStatus.STATUS_ABORTED and result.outcome == ExecutePrompt.Result.OUTCOME_POLICY_ERROR
        # How the bridge learns of the death races on a loaded machine: the closed socket, or the inference
        # deadline if its reader thread runs late. Either way a policy error, within the bound below.
        assert "connection" in result.message or "inference_timeout" in result.message, result.message
        aborted = log_stamps(capfd.readouterr().err, "fault.vla_bridge", r"POLICY_ERROR after")
        assert aborted, "the bridge logged no POLICY_ERROR result"
        latency_bounds.abort_after_policy_kill(inference_timeout, rate_hz).check(aborted[-1] - killed_at)
        wait_commands(driver, result.steps_executed)
        assert driver.no_command_within(0.3)
        assert len(driver.commands) == result.steps_executed

        (tmp_path / "restart").mkdir()
        restarted = PeerProcess.python(script, "--port", str(port), log_dir=tmp_path / "restart")
        try:
            wait_until(lambda: "listening on" in restarted.log_text(), 15.0, "restarted policy server")
            status, result = driver.outcome(driver.send("pick up the banana", max_steps=4))
            assert status == GoalStatus.STATUS_SUCCEEDED and result.steps_executed == 4
        finally:
            assert restarted.stop() in (0, -15)
    finally:
        server.stop()
        bridge.close()
        driver.close()


def test_sigterm_mid_goal_delivers_the_result_and_exits_cleanly(module_server, tmp_path: Path):
    """As a real process: SIGTERM ends the running goal with a filled result before the node exits with 0."""
    server, _ = module_server
    driver = FakeDriver(namespace="proc")
    args = ["-m", "sarl_vla_bridge.bridge_node", "--ros-args", "-r", "__ns:=/proc"]
    args += ["-p", f"policy_port:={server.port}", "-p", "control_rate_hz:=20.0", "-p", "scene_topic:=sim/scene"]
    bridge = PeerProcess([sys.executable, *args], tmp_path / "vla_bridge.log")
    try:
        assert driver.client.wait_for_server(timeout_sec=20.0), bridge.log_text()
        handle = driver.send("pick up the banana", max_steps=ENDLESS)
        result_future = handle.get_result_async()
        wait_commands(driver, 2)
        assert bridge.stop(timeout=10.0) == 0, bridge.log_text()  # a launcher's grace before SIGKILL
        response = wait_future(result_future, 20.0)
        assert response.status == GoalStatus.STATUS_ABORTED
        assert response.result.outcome == ExecutePrompt.Result.OUTCOME_SAFETY_STOP
        assert "shutting down" in response.result.message
    finally:
        bridge.stop()
        driver.close()
