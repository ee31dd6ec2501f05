"""One live connection to the Interbotix ROS 2 toolbox, with the toolbox's own lifetime rules.

Why its own module: the toolbox (``interbotix_xs_modules``, branches jazzy/humble/rolling, pinned in
``../shared/upstream/interbotix``) has process-wide state and a start-up contract the backend must
follow exactly, and getting it wrong freezes the arm state silently:

* ``InterbotixManipulatorXS(...)`` creates a *global* node on rclpy's default context and spins it only
  while constructing; ``robot_startup()`` then starts the executor thread that keeps ``joint_states``
  live and runs the gripper's 50 Hz limit timer. Without it every reading is the connect pose.
* the constructor loops forever while the xs_sdk is absent, hence the worker thread with a deadline,
  after which the default context is shut down so the worker ends instead of leaking.
* ``robot_shutdown()`` destroys the node and shuts the default context down, but (upstream bug: it
  assigns a local instead of the global) leaves the "is up" flag and the global node in place, so a
  second ``robot_startup()`` in the same process raises. :meth:`ToolboxSession.close` clears both, so
  a lifecycle cleanup → configure works.
* the constructor writes ``Profile_Velocity``/``Profile_Acceleration`` only when they *change* after
  construction, so the motors keep ``modes.yaml``'s 2 s profile; :meth:`write_profile` writes them
  and reads them back.

Service calls made here have deadlines (the toolbox's own helpers wait forever).
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from widowx_driver.arm_backend import BackendError

ARM_MODULE = "interbotix_xs_modules.xs_robot.arm"
ROBOT_MODULE = "interbotix_common_modules.common_robot.robot"
ARM_GROUP = "arm"
GRIPPER_NAME = "gripper"
SERVICE_TIMEOUT = 5.0
"""[s] deadline of one xs_sdk service call (the simulated and the real xs_sdk answer in milliseconds)."""


@dataclass(frozen=True)
class MotionProfile:
    """Time-based motor profile of the arm group: each position command is executed over ``moving_time``."""

    moving_time: float
    """[s] duration of one move (the driver's control period)."""
    accel_time: float
    """[s] acceleration/deceleration time; at most half of ``moving_time``."""

    @property
    def registers(self) -> dict[str, int]:
        """Register name → value in ms, as the xs_sdk writes them to every arm motor."""
        return {"Profile_Velocity": round(self.moving_time * 1000),
                "Profile_Acceleration": round(self.accel_time * 1000)}  # fmt: skip


class ToolboxSession:
    """``InterbotixManipulatorXS`` plus ``robot_startup()``; :meth:`close` undoes both."""

    def __init__(self, bot: Any, robot_module: ModuleType) -> None:
        self.bot = bot
        self._robot_module = robot_module
        self._closed = False

    @classmethod
    def open(cls, robot_model: str, profile: MotionProfile, connect_timeout: float) -> ToolboxSession:
        """Construct the toolbox within ``connect_timeout`` and start its executor; BackendError on failure."""
        arm_module, robot_module = _import(ARM_MODULE), _import(ROBOT_MODULE)
        hint = (f"is the xs_sdk running (ros2 launch interbotix_xsarm_control xsarm_control.launch.py "
                f"robot_model:={robot_model}, use_sim:=true without an arm) under the namespace /{robot_model}, "
                f"with its install sourced?")  # fmt: skip
        outcome: dict[str, Any] = {}

        def construct() -> None:
            try:
                outcome["bot"] = arm_module.InterbotixManipulatorXS(
                    robot_model=robot_model, group_name=ARM_GROUP, gripper_name=GRIPPER_NAME,
                    moving_time=profile.moving_time, accel_time=profile.accel_time,
                )  # fmt: skip
            except BaseException as error:  # sys.exit(1) on a joint-count mismatch, RCLError, ...
                outcome["error"] = error

        worker = threading.Thread(target=construct, name="interbotix_connect", daemon=True)
        worker.start()
        worker.join(connect_timeout)
        if worker.is_alive():
            _shutdown_default_context()  # ends the constructor's wait loops
            worker.join(5.0)
            _reset_toolbox_globals(robot_module)
            raise BackendError(f"no answer from the Interbotix xs_sdk within {connect_timeout} s; {hint}")
        if "error" in outcome:
            _shutdown_default_context()
            _reset_toolbox_globals(robot_module)
            error = outcome["error"]
            raise BackendError(f"InterbotixManipulatorXS failed: {type(error).__name__}: {error}; {hint}") from error
        robot_module.robot_startup()
        session = cls(outcome["bot"], robot_module)
        try:
            session.write_profile(profile)
        except BackendError:
            session.close()
            raise
        return session

    @property
    def node(self) -> Any:
        """The toolbox's node (global, default context): use it for any extra ROS client."""
        return self.bot.core.get_node()

    def write_profile(self, profile: MotionProfile) -> dict[str, list[int]]:
        """Write the arm group's profile registers and read them back; BackendError if they differ."""
        core = self.bot.core
        from interbotix_xs_msgs.srv import RegisterValues  # the toolbox imported it already

        read: dict[str, list[int]] = {}
        for register, value in profile.registers.items():
            self.call(core.srv_set_reg, RegisterValues.Request(cmd_type="group", name=ARM_GROUP, reg=register,
                                                               value=value))  # fmt: skip
            read[register] = self.read_register(register)
            if any(v != value for v in read[register]):
                raise BackendError(f"the arm motors did not take {register}={value} ms: they report {read[register]}")
        self.bot.arm.moving_time, self.bot.arm.accel_time = profile.moving_time, profile.accel_time
        return read

    def read_register(self, register: str) -> list[int]:
        """One register of every arm motor, as the xs_sdk reports it."""
        from interbotix_xs_msgs.srv import RegisterValues

        response = self.call(self.bot.core.srv_get_reg,
                             RegisterValues.Request(cmd_type="group", name=ARM_GROUP, reg=register))  # fmt: skip
        return [int(v) for v in response.values]

    def call(self, client: Any, request: Any, timeout: float = SERVICE_TIMEOUT) -> Any:
        """An xs_sdk service call answered by the toolbox's executor within ``timeout``."""
        future = client.call_async(request)
        done = threading.Event()
        future.add_done_callback(lambda _: done.set())
        if not done.wait(timeout):
            client.remove_pending_request(future)
            raise BackendError(f"the xs_sdk did not answer {client.srv_name} within {timeout} s")
        return future.result()

    def close(self) -> None:
        """``robot_shutdown()`` (node destroyed, default context shut down), then allow a new start."""
        if self._closed:
            return
        self._closed = True
        try:
            self._robot_module.robot_shutdown()
        finally:
            _reset_toolbox_globals(self._robot_module)


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise BackendError(
            f"backend 'interbotix' needs the Python package '{name.split('.')[0]}' (module {name}) of the "
            "Interbotix ROS 2 toolbox (Interbotix/interbotix_ros_toolboxes, installed with the Interbotix xsarm "
            f"packages; source its install/setup.bash); it could not be imported ({error}). "
            "Use backend 'sim' without a robot."
        ) from error


def _shutdown_default_context() -> None:
    import rclpy

    rclpy.try_shutdown()


def _reset_toolbox_globals(robot_module: ModuleType) -> None:
    """Undo what ``robot_shutdown()`` leaves behind (see the module docstring), so a new start works."""
    state = vars(robot_module)
    state["__interbotix_is_up"] = False
    state.pop("__interbotix_global_node", None)
