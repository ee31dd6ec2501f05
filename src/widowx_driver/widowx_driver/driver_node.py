"""The ``widowx_driver`` lifecycle node: arm commands in, arm state / joints / camera out.

Wiring only: parameters come from :class:`DriverConfig`, every command goes
through :class:`SafetyEnvelope` before the :class:`ArmBackend` sees it, and
:class:`Watchdog` decides when to hold; this file converts messages and keeps
the counters and flags that ``arm_state`` reports.

Lifecycle: the hardware connects in ``on_configure`` (failing there with the
reason); publishers and the control tick run only while active; commands
arriving while inactive are counted as rejected. With ``autostart`` (default)
the node configures and activates itself, so it also runs without a lifecycle
manager (``make demo``, the local process runner).

E-stop: engaging is open to every peer, clearing is the operator's. ``estop``
(std_msgs/Bool, transient-local) ``true`` holds the arm at once and every
command is rejected from then on. ``estop`` ``false`` is refused and counted
(any node on the domain could send it); the e-stop clears only through the
``clear_estop`` service with a request signed with the run secret
(:mod:`sarl_auth.estop_clear`; ``sarl estop clear --reason ...`` or the
operator panel). The secret is loaded at configure; without it configure fails.
A latched ``true`` from a peer re-engages a restarted driver: it fails safe.

Commands: each is first checked by :class:`AdmissionRules` (stamp age, future
stamp, frame, source), then clipped by :class:`SafetyEnvelope`. Refusals are
counted by reason in arm_state and logged at most every 2 s per reason.
Commands lost in the queue (``command_queue_depth``, KEEP_LAST) are counted
from gaps in each sender's middleware sequence numbers (:class:`SequenceGaps`).

Joint commands (``joint_command``, sensor_msgs/JointState, the VLA bridge's
joint-space profiles) pass the same stamp, frame, e-stop and activity checks
(admitted as source ``vla``), then :mod:`joint_admission` (names, finite
values); the newest admitted one waits in :class:`NewestJointTarget` and the
control tick applies it after the step limit and the workspace box, judged on
the joints measured then. Only backends with :class:`JointControl` take them
(the kinematic simulator refuses them, counted ``unsupported``; the physics one takes them).

Threads and callback groups, and why each exists:

* :class:`EstopChannel` — ``estop`` and ``clear_estop`` on their own node and
  executor thread: an e-stop never waits in a wait set full of commands;
* ``_motion_group`` — ``arm_command`` and ``joint_command``: commands are
  applied (joint targets admitted) one at a time, in arrival order;
* ``_safety_group`` — the control tick (the watchdog, and the newest joint
  target): never queued behind a stream of commands or a slow service, so the
  watchdog's hold is never late;
* ``_service_group`` — ``sim/reset_scene`` and ``sim/evaluate_task``: a scene
  reset must not delay commands.

All of them touch the backend only under ``_lock``. The e-stop flag is set
before that lock is taken and checked again right before a command is applied,
so an e-stop waits at most for the one command being applied, then holds the
arm and publishes arm_state (its ``estop_received`` is the e-stop's reception
stamp, so the latency is read off the driver's own stamps).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import rclpy
from sarl_node_runtime import exit_process, run_until_signal
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.signals import SignalHandlerOptions
from rclpy.qos import QoSProfile, ReliabilityPolicy, qos_profile_sensor_data
from rclpy.time import Time
from sarl_auth import SecretError, load_or_create_secret
from sarl_auth.estop_clear import ClearAuthority, ClearRequest
from sarl_interfaces.msg import ArmCommand, ArmState
from sarl_interfaces.srv import ClearEstop, EvaluateTask, MoveToPose, ResetScene
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import Float32MultiArray

from widowx_driver import messages
from widowx_driver.arm_backend import ArmBackend, SceneControl
from widowx_driver.backend_factory import make_backend
from widowx_driver.camera import fit_frame
from widowx_driver.command_admission import AdmissionRules, Refusal, SequenceGaps
from widowx_driver.joint_admission import JointCommandError, JointLimits, parse_joint_command
from widowx_driver.joint_command_slot import NewestJointTarget
from widowx_driver.joint_control import JointControl
from widowx_driver.wrist_camera import WRIST_TOPIC, WristCamera
from widowx_driver.wrist_view import WristView
from widowx_driver.driver_config import DriverConfig
from widowx_driver.driver_counters import DriverCounters
from widowx_driver.estop_channel import ESTOP_QOS, EstopChannel
from widowx_driver.joint_motion import JointMotion
from widowx_driver.safety_envelope import SafetyEnvelope, Verdict
from widowx_driver.watchdog import Watchdog

__all__ = ["ESTOP_QOS", "LATEST_ONLY_QOS", "DriverNode", "main"]

LATEST_ONLY_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
WARN_THROTTLE_S = 2.0
JOINT_COMMAND_SOURCE = ArmCommand.SOURCE_VLA
"""JointState names no sender; ``joint_command`` is the VLA bridge's: it needs ``vla`` in command_sources."""
JOINT_COMMAND = "a joint command"

BackendFactory = Callable[[DriverConfig], ArmBackend]


class DriverNode(LifecycleNode):
    """WidowX 250 driver with a safety envelope, watchdog and e-stop, over a swappable arm backend."""

    def __init__(self, *, backend_factory: BackendFactory = make_backend, **node_kwargs: Any) -> None:
        super().__init__("widowx_driver", **node_kwargs)
        for name, default in DriverConfig.defaults().items():
            value = list(default) if isinstance(default, tuple) else default
            self.declare_parameter(name, value, ParameterDescriptor(dynamic_typing=True))
        self._backend_factory = backend_factory
        self._lock = threading.RLock()
        self._config: DriverConfig | None = None
        self._backend: ArmBackend | None = None
        self._envelope: SafetyEnvelope | None = None
        self._admission: AdmissionRules | None = None
        self._joint_limits: JointLimits | None = None
        self._joint_target = NewestJointTarget()
        self._watchdog: Watchdog | None = None
        self._clear_authority: ClearAuthority | None = None
        self._active = False
        self._estop = False
        self._estop_received = Time()
        self._holding = False
        self._counts = DriverCounters()
        self._gaps = SequenceGaps()
        self._last_warned: dict[str, float] = {}
        self._last_image_time = -np.inf
        self._tick_timer = None
        self._owned_publishers: list[Any] = []
        self._owned_services: list[Any] = []
        self._state_pub = self._joint_pub = self._image_pub = self._scene_pub = None
        self._wrist: WristCamera | None = None  # wrist camera (wrist_camera.py)
        self._wrist_pub = None

        self._motion_group = MutuallyExclusiveCallbackGroup()
        self._safety_group = MutuallyExclusiveCallbackGroup()
        self._service_group = MutuallyExclusiveCallbackGroup()
        # Both inputs exist in every state: a latched e-stop must be known before activation,
        # and commands sent to an inactive driver must be counted as rejected, not silently lost.
        depth = self.get_parameter("command_queue_depth").value
        self.create_subscription(ArmCommand, "arm_command", self.arm_command_callback,
                                 depth if isinstance(depth, int) and 1 <= depth <= 1000 else 10,
                                 callback_group=self._motion_group)  # fmt: skip
        self.create_subscription(JointState, "joint_command", self.joint_command_callback,
                                 depth if isinstance(depth, int) and 1 <= depth <= 1000 else 10,
                                 callback_group=self._motion_group)  # fmt: skip
        self._estop_channel = EstopChannel(self, engage=self.engage_estop, refuse_topic_clear=self.refuse_topic_clear,
                                           clear=self.clear_estop_callback)  # fmt: skip

    @property
    def counters(self) -> tuple[int, int, int]:
        """``(applied, clipped, rejected)`` since activation, as arm_state reports them."""
        with self._lock:
            return self._counts.applied, self._counts.clipped, self._counts.rejected

    # --------------------------------------------------------------- lifecycle
    def start_if_autostart(self) -> bool:
        """Configure and activate when ``autostart`` is true; False if either transition failed."""
        autostart = self.get_parameter("autostart").value
        if not isinstance(autostart, bool):
            self.get_logger().error(f"invalid parameter: autostart must be true or false, got {autostart!r}")
            return False
        if not autostart:
            self.get_logger().info("autostart is off: waiting for a lifecycle manager to configure me")
            return True
        if self.trigger_configure() != TransitionCallbackReturn.SUCCESS:
            return False
        return self.trigger_activate() == TransitionCallbackReturn.SUCCESS

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        try:
            config = DriverConfig.from_parameters(
                {name: self.get_parameter(name).value for name in DriverConfig.defaults()}
            )
        except (TypeError, ValueError) as error:
            self.get_logger().error(f"invalid parameter: {error}")
            return TransitionCallbackReturn.FAILURE
        try:
            authority = ClearAuthority(load_or_create_secret(config.secret_file or None))
        except SecretError as error:
            self.get_logger().error(f"cannot check who clears the e-stop: {error}")
            return TransitionCallbackReturn.FAILURE
        backend = None
        try:
            backend = self._backend_factory(config)
            backend.connect()
            self._wrist = WristCamera.open(config.backend, config.wrist_camera, config.wrist_camera_device,
                                           config.image_width, config.image_height,
                                           backend if isinstance(backend, WristView) else None)  # fmt: skip
        except Exception as error:  # any backend failure must fail the transition, not kill the process
            self.get_logger().error(f"could not connect the '{config.backend}' backend: {error}")
            if backend is not None:
                with contextlib.suppress(Exception):
                    backend.close()
            return TransitionCallbackReturn.FAILURE
        with self._lock:
            self._config, self._backend = config, backend
            self._envelope = SafetyEnvelope(config.envelope)
            self._admission = config.admission
            self._joint_limits = config.joint_limits
            self._watchdog = Watchdog(config.watchdog_timeout)
            self._clear_authority = authority
        self._create_interfaces(config, backend)
        self.get_logger().info(
            f"configured: backend {config.backend}, control rate {config.rate_hz} Hz, "
            f"watchdog {config.watchdog_timeout} s, workspace {config.workspace_min}..{config.workspace_max}, "
            f"commands in {config.frame_id!r} from {config.command_sources} at most {config.command_max_age} s old"
        )
        return super().on_configure(state)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        result = super().on_activate(state)  # enables the lifecycle publishers
        with self._lock:
            self._joint_target.take()  # never apply a target from before this activation
            self._counts.reset()
            self._gaps.reset()
            self._watchdog.feed(time.monotonic())
            self._holding = self._estop
            self._active = True
            self._publish_locked(camera=True)
        self._tick_timer = self.create_timer(1.0 / self._config.rate_hz, self.control_tick_callback,
                                        callback_group=self._safety_group)  # fmt: skip
        self.get_logger().info("active: applying arm commands")
        return result

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._stop_motion()
        if self._tick_timer is not None:
            self.destroy_timer(self._tick_timer)
            self._tick_timer = None
        return super().on_deactivate(state)

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        for service in self._owned_services:
            self.destroy_service(service)
        for publisher in self._owned_publishers:
            self.destroy_lifecycle_publisher(publisher)
        self._owned_services, self._owned_publishers = [], []
        self._state_pub = self._joint_pub = self._image_pub = self._scene_pub = None
        self._close_backend()
        return super().on_cleanup(state)

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        if self._tick_timer is not None:
            self.destroy_timer(self._tick_timer)
            self._tick_timer = None
        self.release_hardware()
        return super().on_shutdown(state)

    def shut_down(self) -> None:
        """Leave the lifecycle through its shutdown transition (timer, publishers, arm released)."""
        if self._state_machine.current_state[1] != "finalized":
            self.trigger_shutdown()

    def destroy_node(self) -> None:
        """Also stops the e-stop's thread (before the context goes)."""
        self._estop_channel.close()
        super().destroy_node()

    def release_hardware(self) -> None:
        """Hold and disconnect the arm whatever the lifecycle state (process exit); touches no ROS entity."""
        self._stop_motion()
        self._close_backend()

    # --------------------------------------------------------------- callbacks
    def arm_command_callback(self, msg: ArmCommand, info: dict) -> None:
        command = messages.command_vector(msg)
        source = f"an arm command from {messages.source_name(msg)}"
        with self._lock:
            self._counts.received += 1
            sequence = info.get("publication_sequence_number")
            self._counts.lost += self._gaps.received(messages.publisher_key(info), sequence)
            if not self._active:
                self._reject(source, "inactive", "the driver is not active")
                return
            if self._estop:
                self._reject(source, "estop", "e-stop is active")
                return
            problem = self._admission.problem(messages.stamp_seconds(msg.header.stamp), msg.header.frame_id,
                                              msg.source, self.get_clock().now().nanoseconds * 1e-9)  # fmt: skip
            if problem is not None:
                self._reject(source, problem[0].value, problem[1], problem[0])
                return
            try:
                result = self._envelope.filter(self._backend.state(), command)
                allowed = result.verdict is not Verdict.REJECTED and not self._estop  # the e-stop's flag is lock-free
                executed = allowed and self._backend.apply(result.delta)
            except Exception as error:  # a backend fault rejects this command; the node stays up
                self._reject(source, "backend", f"the backend failed: {error}")
                return
            if result.verdict is Verdict.REJECTED:
                self._reject(source, "envelope", result.reason)
                return
            if self._estop:
                self._reject(source, "estop", "e-stop is active")
                return
            if not executed:
                self._reject(source, "unreachable", "the arm could not execute it (no inverse-kinematics solution)")
                return
            if result.verdict is Verdict.CLIPPED:
                self._counts.clipped += 1
                self.get_logger().warning(f"clipped {source}: {result.reason}",
                                          throttle_duration_sec=WARN_THROTTLE_S)  # fmt: skip
            self._counts.applied += 1
            self._watchdog.feed(time.monotonic())
            self._holding = False
            self._publish_locked(camera=True)

    def joint_command_callback(self, msg: JointState, info: dict) -> None:
        """Admit a joint target; the next control tick applies the newest admitted one."""
        stamp_s = messages.stamp_seconds(msg.header.stamp)
        with self._lock:
            self._counts.received += 1
            sequence = info.get("publication_sequence_number")
            self._counts.lost += self._gaps.received(messages.publisher_key(info), sequence)
            if not self._active:
                self._reject(JOINT_COMMAND, "joint_inactive", "the driver is not active")
                return
            if self._estop:
                self._reject(JOINT_COMMAND, "joint_estop", "e-stop is active")
                return
            if not isinstance(self._backend, JointControl):
                self._reject(JOINT_COMMAND, "joint_unsupported",
                             f"the {self._config.backend!r} backend has no arm joints to command (its joint_states "
                             "are end-effector coordinates): use an end-effector policy profile", Refusal.UNSUPPORTED)
                return
            problem = self._admission.problem(stamp_s, msg.header.frame_id, JOINT_COMMAND_SOURCE,
                                              self.get_clock().now().nanoseconds * 1e-9)  # fmt: skip
            if problem is not None:
                self._reject(JOINT_COMMAND, f"joint_{problem[0].value}", problem[1], problem[0])
                return
            try:
                target = parse_joint_command(msg.name, msg.position, self._backend.arm_joint_names(), stamp_s)
            except JointCommandError as error:
                self._reject(JOINT_COMMAND, "joint_malformed", str(error))
                return
            except Exception as error:  # a backend fault rejects this command; the node stays up
                self._reject(JOINT_COMMAND, "joint_backend", f"the backend failed: {error}")
                return
            if self._joint_target.offer(target) is not None:
                self._reject(JOINT_COMMAND, "joint_superseded",
                             f"replaced by a newer one before the control tick: joint_command comes faster than "
                             f"control_rate_hz ({self._config.rate_hz} Hz), only the newest target is applied",
                             Refusal.SUPERSEDED)  # fmt: skip

    def engage_estop(self, received_ns: int) -> None:
        """``estop`` true (any peer): refuse motion at once, then hold the arm and report it."""
        newly = not self._estop
        if newly:  # before the flag: an arm_state a refused command publishes meanwhile carries both
            self._estop_received = Time(nanoseconds=received_ns or time.time_ns())
        self._estop = True  # before the lock: a command waiting to be applied sees it and is refused
        with self._lock:
            if newly:
                self.get_logger().warning("E-STOP engaged: arm held, motion refused until cleared")
            self._drop_joint_target_locked("joint_estop", "e-stop is active")
            if self._backend is not None:
                self._hold_locked("e-stop")
            if self._active:
                self._publish_locked()

    def refuse_topic_clear(self) -> None:
        """``estop`` false: any node could send it, so it clears nothing; counted and logged."""
        with self._lock:
            self._counts.estop_clears_refused += 1
            self._warn_throttled("topic_clear", "e-stop clear over the topic refused: use the clear_estop service "
                                 "with the operator's authority")  # fmt: skip
            if self._active:
                self._publish_locked()

    def clear_estop_callback(self, request: ClearEstop.Request, response: ClearEstop.Response) -> ClearEstop.Response:
        """Clear the e-stop for a request signed with the run secret, fresh, never seen, with a reason."""
        clear = ClearRequest(request.operator_name, request.reason, int(request.stamp_ns), int(request.nonce),
                             bytes(request.mac))  # fmt: skip
        with self._lock:
            authority = self._clear_authority
            problem = "the driver is not configured yet" if authority is None else authority.check(clear)
            if problem is not None:
                self._counts.estop_clears_refused += 1
                self._warn_throttled("service_clear", f"clear_estop refused: {problem}")
                response.accepted, response.message = False, problem
            else:
                was_engaged, self._estop = self._estop, False
                self._estop_received = Time()
                response.accepted = True
                response.message = "e-stop cleared" if was_engaged else "the e-stop was not engaged"
                self.get_logger().warning(f"e-stop cleared by {request.operator_name!r}: {request.reason}")
            if self._active:
                self._publish_locked()
        return response

    def control_tick_callback(self) -> None:
        with self._lock:
            if not self._active:
                return
            moved = self._apply_joint_target_locked()
            now = time.monotonic()
            if not self._holding and self._watchdog.expired(now):
                self.get_logger().info(f"no arm command for {self._watchdog.timeout} s: holding the arm")
                self._hold_locked("watchdog")
            # Images after commands already keep the rate up; the tick fills the gaps.
            self._publish_locked(camera=moved or now - self._last_image_time >= 0.9 / self._config.rate_hz)

    def reset_scene_callback(self, request: ResetScene.Request, response: ResetScene.Response) -> ResetScene.Response:
        with self._lock:
            if self._estop:
                response.accepted, response.message = False, "e-stop is active; clear it before resetting the scene"
                return response
            try:
                info = self._backend.reset_scene(request.task_name, int(request.seed))
            except Exception as error:  # unknown task, or a simulator fault: refused with the reason
                response.accepted, response.message = False, str(error)
                return response
            response.accepted = True
            response.task = info.instruction
            response.object_names = list(info.object_names)
            response.message = f"task {info.task_name}, seed {request.seed}"
            if self._active:
                self._publish_locked(camera=True)
        self.get_logger().info(f"scene reset: {response.message}")
        return response

    def evaluate_task_callback(self, request: EvaluateTask.Request,
                               response: EvaluateTask.Response) -> EvaluateTask.Response:  # fmt: skip
        with self._lock:
            try:
                response.task_success, response.detail = self._backend.evaluate_task()
            except Exception as error:  # answered, never a dead service
                response.task_success, response.detail = False, f"evaluation failed: {error}"
        return response

    def move_to_pose_callback(self, request: MoveToPose.Request, response: MoveToPose.Response) -> MoveToPose.Response:
        pose = np.asarray(request.pose, dtype=float)
        with self._lock:
            low, high = np.array(self._config.workspace_min), np.array(self._config.workspace_max)
            refusal = ("the driver is not active" if not self._active else "e-stop is active" if self._estop
                       else "non-finite pose" if not np.all(np.isfinite(pose))
                       else "target outside the workspace box" if np.any((pose[:3] < low) | (pose[:3] > high))
                       else "")  # fmt: skip
            if not refusal:
                try:
                    response.duration = float(self._backend.move_to_pose(pose))
                except Exception as error:  # no IK solution, or a toolbox fault: refused with the reason
                    refusal = str(error)
            if refusal:
                response.accepted, response.message = False, refusal
                return response
            # The watchdog counts from the end of the move; an e-stop still holds the arm at once.
            self._watchdog.feed(time.monotonic() + response.duration)
            self._holding = False
        response.accepted, response.message = True, f"joint-space move over {response.duration:.1f} s"
        self.get_logger().info(f"move_to_pose {pose.round(3).tolist()}: {response.message}")
        return response

    # ---------------------------------------------------------------- internals
    def _create_interfaces(self, config: DriverConfig, backend: ArmBackend) -> None:
        self._state_pub = self.create_lifecycle_publisher(ArmState, "arm_state", 10)
        self._joint_pub = self.create_lifecycle_publisher(JointState, "joint_states", qos_profile_sensor_data)
        self._image_pub = self.create_lifecycle_publisher(Image, "camera/image_raw", LATEST_ONLY_QOS)
        self._owned_publishers = [self._state_pub, self._joint_pub, self._image_pub]
        if self._wrist is not None:  # wrist camera
            self._wrist_pub = self.create_lifecycle_publisher(Image, WRIST_TOPIC, LATEST_ONLY_QOS)
            self._owned_publishers.append(self._wrist_pub)
        if isinstance(backend, SceneControl):
            self._scene_pub = self.create_lifecycle_publisher(Float32MultiArray, "sim/scene", LATEST_ONLY_QOS)
            self._owned_publishers.append(self._scene_pub)
            self._owned_services = [
                self.create_service(ResetScene, "sim/reset_scene", self.reset_scene_callback,
                                    callback_group=self._service_group),
                self.create_service(EvaluateTask, "sim/evaluate_task", self.evaluate_task_callback,
                                    callback_group=self._service_group),
            ]  # fmt: skip
        if isinstance(backend, JointMotion):
            self._owned_services.append(self.create_service(MoveToPose, "move_to_pose", self.move_to_pose_callback,
                                                            callback_group=self._service_group))  # fmt: skip

    def _stop_motion(self) -> None:
        with self._lock:
            was_active, self._active = self._active, False
            self._drop_joint_target_locked("joint_inactive", "the driver stopped")
            if was_active and self._backend is not None and self._hold_locked("stopping"):
                # The last thing the driver does to the arm; the launch tests look for this line.
                self.get_logger().info("stopping: arm held at its measured pose; no command is applied after this")

    def _close_backend(self) -> None:
        with self._lock:
            backend, self._backend = self._backend, None
            wrist, self._wrist, self._wrist_pub = self._wrist, None, None
            if wrist is not None:
                wrist.close()
            if backend is None:
                return
            try:
                backend.close()
            except Exception as error:  # at exit the hardware may already be gone; say so and go on
                self.get_logger().error(f"closing the arm backend failed: {error}")

    def _hold_locked(self, why: str) -> bool:
        """Hold the arm; False (logged loudly) when the backend failed to. The caller still refuses motion."""
        self._holding = True
        try:
            self._backend.hold()
        except Exception as error:
            self.get_logger().error(f"{why}: holding the arm failed: {error}")
            return False
        return True

    def _apply_joint_target_locked(self) -> bool:
        """Apply the newest admitted joint target, if any, after the step limit and the box; True if it moved."""
        target = self._joint_target.take()
        if target is None:
            return False
        stale = self._admission.stamp_problem(target.stamp_s, self.get_clock().now().nanoseconds * 1e-9)
        if stale is not None:  # it waited for a late tick: an absolute target that old is not what the sender wants
            self._reject(JOINT_COMMAND, "joint_stale", stale, Refusal.STALE)
            return False
        backend = self._backend
        try:
            measured = backend.measured_arm_joints()
            problem = self._joint_limits.problem(target, measured, backend.arm_joint_names(),
                                                 backend.end_effector_position(target.positions))  # fmt: skip
            executed = problem is None and not self._estop and backend.apply_joints(target.positions, target.gripper)
        except Exception as error:  # a backend fault rejects this command; the node and the watchdog stay up
            self._reject(JOINT_COMMAND, "joint_backend", f"the backend failed: {error}")
            return False
        if problem is not None:
            self._reject(JOINT_COMMAND, "joint_envelope", problem)
            return False
        if self._estop:
            self._reject(JOINT_COMMAND, "joint_estop", "e-stop is active")
            return False
        if not executed:
            self._reject(JOINT_COMMAND, "joint_limits", "the arm's joint or velocity limits refuse the target")
            return False
        if target.gripper_clipped:
            self._counts.clipped += 1
            self._warn_throttled("joint_clipped", "clipped a joint command: gripper target clipped to [0, 1]")
        self._counts.applied += 1
        self._watchdog.feed(time.monotonic())
        self._holding = False
        return True

    def _drop_joint_target_locked(self, kind: str, reason: str) -> None:
        """A stop refuses the joint target still waiting for the tick (counted, so its sender is not left waiting)."""
        if self._joint_target.take() is not None:
            self._reject(JOINT_COMMAND, kind, reason)

    def _reject(self, what: str, kind: str, reason: str, refusal: Refusal | None = None) -> None:
        """Count and log (throttled per ``kind``) a refused command; ``what`` names it ("an arm command from vla")."""
        self._counts.refused(refusal)
        self._warn_throttled(kind, f"rejected {what}: {reason}")
        if self._active:
            self._publish_locked()

    def _warn_throttled(self, kind: str, text: str) -> None:
        """A warning at most every WARN_THROTTLE_S per kind, so a flood of one kind cannot hide another."""
        now = time.monotonic()
        if now - self._last_warned.get(kind, -np.inf) >= WARN_THROTTLE_S:
            self._last_warned[kind] = now
            self.get_logger().warning(text)

    def _publish_locked(self, camera: bool = False) -> None:
        """arm_state, joint_states (and sim/scene), plus the camera image if asked; a failed read is logged."""
        try:
            self._publish_state_locked()
            if camera:
                self._publish_camera_locked()
        except Exception as error:  # a failed read must not kill the executor (and with it the watchdog)
            self.get_logger().error(f"could not read the arm: {error}", throttle_duration_sec=WARN_THROTTLE_S)

    def _publish_state_locked(self) -> None:
        stamp = self.get_clock().now().to_msg()
        self._state_pub.publish(messages.arm_state_message(
            self._backend.state(), stamp, self._config.frame_id, estop_active=self._estop, holding=self._holding,
            counters=self._counts.message_fields(), estop_received=self._estop_received.to_msg(),
        ))  # fmt: skip
        names, positions = self._backend.joint_state()
        self._joint_pub.publish(messages.joint_state_message(names, positions, stamp))
        if self._scene_pub is not None:
            self._scene_pub.publish(messages.scene_message(self._backend.scene_array()))

    def _publish_camera_locked(self) -> None:
        frame = self._backend.camera_frame()
        if frame is not None:
            frame = fit_frame(frame, self._config.image_width, self._config.image_height)
        if self._wrist is not None and self._wrist_pub is not None:  # wrist camera
            wrist = self._wrist.frame(frame, self._backend.state())
            if (problem := self._wrist.problem()) is not None:  # own call site: its own 5 s throttle
                self.get_logger().error(f"wrist camera: {problem}", throttle_duration_sec=5.0)
            if wrist is not None:
                wrist = fit_frame(wrist, self._config.image_width, self._config.image_height)
                self._wrist_pub.publish(messages.image_message(wrist, self.get_clock().now().to_msg(),
                                                               self._config.frame_id))  # fmt: skip
        if frame is None:
            if (problem := self._backend.camera_problem()) is not None:  # the bridge then refuses to act
                self.get_logger().error(problem, throttle_duration_sec=5.0)
            return
        self._image_pub.publish(messages.image_message(frame, self.get_clock().now().to_msg(), self._config.frame_id))
        self._last_image_time = time.monotonic()


def main(args: list[str] | None = None) -> int:
    """Run the driver in its own context (the interbotix toolbox owns the default one)."""
    context = Context()
    rclpy.init(args=args, context=context, signal_handler_options=SignalHandlerOptions.NO)
    node = DriverNode(context=context)
    if not node.start_if_autostart():
        node.get_logger().fatal("autostart failed (see the error above); exiting")
        node.release_hardware()
        node.destroy_node()
        rclpy.try_shutdown(context=context)
        return 1
    # On SIGTERM/SIGINT: hold and release the arm while the middleware is still up.
    run_until_signal(node, MultiThreadedExecutor(num_threads=4, context=context), context=context,
                     before_shutdown=node.release_hardware)
    exit_process(0)


if __name__ == "__main__":
    raise SystemExit(main())
