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

E-stop (``estop``, std_msgs/Bool, transient-local): ``true`` holds the arm at
once (in the callback, well within one control tick) and every command is
rejected until ``false`` arrives.

Callback groups, and why each exists (under a MultiThreadedExecutor):

* ``_motion_group`` — ``arm_command``: commands are applied one at a time, in
  arrival order;
* ``_safety_group`` — ``estop`` and the control tick: never queued behind a
  stream of commands or a slow service, so a hold is never late;
* ``_service_group`` — ``sim/reset_scene`` and ``sim/evaluate_task``: a scene
  reset must not delay commands or the e-stop.

All of them touch the backend only under ``_lock``, so an e-stop waits at most
for the one command being applied.
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
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy, qos_profile_sensor_data
from sarl_interfaces.msg import ArmCommand, ArmState
from sarl_interfaces.srv import EvaluateTask, ResetScene
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import Bool, Float32MultiArray

from widowx_driver import messages
from widowx_driver.arm_backend import ArmBackend, SceneControl
from widowx_driver.backend_factory import make_backend
from widowx_driver.camera import fit_frame
from widowx_driver.driver_config import DriverConfig
from widowx_driver.safety_envelope import SafetyEnvelope, Verdict
from widowx_driver.watchdog import Watchdog

ESTOP_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
LATEST_ONLY_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
WARN_THROTTLE_S = 2.0

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
        self._watchdog: Watchdog | None = None
        self._active = False
        self._estop = False
        self._holding = False
        self._applied = self._clipped = self._rejected = 0
        self._last_image_time = -np.inf
        self._tick_timer = None
        self._owned_publishers: list[Any] = []
        self._owned_services: list[Any] = []
        self._state_pub = self._joint_pub = self._image_pub = self._scene_pub = None

        self._motion_group = MutuallyExclusiveCallbackGroup()
        self._safety_group = MutuallyExclusiveCallbackGroup()
        self._service_group = MutuallyExclusiveCallbackGroup()
        # Both subscriptions exist in every state: a latched e-stop must be known before activation,
        # and commands sent to an inactive driver must be counted as rejected, not silently lost.
        self.create_subscription(ArmCommand, "arm_command", self.arm_command_callback, 10,
                                 callback_group=self._motion_group)  # fmt: skip
        self.create_subscription(Bool, "estop", self.estop_callback, ESTOP_QOS, callback_group=self._safety_group)

    @property
    def counters(self) -> tuple[int, int, int]:
        """``(applied, clipped, rejected)`` since activation, as arm_state reports them."""
        with self._lock:
            return self._applied, self._clipped, self._rejected

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
        backend = None
        try:
            backend = self._backend_factory(config)
            backend.connect()
        except Exception as error:  # any backend failure must fail the transition, not kill the process
            self.get_logger().error(f"could not connect the '{config.backend}' backend: {error}")
            if backend is not None:
                with contextlib.suppress(Exception):
                    backend.close()
            return TransitionCallbackReturn.FAILURE
        with self._lock:
            self._config, self._backend = config, backend
            self._envelope = SafetyEnvelope(config.envelope)
            self._watchdog = Watchdog(config.watchdog_timeout)
        self._create_interfaces(config, backend)
        self.get_logger().info(
            f"configured: backend {config.backend}, control rate {config.rate_hz} Hz, "
            f"watchdog {config.watchdog_timeout} s, workspace {config.workspace_min}..{config.workspace_max}"
        )
        return super().on_configure(state)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        result = super().on_activate(state)  # enables the lifecycle publishers
        with self._lock:
            self._applied = self._clipped = self._rejected = 0
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

    def release_hardware(self) -> None:
        """Hold and disconnect the arm whatever the lifecycle state (process exit); touches no ROS entity."""
        self._stop_motion()
        self._close_backend()

    # --------------------------------------------------------------- callbacks
    def arm_command_callback(self, msg: ArmCommand) -> None:
        command = messages.command_vector(msg)
        source = messages.source_name(msg)
        with self._lock:
            if not self._active:
                self._reject(source, "the driver is not active")
                return
            if self._estop:
                self._reject(source, "e-stop is active")
                return
            try:
                result = self._envelope.filter(self._backend.state(), command)
                executed = result.verdict is not Verdict.REJECTED and self._backend.apply(result.delta)
            except Exception as error:  # a backend fault rejects this command; the node stays up
                self._reject(source, f"the backend failed: {error}")
                return
            if result.verdict is Verdict.REJECTED:
                self._reject(source, result.reason)
                return
            if not executed:
                self._reject(source, "the arm could not execute it (no inverse-kinematics solution)")
                return
            if result.verdict is Verdict.CLIPPED:
                self._clipped += 1
                self.get_logger().warning(f"clipped an arm command from {source}: {result.reason}",
                                          throttle_duration_sec=WARN_THROTTLE_S)  # fmt: skip
            self._applied += 1
            self._watchdog.feed(time.monotonic())
            self._holding = False
            self._publish_locked(camera=True)

    def estop_callback(self, msg: Bool) -> None:
        with self._lock:
            engaged = bool(msg.data)
            if engaged and not self._estop:
                self.get_logger().warning("E-STOP engaged: arm held, motion refused until cleared")
            elif self._estop and not engaged:
                self.get_logger().info("e-stop cleared")
            self._estop = engaged  # set first: motion is refused even if the hold below fails
            if engaged and self._backend is not None:
                self._hold_locked("e-stop")
            if self._active:
                self._publish_locked()

    def control_tick_callback(self) -> None:
        with self._lock:
            if not self._active:
                return
            now = time.monotonic()
            if not self._holding and self._watchdog.expired(now):
                self.get_logger().info(f"no arm command for {self._watchdog.timeout} s: holding the arm")
                self._hold_locked("watchdog")
            # Images after commands already keep the rate up; the tick fills the gaps.
            self._publish_locked(camera=now - self._last_image_time >= 0.9 / self._config.rate_hz)

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

    # ---------------------------------------------------------------- internals
    def _create_interfaces(self, config: DriverConfig, backend: ArmBackend) -> None:
        self._state_pub = self.create_lifecycle_publisher(ArmState, "arm_state", 10)
        self._joint_pub = self.create_lifecycle_publisher(JointState, "joint_states", qos_profile_sensor_data)
        self._image_pub = self.create_lifecycle_publisher(Image, "camera/image_raw", LATEST_ONLY_QOS)
        self._owned_publishers = [self._state_pub, self._joint_pub, self._image_pub]
        if isinstance(backend, SceneControl):
            self._scene_pub = self.create_lifecycle_publisher(Float32MultiArray, "sim/scene", LATEST_ONLY_QOS)
            self._owned_publishers.append(self._scene_pub)
            self._owned_services = [
                self.create_service(ResetScene, "sim/reset_scene", self.reset_scene_callback,
                                    callback_group=self._service_group),
                self.create_service(EvaluateTask, "sim/evaluate_task", self.evaluate_task_callback,
                                    callback_group=self._service_group),
            ]  # fmt: skip

    def _stop_motion(self) -> None:
        with self._lock:
            was_active, self._active = self._active, False
            if was_active and self._backend is not None and self._hold_locked("stopping"):
                # The last thing the driver does to the arm; the launch tests look for this line.
                self.get_logger().info("stopping: arm held at its measured pose; no command is applied after this")

    def _close_backend(self) -> None:
        with self._lock:
            backend, self._backend = self._backend, None
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

    def _reject(self, source: str, reason: str) -> None:
        self._rejected += 1
        self.get_logger().warning(f"rejected an arm command from {source}: {reason}",
                                  throttle_duration_sec=WARN_THROTTLE_S)  # fmt: skip
        if self._active:
            self._publish_locked()

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
            applied=self._applied, clipped=self._clipped, rejected=self._rejected,
        ))  # fmt: skip
        names, positions = self._backend.joint_state()
        self._joint_pub.publish(messages.joint_state_message(names, positions, stamp))
        if self._scene_pub is not None:
            self._scene_pub.publish(messages.scene_message(self._backend.scene_array()))

    def _publish_camera_locked(self) -> None:
        frame = self._backend.camera_frame()
        if frame is None:
            return
        frame = fit_frame(frame, self._config.image_width, self._config.image_height)
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
