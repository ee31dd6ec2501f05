"""The ``reset_controller`` node: the ``reset_to_home`` action server on top of :class:`HomingLaw`.

Reads ``arm_state``, publishes ``arm_command`` (source ``SOURCE_RESET``) at
``rate_hz`` until the arm is home, the goal times out, is canceled, or the
e-stop engages. At most one command per tick, and only once the driver has
reported the previous one (:mod:`reset_controller.command_pacing`). Feedback
(position error [m], elapsed [s]) every tick.

Goal policy: **single goal; a new goal is rejected while one runs** (a second
client would fight the first over the arm). Goals are also rejected while the
e-stop is active, and a running goal aborts when it engages. Every goal ends
in succeed / abort / canceled with a filled result.

E-stop: ``estop`` true counts at once; ``estop`` false clears nothing (any
peer could send it). The driver is the one authority over the stop: the
e-stop counts as cleared once an arm_state stamped after the engage reports
``estop_active`` false. Commands carry the frame the driver reports its state
in (arm_state's ``header.frame_id``), so the two cannot disagree.

Callback groups, and why each exists (under a MultiThreadedExecutor):

* ``_action_group`` (reentrant) — goal, cancel and execute callbacks: a goal
  or cancel request must be answered *while* a goal executes, which a
  mutually exclusive group would queue behind the running execute loop;
* ``_input_group`` — ``arm_state`` and ``estop``: the measurements and the
  e-stop keep arriving while the execute loop waits for its next tick.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import numpy as np
import rclpy
from rclpy.signals import SignalHandlerOptions
from sarl_node_runtime import exit_process, run_until_signal
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.action.server import ServerGoalHandle
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sarl_interfaces.action import ResetToHome
from sarl_interfaces.msg import ArmCommand, ArmState
from sarl_interfaces.srv import MoveToPose
from std_msgs.msg import Bool

from reset_controller.command_pacing import CommandPacer
from reset_controller.controller_config import PARAMETER_DEFAULTS, ResetControllerConfig
from reset_controller.homing import GRIPPER_CLOSED, GRIPPER_OPEN, HomingLaw
from reset_controller.joint_fallback import SETTLE_TIME, wants_joint_move

ESTOP_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)


class ResetControllerNode(Node):
    """PID reset-to-home action server for the WidowX 250 (through the driver's ``arm_command``)."""

    def __init__(self, **node_kwargs: Any) -> None:
        super().__init__("reset_controller", **node_kwargs)
        for name, default in PARAMETER_DEFAULTS.items():
            self.declare_parameter(name, default, ParameterDescriptor(dynamic_typing=True))
        # Raises ValueError/TypeError naming the parameter; main() turns that into a clear exit.
        self._config = ResetControllerConfig.from_parameters(
            {name: self.get_parameter(name).value for name in PARAMETER_DEFAULTS}
        )
        self._law = HomingLaw(self._config.gains, self._config.homing, dt=1.0 / self._config.rate_hz)
        self._lock = threading.Lock()
        self._state: ArmState | None = None
        self._estop_since: int | None = None
        """[ns, ROS clock] when ``estop`` true was heard; None once the driver reported it clear after that."""
        self._busy = False
        self._wake = threading.Event()
        self._cancel_accepted_at = float("nan")
        """``time.monotonic()`` of the last accepted cancel, so a canceled result says how long it took to honour."""

        self._action_group = ReentrantCallbackGroup()
        self._input_group = MutuallyExclusiveCallbackGroup()
        self.create_subscription(ArmState, "arm_state", self.arm_state_callback, 10, callback_group=self._input_group)
        self.create_subscription(Bool, "estop", self.estop_callback, ESTOP_QOS, callback_group=self._input_group)
        self._command_pub = self.create_publisher(ArmCommand, "arm_command", 10)
        # Its own group: the response must be handled while the execute callback waits for it.
        self._move_client = self.create_client(MoveToPose, "move_to_pose",
                                               callback_group=MutuallyExclusiveCallbackGroup())  # fmt: skip
        self._server = ActionServer(
            self,
            ResetToHome,
            "reset_to_home",
            execute_callback=self.execute_callback,
            goal_callback=self.goal_callback,
            cancel_callback=self.cancel_callback,
            callback_group=self._action_group,
        )
        cfg = self._config
        self.get_logger().info(
            f"ready: {cfg.rate_hz} Hz, home {list(cfg.homing.home_pose)}, tolerance {cfg.homing.tolerance} m, "
            f"timeout {cfg.timeout} s, gains kp={cfg.gains.kp} ki={cfg.gains.ki} kd={cfg.gains.kd}"
        )

    # ------------------------------------------------------------ subscriptions
    def arm_state_callback(self, msg: ArmState) -> None:
        stamp_ns = msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec
        with self._lock:
            self._state = msg
            if not msg.estop_active and self._estop_since is not None and stamp_ns > self._estop_since:
                self._estop_since = None  # the driver has cleared the e-stop heard before this state
        if msg.estop_active:
            self._wake.set()

    def estop_callback(self, msg: Bool) -> None:
        if not msg.data:  # clears nothing: only the driver's clear_estop service does, and arm_state tells
            return
        with self._lock:
            self._estop_since = self.get_clock().now().nanoseconds
        self._wake.set()

    # ----------------------------------------------------------- action server
    def goal_callback(self, goal: ResetToHome.Goal) -> GoalResponse:
        for key in ("tolerance", "timeout"):
            value = getattr(goal, key)
            if not math.isfinite(value) or value < 0.0:
                self.get_logger().warning(f"rejected a reset goal: {key} must be >= 0 (0 = default), got {value}")
                return GoalResponse.REJECT
        with self._lock:
            if self._estop_active_locked():
                self.get_logger().warning("rejected a reset goal: the e-stop is active")
                return GoalResponse.REJECT
            if self._busy:
                self.get_logger().warning("rejected a reset goal: another reset is running (single-goal server)")
                return GoalResponse.REJECT
            self._busy = True
        return GoalResponse.ACCEPT

    def cancel_callback(self, goal_handle: ServerGoalHandle) -> CancelResponse:
        self._cancel_accepted_at = time.monotonic()  # single-goal server: the running goal's cancel
        self._wake.set()
        return CancelResponse.ACCEPT

    def execute_callback(self, goal_handle: ServerGoalHandle) -> ResetToHome.Result:
        try:
            return self._drive_home(goal_handle)
        except Exception as error:  # an unexpected fault aborts the goal; the server stays up
            self.get_logger().error(f"reset goal failed: {error}")
            goal_handle.abort()
            return ResetToHome.Result(reached=False, final_error=float("nan"), message=f"internal error: {error}")
        finally:
            with self._lock:
                self._busy = False

    # ---------------------------------------------------------------- internals
    def _drive_home(self, goal_handle: ServerGoalHandle) -> ResetToHome.Result:
        goal = goal_handle.request
        tolerance = float(goal.tolerance) if goal.tolerance > 0.0 else self._config.homing.tolerance
        timeout = float(goal.timeout) if goal.timeout > 0.0 else self._config.timeout
        period = 1.0 / self._config.rate_hz
        start = time.monotonic()
        next_tick = start
        started = False
        error = float("nan")
        pacer = CommandPacer()
        joint_move_until: float | None = None
        joint_move_used = False
        rejected_at_start = 0
        start_errors = [0.0, 0.0]
        while True:
            elapsed = time.monotonic() - start
            if goal_handle.is_cancel_requested:
                if joint_move_until is not None:
                    self._stop_joint_move()
                goal_handle.canceled()
                honoured = time.monotonic() - self._cancel_accepted_at
                return self._result(False, error, f"canceled after {elapsed:.2f} s, {honoured:.3f} s after the cancel "
                                    "request")
            with self._lock:
                estop = self._estop_active_locked()
                state_msg = self._state
            if estop:
                goal_handle.abort()
                return self._result(False, error, "aborted: the e-stop is active")
            state = None if state_msg is None else _state_vector(state_msg)
            step = None
            if state is not None:
                if not started:
                    self._law.start(state, tolerance)
                    started = True
                    rejected_at_start = state_msg.commands_rejected
                    _, *start_errors = self._law.errors(state)
                if joint_move_until is None and not joint_move_used:
                    rejected = max(0, state_msg.commands_rejected - rejected_at_start)
                    # (Checked every tick: the driver's service may be discovered only after the goal started.)
                    if self._move_client.service_is_ready() and wants_joint_move(*start_errors, rejected):
                        joint_move_used = True
                        duration = self._request_joint_move()
                        if duration is not None:
                            joint_move_until = time.monotonic() + duration + SETTLE_TIME
                if joint_move_until is not None and time.monotonic() >= joint_move_until:
                    joint_move_until = None  # the PID takes over from where the move ended
                    self._law.start(state, tolerance)
                    pacer.reset()
                if joint_move_until is not None:
                    error = self._law.errors(state)[1]
                elif pacer.ready(_handled_count(state_msg)):
                    step = self._law.step(state)
                    error = step.position_error
                    if step.done:
                        goal_handle.publish_feedback(ResetToHome.Feedback(error=error, elapsed=elapsed))
                        goal_handle.succeed()
                        return self._result(True, error, f"home reached in {elapsed:.2f} s")
                else:  # the driver has not reported our last command yet: report, but do not pile on
                    error = self._law.errors(state)[1]
                goal_handle.publish_feedback(ResetToHome.Feedback(error=error, elapsed=elapsed))
            if elapsed >= timeout:
                if joint_move_until is not None:
                    self._stop_joint_move()
                goal_handle.abort()
                why = "no arm_state from the driver" if state is None else f"home not reached (error {error:.4f} m)"
                return self._result(False, error, f"timed out after {timeout:.2f} s: {why}")
            if step is not None:
                pacer.sent(_handled_count(state_msg))
                self._publish_command(step.command, state_msg.header.frame_id)
            next_tick = max(next_tick + period, time.monotonic())
            self._wake.wait(max(0.0, next_tick - time.monotonic()))
            self._wake.clear()

    def _request_joint_move(self) -> float | None:
        """Ask the driver for a joint-space move home; its duration [s], or None when refused or unanswered."""
        future = self._move_client.call_async(MoveToPose.Request(pose=list(self._config.homing.home_pose)))
        answered = threading.Event()
        future.add_done_callback(lambda _: answered.set())
        if not answered.wait(5.0):
            self._move_client.remove_pending_request(future)
            self.get_logger().warning("move_to_pose: no answer from the driver within 5 s; homing by steps")
            return None
        response = future.result()
        if not response.accepted:
            self.get_logger().warning(f"move_to_pose refused: {response.message}; homing by steps")
            return None
        self.get_logger().info(f"joint-space move home over {response.duration:.1f} s, then PID")
        return float(response.duration)

    def _stop_joint_move(self) -> None:
        """A zero step: the driver re-targets the arm where it is, which ends a joint-space move there.

        (Only called once a state has arrived: a joint move is requested from a measured state.)
        """
        gripper = GRIPPER_CLOSED if self._law.keeping_grasp else GRIPPER_OPEN
        with self._lock:
            frame_id = self._state.header.frame_id
        self._publish_command(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, gripper]), frame_id)

    def _estop_active_locked(self) -> bool:
        return self._estop_since is not None or (self._state is not None and self._state.estop_active)

    def _publish_command(self, command: np.ndarray, frame_id: str) -> None:
        msg = ArmCommand()
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.header.frame_id = frame_id
        msg.source = ArmCommand.SOURCE_RESET
        msg.dx, msg.dy, msg.dz, msg.droll, msg.dpitch, msg.dyaw, msg.gripper = (float(v) for v in command)
        self._command_pub.publish(msg)

    def _result(self, reached: bool, error: float, message: str) -> ResetToHome.Result:
        # (rclpy forbids one logging call site from changing severity, hence two calls)
        if reached:
            self.get_logger().info(f"reset to home: {message}")
        else:
            self.get_logger().warning(f"reset to home: {message}")
        return ResetToHome.Result(reached=reached, final_error=float(error), message=message)


def _handled_count(msg: ArmState) -> int:
    """How many commands the driver has handled (applied or rejected) since its activation."""
    return msg.commands_applied + msg.commands_rejected


def _state_vector(msg: ArmState) -> np.ndarray:
    return np.array([msg.x, msg.y, msg.z, msg.roll, msg.pitch, msg.yaw, msg.gripper], dtype=float)


def main(args: list[str] | None = None) -> int:
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    try:
        node = ResetControllerNode()
    except (TypeError, ValueError) as error:
        rclpy.logging.get_logger("reset_controller").fatal(f"invalid parameter: {error}")
        rclpy.try_shutdown()
        return 1
    run_until_signal(node, MultiThreadedExecutor(num_threads=3))
    exit_process(0)
