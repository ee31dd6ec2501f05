"""``vla_bridge`` node: the ``execute_prompt`` action server in front of an openpi policy server.

Only wiring lives here: parameters → :class:`BridgeConfig`, messages → numpy
(:mod:`observation`), and the goal loop (:func:`execution.run_goal`) fed by a
:class:`_GoalSession` that reads the latest sensor messages and publishes
``arm_command``.

Goal policy: single goal, **a new goal preempts the running one** (that one
ends aborted with OUTCOME_PREEMPTED). Goals are always accepted so that even
a malformed goal or an active e-stop gets a filled result.

Threads and callback groups (MultiThreadedExecutor):

* ``sensors`` (mutually exclusive): image, arm_state, scene, estop callbacks.
  They only store the latest message (conversion happens at query time in
  the goal thread), so they never block.
* ``goals`` (mutually exclusive): the action server's goal / cancel / result
  requests. Separate from ``sensors`` so a burst of camera frames never
  delays a cancel or a preempting goal.
* the execute callback itself: rclpy runs it as an executor task outside any
  callback group, on its own pool thread, for the whole goal (seconds; it
  blocks on the websocket with a deadline). It must therefore not share a
  mutually exclusive group with anything above, and the pool has threads for
  two overlapping goals (the preempted one finishing, the new one waiting)
  plus both groups.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

import numpy as np
import rclpy
from sarl_node_runtime import exit_process, run_until_signal
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.action.server import ServerGoalHandle
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rclpy.signals import SignalHandlerOptions
from sarl_interfaces.action import ExecutePrompt
from sarl_interfaces.msg import ArmCommand, ArmState
from sensor_msgs.msg import Image
from std_msgs.msg import Bool, Float32MultiArray

from . import observation as obs
from .config import BridgeConfig, field_docs
from .execution import ExecutionResult, GoalSpec, ObservationUnavailable, Outcome, run_goal
from .policy_client import PolicyClient

FEEDBACK_PERIOD = 0.1
"""[s] at most this often a feedback message (the control rate may be much higher)."""
EXECUTOR_THREADS = 5
SHUTDOWN_LINGER = 0.5
"""[s] spin on after aborting goals at shutdown, so their clients can still fetch the results."""


SETTLE_POLL_S = 0.005
"""[s] how often a finishing goal looks at the latest arm_state."""


class _Latest:
    """The newest message of one topic and when (monotonic) it arrived; written by one callback."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.msg: Any = None
        self.stamp = 0.0

    def set(self, msg: Any) -> None:
        self.msg, self.stamp = msg, time.monotonic()

    def fresh(self, max_age: float) -> Any:
        msg, stamp = self.msg, self.stamp
        if msg is None:
            raise ObservationUnavailable(f"nothing received yet on {self.topic!r}")
        age = time.monotonic() - stamp
        if age > max_age:
            raise ObservationUnavailable(f"last message on {self.topic!r} is {age:.2f} s old (max {max_age} s)")
        return msg


class _GoalSession:
    """One goal's view of the node (:class:`execution.GoalIO`) plus its stop flag."""

    def __init__(self, node: VlaBridgeNode, goal_handle: ServerGoalHandle) -> None:
        self._node = node
        self.goal_handle = goal_handle
        self._wake = threading.Event()
        self._forced: tuple[Outcome, str] | None = None
        self._last_feedback = -1.0
        self._published = 0
        self._processed_before: int | None = None
        """The driver's processed-command count when this goal published its first command."""

    def force_stop(self, outcome: Outcome, message: str) -> None:
        if self._forced is None:
            self._forced = (outcome, message)
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def now(self) -> float:
        return time.monotonic()

    def wait(self, seconds: float) -> None:
        if seconds > 0 and self._wake.wait(seconds):
            self._wake.clear()

    def stop_reason(self) -> tuple[Outcome, str] | None:
        estop = self._node.estop_reason()
        if estop is not None:
            return Outcome.SAFETY_STOP, estop
        if self.goal_handle.is_cancel_requested:
            return Outcome.CANCELED, "canceled by the client"
        return self._forced

    def observe(self, prompt: str) -> dict:
        return self._node.observation(prompt)

    def publish(self, action: np.ndarray) -> None:
        if self._published == 0:
            self._processed_before = self._node.commands_processed()
        self._node.publish_command(action)
        self._published += 1

    def settle(self, timeout: float) -> bool:
        if self._processed_before is None:
            return False
        target = self._processed_before + self._published
        deadline = time.monotonic() + timeout
        while (self._node.commands_processed() or 0) < target:
            if time.monotonic() >= deadline or self.stop_reason() is not None:
                return False
            self.wait(SETTLE_POLL_S)
        return True

    def feedback(self, steps_done: int, elapsed: float) -> None:
        now = time.monotonic()
        if now - self._last_feedback >= FEEDBACK_PERIOD:
            self._last_feedback = now
            self.goal_handle.publish_feedback(ExecutePrompt.Feedback(steps_done=steps_done, elapsed=float(elapsed)))


class VlaBridgeNode(Node):
    """``execute_prompt`` → openpi policy queries → ``arm_command`` at the control rate."""

    def __init__(self, **node_kwargs: Any) -> None:
        super().__init__("vla_bridge", **node_kwargs)
        self._sessions_lock = threading.Lock()
        self._sessions: dict[bytes, _GoalSession] = {}
        self._current: _GoalSession | None = None
        self._execution_lock = threading.Lock()
        self._estop = False
        self._closing = False
        self._policy: PolicyClient | None = None
        self._config = self._read_config()
        self._policy = PolicyClient(self._config.endpoint())

        sensors = MutuallyExclusiveCallbackGroup()
        goals = MutuallyExclusiveCallbackGroup()
        latest_only = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
        self._image = _Latest("camera/image_raw")
        self._state = _Latest("arm_state")
        self._scene = _Latest(self._config.scene_topic) if self._config.scene_topic else None
        self.create_subscription(Image, "camera/image_raw", self._image.set, latest_only, callback_group=sensors)
        self.create_subscription(ArmState, "arm_state", self._arm_state_callback, 10, callback_group=sensors)
        estop_qos = QoSProfile(
            depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL
        )
        self.create_subscription(Bool, "estop", self._estop_callback, estop_qos, callback_group=sensors)
        if self._scene is not None:
            self.create_subscription(
                Float32MultiArray, self._config.scene_topic, self._scene.set, latest_only, callback_group=sensors
            )
        self._command_pub = self.create_publisher(ArmCommand, "arm_command", 10)
        self._action_server = ActionServer(
            self,
            ExecutePrompt,
            "execute_prompt",
            execute_callback=self._execute_callback,
            goal_callback=self._goal_callback,
            handle_accepted_callback=self._handle_accepted_callback,
            cancel_callback=self._cancel_callback,
            callback_group=goals,
        )
        endpoint = self._policy.endpoint
        key_source = f"from ${self._config.api_key_env}" if endpoint.api_key else "none"
        self.get_logger().info(
            f"ready: policy {endpoint.uri} (API key: {key_source}),"
            f" {self._config.control_rate_hz} Hz, {self._config.steps_per_query} steps/query,"
            f" scene topic {self._config.scene_topic or '(none)'}"
        )

    # --- parameters -------------------------------------------------------------------------

    def _read_config(self) -> BridgeConfig:
        defaults, docs = BridgeConfig(), field_docs(BridgeConfig)
        values = {}
        for name in BridgeConfig.__dataclass_fields__:
            descriptor = ParameterDescriptor(read_only=True, description=docs.get(name, ""))
            values[name] = self.declare_parameter(name, getattr(defaults, name), descriptor).value
        return BridgeConfig.from_mapping(values)

    # --- sensor callbacks (store only) -------------------------------------------------------

    def _arm_state_callback(self, msg: ArmState) -> None:
        self._state.set(msg)
        if msg.estop_active:
            self._wake_current()

    def _estop_callback(self, msg: Bool) -> None:
        self._estop = bool(msg.data)
        if self._estop:
            self._wake_current()

    def estop_reason(self) -> str | None:
        if self._estop:
            return "e-stop engaged (estop topic)"
        state = self._state.msg
        if state is not None and state.estop_active:
            return "e-stop active (reported by the driver in arm_state)"
        return None

    def observation(self, prompt: str) -> dict:
        """openpi observation from the latest messages, or ObservationUnavailable (missing / stale / malformed)."""
        max_age = self._config.observation_timeout
        image_msg = self._image.fresh(max_age)
        state_msg = self._state.fresh(max_age)
        scene = None
        try:
            image = obs.image_from_buffer(
                image_msg.data, image_msg.height, image_msg.width, image_msg.step, image_msg.encoding
            )
            state = obs.state_vector(
                state_msg.x, state_msg.y, state_msg.z, state_msg.roll, state_msg.pitch, state_msg.yaw, state_msg.gripper
            )
            if self._scene is not None:
                scene_msg = self._scene.fresh(max_age)
                scene = obs.scene_array(scene_msg.data, [d.size for d in scene_msg.layout.dim])
            return obs.build_observation(image, state, prompt, scene)
        except ValueError as exc:
            raise ObservationUnavailable(f"malformed input: {exc}") from exc

    def commands_processed(self) -> int | None:
        """Commands the driver has applied or refused so far (latest arm_state), None before the first state."""
        state = self._state.msg
        return None if state is None else int(state.commands_applied) + int(state.commands_rejected)

    def publish_command(self, action: np.ndarray) -> None:
        msg = ArmCommand(source=ArmCommand.SOURCE_VLA)
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.header.frame_id = self._config.frame_id
        msg.dx, msg.dy, msg.dz, msg.droll, msg.dpitch, msg.dyaw, msg.gripper = (float(v) for v in action)
        self._command_pub.publish(msg)

    # --- action server -----------------------------------------------------------------------

    def _goal_callback(self, _goal: ExecutePrompt.Goal) -> GoalResponse:
        """Accept everything: validation happens in execution so every goal gets a filled result."""
        return GoalResponse.REJECT if self._closing else GoalResponse.ACCEPT

    def _handle_accepted_callback(self, goal_handle: ServerGoalHandle) -> None:
        session = _GoalSession(self, goal_handle)
        with self._sessions_lock:
            previous, self._current = self._current, session
            self._sessions[bytes(goal_handle.goal_id.uuid)] = session
        if previous is not None:
            previous.force_stop(Outcome.PREEMPTED, "preempted by a newer execute_prompt goal")
        goal_handle.execute()

    def _cancel_callback(self, goal_handle: ServerGoalHandle) -> CancelResponse:
        session = self._sessions.get(bytes(goal_handle.goal_id.uuid))
        if session is not None:
            session.wake()
        return CancelResponse.ACCEPT

    def _wake_current(self) -> None:
        session = self._current
        if session is not None:
            session.wake()

    def _execute_callback(self, goal_handle: ServerGoalHandle) -> ExecutePrompt.Result:
        session = self._sessions[bytes(goal_handle.goal_id.uuid)]
        request = goal_handle.request
        goal = GoalSpec(request.prompt, int(request.max_steps), float(request.max_duration))
        with self._execution_lock:  # the preempted goal stops within a tick (or one inference_timeout)
            try:
                result = run_goal(goal, self._config.loop(), self._policy, session)
            except Exception as exc:  # a bug must end the goal, not the node
                self.get_logger().error(f"goal loop failed: {type(exc).__name__}: {exc}")
                result = ExecutionResult(Outcome.POLICY_ERROR, 0, 0.0, f"bridge error: {type(exc).__name__}: {exc}")
            with self._sessions_lock:
                self._sessions.pop(bytes(goal_handle.goal_id.uuid), None)
                if self._current is session:
                    self._current = None
            return self._finish(goal_handle, goal, result)

    def _finish(self, goal_handle: ServerGoalHandle, goal: GoalSpec, result: ExecutionResult) -> ExecutePrompt.Result:
        msg = ExecutePrompt.Result(
            outcome=int(result.outcome),
            steps_executed=result.steps_executed,
            elapsed=float(result.elapsed),
            message=result.message,
        )
        summary = f"goal {goal.prompt!r}: {result.outcome.name} after {result.steps_executed} steps: {result.message}"
        completed = result.outcome is Outcome.COMPLETED
        canceled = result.outcome is Outcome.CANCELED and goal_handle.is_cancel_requested
        if completed or canceled:
            self.get_logger().info(summary)
        else:  # rclpy wants one severity per call site, hence two calls
            self.get_logger().warning(summary)
        try:
            if completed:
                goal_handle.succeed()
            elif canceled:
                goal_handle.canceled()
            else:
                goal_handle.abort()
        except Exception as exc:  # only when the middleware is already gone (shutdown)
            self.get_logger().warning(f"could not report the goal's end state: {exc}")
        return msg

    def stop_goals(self) -> bool:
        """Refuse new goals and end the running ones (no further commands); True if there were any.

        Waits at most one inference for the running goal to finish.
        """
        self._closing = True
        with self._sessions_lock:
            sessions = list(self._sessions.values())
        for session in sessions:
            session.force_stop(Outcome.SAFETY_STOP, "vla_bridge is shutting down")
        if sessions and self._execution_lock.acquire(timeout=self._config.inference_timeout + 1.0):
            self._execution_lock.release()
        return bool(sessions)

    def destroy_node(self) -> None:
        """Also called by rclpy on a node whose constructor failed (bad parameters): nothing may be assumed."""
        self.stop_goals()
        if self._policy is not None:
            self._policy.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Spin until SIGTERM/SIGINT, then end the running goal *before* the middleware goes away.

    rclpy's own signal handler would shut the context down first, so the
    client of a running goal would never get its result; here the signal only
    wakes the main thread, which aborts the goal (result delivered), then shuts down.
    """
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    try:
        node = VlaBridgeNode()
    except ValueError as exc:
        rclpy.logging.get_logger("vla_bridge").fatal(f"invalid configuration: {exc}")
        rclpy.try_shutdown()
        return 2
    def finish_goals() -> None:
        node.get_logger().info("stopping")
        if node.stop_goals():
            time.sleep(SHUTDOWN_LINGER)  # still spinning: answer result requests already on the wire

    run_until_signal(node, MultiThreadedExecutor(num_threads=EXECUTOR_THREADS), before_shutdown=finish_goals)
    exit_process(0)


if __name__ == "__main__":
    sys.exit(main())
