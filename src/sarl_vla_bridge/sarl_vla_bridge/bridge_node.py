"""``vla_bridge`` node: the ``execute_prompt`` action server in front of an openpi policy server.

Only wiring lives here: parameters → :class:`BridgeConfig`, messages → numpy
(:mod:`observation`), and the goal loop (:func:`execution.run_goal`) fed by a
:class:`_GoalSession` that reads the latest sensor messages and publishes
``arm_command``.

Goal policy: only the agent's goals, single goal, **a new goal preempts the
running one** (that one ends aborted with OUTCOME_PREEMPTED). A goal must be
signed with the run secret (:mod:`sarl_auth.prompt_goal`); an unsigned,
foreign, stale or replayed goal is rejected at once (counted, logged at most
every 2 s) and never touches the running goal, so no other peer on the DDS
domain can preempt the agent's step. Signed goals are always accepted so that
even a malformed goal (e.g. a prompt :func:`sarl_prompt.check_prompt` refuses)
or an active e-stop gets a filled result.

E-stop: ``estop`` true stops the running goal at once; ``estop`` false is not
a clear (any peer could send it). The bridge follows the driver, the only
authority over the stop: the e-stop counts as cleared once an arm_state
stamped after the engage reports ``estop_active`` false.

Threads and callback groups:

* the high-rate sensor topics — image(s), joint_states, scene and arm_state —
  arrive on a side node ``vla_bridge_sensors`` with its own single-threaded
  executor (:mod:`sensor_tap`: this node's executor loop is too costly per
  message). Their callbacks only store the latest message (conversion happens
  at query time in the goal thread); arm_state also wakes a settling goal
  (the driver's confirmation of the last command).

On this node (MultiThreadedExecutor):

* ``sensors`` (mutually exclusive): the estop callback.
* ``goals`` (mutually exclusive): the action server's goal / cancel / result
  requests. Separate from ``sensors`` so a burst of camera frames never
  delays a cancel or a preempting goal.
* the execute callback itself: rclpy runs it as an executor task outside any
  callback group, on its own pool thread, for the whole goal (seconds; it
  blocks on the websocket with a deadline). It must therefore not share a
  mutually exclusive group with anything above, and the pool has threads for
  two overlapping goals (the preempted one finishing, the new one waiting)
  plus the two groups.
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
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy, qos_profile_sensor_data
from rclpy.signals import SignalHandlerOptions
from sarl_auth import SecretError, load_or_create_secret
from sarl_auth.prompt_goal import GoalAuthority
from sarl_interfaces.action import ExecutePrompt
from sarl_interfaces.msg import ArmCommand, ArmState
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import Bool, Float32MultiArray

from . import observation as obs
from .config import BridgeConfig, field_docs
from .execution import ExecutionResult, GoalSpec, ObservationUnavailable, Outcome, run_goal
from .policy_client import PolicyClient
from .profiles import ActionSpace, Camera, EeDeltaCommand, RobotSnapshot
from .sensor_tap import SensorTap

FEEDBACK_PERIOD = 0.1
"""[s] at most this often a feedback message (the control rate may be much higher)."""
EXECUTOR_THREADS = 6
SHUTDOWN_LINGER = 0.5
"""[s] spin on after aborting goals at shutdown, so their clients can still fetch the results."""


SETTLE_POLL_S = 0.05
"""[s] longest a settling goal sleeps between looks at arm_state (each new arm_state wakes it at once)."""
CAMERA_TOPICS = {Camera.THIRD_PERSON: "camera/image_raw", Camera.WRIST: "camera/wrist/image_raw"}
JOINT_COMMAND_TOPIC = "joint_command"
"""sensor_msgs/JointState: absolute joint targets [rad] + a 'gripper' entry (opening 0..1), joint-space profiles."""
REFUSAL_LOG_PERIOD = 2.0
"""[s] at most one warning per this period about refused goals (a flood must not flood the log)."""


def _stamp_ns(msg: Any) -> int:
    return msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec


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
        while True:
            self._node.state_arrived.clear()
            if (self._node.commands_processed() or 0) >= target:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.stop_reason() is not None:
                return False
            self._node.state_arrived.wait(min(SETTLE_POLL_S, remaining))

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
        self._estop_since: int | None = None
        """[ns, ROS clock] when ``estop`` true was heard; None once the driver reported it clear after that."""
        self._closing = False
        self._policy: PolicyClient | None = None
        self.goals_refused = 0
        self._last_refusal_log = -REFUSAL_LOG_PERIOD
        self._config = self._read_config()
        self._goal_authority = GoalAuthority(load_or_create_secret(self._config.secret_file or None))
        self._profile = self._config.profile()
        self._loop = self._config.loop()
        self._policy = PolicyClient(self._config.endpoint())
        self.state_arrived = threading.Event()
        """Set by every arm_state: a settling goal wakes on the driver's confirmation instead of polling."""

        sensors = MutuallyExclusiveCallbackGroup()
        goals = MutuallyExclusiveCallbackGroup()
        latest_only = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
        self._images = {camera: _Latest(CAMERA_TOPICS[camera]) for camera in self._profile.cameras}
        self._state = _Latest("arm_state")
        self._joints = _Latest("joint_states") if self._profile.needs_joints else None
        self._scene = _Latest(self._config.scene_topic) if self._config.scene_topic else None
        self._tap = SensorTap(self)
        for latest in self._images.values():
            self._tap.subscribe(Image, latest.topic, latest.set, latest_only)
        if self._joints is not None:
            # The driver publishes joint_states best effort (sensor data): a reliable reader would never match it.
            self._tap.subscribe(JointState, "joint_states", self._joints.set, qos_profile_sensor_data)
        self._tap.subscribe(ArmState, "arm_state", self._arm_state_callback, 10)
        if self._scene is not None:
            self._tap.subscribe(Float32MultiArray, self._config.scene_topic, self._scene.set, latest_only)
        self._tap.start()
        estop_qos = QoSProfile(
            depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL
        )
        self.create_subscription(Bool, "estop", self._estop_callback, estop_qos, callback_group=sensors)
        if self._profile.action_space is ActionSpace.EE_DELTA:
            self._command_pub = self.create_publisher(ArmCommand, "arm_command", 10)
        else:
            self._command_pub = self.create_publisher(JointState, JOINT_COMMAND_TOPIC, 10)
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
            f"ready: policy {endpoint.uri} (API key: {key_source}), profile {self._profile.name!r},"
            f" {self._loop.control_rate_hz} Hz, {self._loop.steps_per_query} steps/query,"
            f" scene topic {self._config.scene_topic or '(none)'}"
        )

    # --- parameters -------------------------------------------------------------------------

    def _read_config(self) -> BridgeConfig:
        defaults, docs = BridgeConfig(), field_docs(BridgeConfig)
        values = {}
        for name in BridgeConfig.__dataclass_fields__:
            descriptor = ParameterDescriptor(read_only=True, description=docs.get(name, ""))
            default = getattr(defaults, name)
            default = list(default) if isinstance(default, tuple) else default
            values[name] = self.declare_parameter(name, default, descriptor).value
        return BridgeConfig.from_mapping(values)

    # --- sensor callbacks (store only) -------------------------------------------------------

    def _arm_state_callback(self, msg: ArmState) -> None:
        self._state.set(msg)
        self.state_arrived.set()
        if msg.estop_active:
            self._wake_current()
        elif self._estop_since is not None and _stamp_ns(msg) > self._estop_since:
            self._estop_since = None  # the driver has cleared the e-stop heard before this state

    def _estop_callback(self, msg: Bool) -> None:
        if msg.data:  # false clears nothing: only the driver's clear_estop does, and arm_state tells
            self._estop_since = self.get_clock().now().nanoseconds
            self._wake_current()

    def estop_reason(self) -> str | None:
        if self._estop_since is not None:
            return "e-stop engaged (estop topic)"
        state = self._state.msg
        if state is not None and state.estop_active:
            return "e-stop active (reported by the driver in arm_state)"
        return None

    def observation(self, prompt: str) -> dict:
        """openpi observation from the latest messages, or ObservationUnavailable (missing / stale / malformed)."""
        max_age = self._config.observation_timeout
        messages = {camera: latest.fresh(max_age) for camera, latest in self._images.items()}
        state_msg = self._state.fresh(max_age)
        joints_msg = self._joints.fresh(max_age) if self._joints is not None else None
        scene = None
        try:
            images = {
                camera: obs.image_from_buffer(msg.data, msg.height, msg.width, msg.step, msg.encoding)
                for camera, msg in messages.items()
            }
            snapshot = self._snapshot(state_msg, joints_msg, images)
            if self._scene is not None:
                scene_msg = self._scene.fresh(max_age)
                scene = obs.scene_array(scene_msg.data, [d.size for d in scene_msg.layout.dim])
            return obs.build_observation(self._profile, snapshot, prompt, scene, self._config.image_size)
        except ValueError as exc:
            raise ObservationUnavailable(f"malformed input: {exc}") from exc

    def _snapshot(self, state_msg: ArmState, joints_msg: JointState | None, images: dict) -> RobotSnapshot:
        pose = np.array([state_msg.x, state_msg.y, state_msg.z, state_msg.roll, state_msg.pitch, state_msg.yaw])
        joints = None
        if joints_msg is not None:
            by_name = dict(zip(joints_msg.name, joints_msg.position, strict=False))
            missing = [name for name in self._config.joint_names if name not in by_name]
            if missing:
                raise ValueError(f"joint_states has no {missing} (has {list(joints_msg.name)}); set joint_names")
            joints = np.array([by_name[name] for name in self._config.joint_names])
        return RobotSnapshot(images, pose, float(state_msg.gripper), joints)

    def commands_processed(self) -> int | None:
        """Commands the driver has applied or refused so far (latest arm_state), None before the first state."""
        state = self._state.msg
        return None if state is None else int(state.commands_applied) + int(state.commands_rejected)

    def publish_command(self, action: np.ndarray) -> None:
        """One action row of the profile → ArmCommand (EE delta) or JointState on joint_command (joint targets)."""
        snapshot = None
        if self._profile.needs_joints:
            snapshot = self._snapshot(self._state.msg, self._joints.msg, {})
        command = self._profile.command(action, snapshot, 1.0 / self._loop.control_rate_hz)
        if isinstance(command, EeDeltaCommand):
            msg = ArmCommand(source=ArmCommand.SOURCE_VLA, gripper=command.gripper)
            msg.dx, msg.dy, msg.dz, msg.droll, msg.dpitch, msg.dyaw = (float(v) for v in command.delta)
        else:
            msg = JointState(name=[*self._config.joint_names, "gripper"])
            msg.position = [*(float(v) for v in command.positions), command.gripper]
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.header.frame_id = self._config.frame_id
        self._command_pub.publish(msg)

    # --- action server -----------------------------------------------------------------------

    def _goal_callback(self, goal: ExecutePrompt.Goal) -> GoalResponse:
        """Accept the agent's signed goals; their validation happens in execution so each gets a filled result."""
        if self._closing:
            return GoalResponse.REJECT
        problem = self._goal_authority.check(goal)
        if problem is None:
            return GoalResponse.ACCEPT
        self.goals_refused += 1
        now = time.monotonic()
        if now - self._last_refusal_log >= REFUSAL_LOG_PERIOD:
            self._last_refusal_log = now
            self.get_logger().warning(f"rejected an execute_prompt goal ({self.goals_refused} so far): {problem}")
        return GoalResponse.REJECT

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
                result = run_goal(goal, self._loop, self._policy, session)
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
        tap = getattr(self, "_tap", None)
        if tap is not None:
            tap.close()
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
    except (ValueError, SecretError) as exc:
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
