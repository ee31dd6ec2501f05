"""The real WidowX 250 6-DoF through the Interbotix ROS 2 Python API (``interbotix_xs_modules``).

Why these calls: the driver receives one small end-effector delta per control
step, so each step becomes one *non-blocking* ``set_ee_pose_matrix`` (inverse
kinematics seeded with the last joint command, executed over ``moving_time``)
instead of ``set_ee_cartesian_trajectory``, which sleeps for the whole
trajectory and would stall the control loop and the e-stop. The state is the
forward kinematics of the measured joints (``arm.get_ee_pose()``), converted
to ``[x, y, z, roll, pitch, yaw]`` with :mod:`widowx_driver.pose_math`.

``interbotix_xs_modules`` is imported only in :meth:`InterbotixBackend.connect`,
so the simulator profile and the tests never need it. It must be able to reach
a running ``xs_sdk`` (``ros2 launch interbotix_xsarm_control
xsarm_control.launch.py robot_model:=wx250s``).

Known API facts this relies on (interbotix_ros_toolboxes, ROS 2 branch):
``InterbotixManipulatorXS(robot_model, group_name, gripper_name, moving_time,
accel_time)`` calls ``rclpy.init()`` on the *default* context, spins until the
xs_sdk answers and calls ``sys.exit(1)`` when it does not — hence the worker
thread with a deadline here, and the driver's own non-default context.
``gripper.grasp()`` closes and ``gripper.release()`` opens in the current
toolbox (some 2022 releases had the two swapped; check on a new install).
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType
from typing import Any

import numpy as np

from widowx_driver.arm_backend import ArmBackend, BackendError
from widowx_driver.camera import OpenCvCamera
from widowx_driver.pose_math import matrix_to_pose, pose_to_matrix

INTERBOTIX_MODULE = "interbotix_xs_modules.xs_robot.arm"
GRIPPER_THRESHOLD = 0.5
"""Gripper targets below this close the gripper (grasp); at or above it open it (release)."""


class InterbotixBackend(ArmBackend):
    """WidowX 250 6-DoF (``wx250s``) arm, gripper and an optional OpenCV camera."""

    def __init__(
        self,
        robot_model: str = "wx250s",
        moving_time: float = 0.2,
        connect_timeout: float = 20.0,
        camera: OpenCvCamera | None = None,
    ) -> None:
        self._robot_model = robot_model
        self._moving_time = moving_time
        self._accel_time = moving_time / 2.0
        self._connect_timeout = connect_timeout
        self._camera = camera
        self._bot: Any = None
        self._gripper_closed: bool | None = None

    def connect(self) -> None:
        module = _import_interbotix()
        bot = self._construct_with_deadline(module)
        self._bot = bot
        if self._camera is not None:
            try:
                self._camera.open()
            except RuntimeError as error:
                self.close()
                raise BackendError(str(error)) from error

    def state(self) -> np.ndarray:
        bot = self._connected()
        pose = matrix_to_pose(np.asarray(bot.arm.get_ee_pose(), dtype=float))
        return np.concatenate([pose, [self._gripper_opening(bot)]])

    def joint_state(self) -> tuple[list[str], np.ndarray]:
        core = self._connected().core
        with core.js_mutex:
            names = list(core.joint_states.name)
            positions = np.array(core.joint_states.position, dtype=float)
        return names, positions

    def apply(self, delta: np.ndarray) -> bool:
        bot = self._connected()
        delta = np.asarray(delta, dtype=float)
        target = self.state()[:6] + delta[:6]
        _, reachable = bot.arm.set_ee_pose_matrix(
            pose_to_matrix(target),
            custom_guess=bot.arm.get_joint_commands(),
            execute=True,
            moving_time=self._moving_time,
            accel_time=self._accel_time,
            blocking=False,
        )
        self._command_gripper(bot, float(delta[6]))
        return bool(reachable)

    def hold(self) -> None:
        """Re-command the measured joint positions, which stops a move in progress.

        The gripper is left alone: zero effort would loosen a grasp and drop the object.
        """
        bot = self._connected()
        names = list(bot.arm.group_info.joint_names)
        with bot.core.js_mutex:
            index = {name: i for i, name in enumerate(bot.core.joint_states.name)}
            measured = [float(bot.core.joint_states.position[index[name]]) for name in names]
        bot.arm.set_joint_positions(measured, moving_time=self._moving_time, accel_time=self._accel_time,
                                    blocking=False)  # fmt: skip

    def camera_frame(self) -> np.ndarray | None:
        return None if self._camera is None else self._camera.latest()

    def close(self) -> None:
        if self._camera is not None:
            self._camera.close()
        bot, self._bot = self._bot, None
        if bot is not None:
            bot.shutdown()

    # ---------------------------------------------------------------- internals
    def _connected(self) -> Any:
        if self._bot is None:
            raise BackendError("the interbotix backend is not connected; configure the driver first")
        return self._bot

    def _construct_with_deadline(self, module: ModuleType) -> Any:
        outcome: dict[str, Any] = {}

        def construct() -> None:
            try:
                outcome["bot"] = module.InterbotixManipulatorXS(
                    robot_model=self._robot_model,
                    group_name="arm",
                    gripper_name="gripper",
                    moving_time=self._moving_time,
                    accel_time=self._accel_time,
                )
            except BaseException as error:  # the toolbox calls sys.exit(1) when the xs_sdk is absent
                outcome["error"] = error

        worker = threading.Thread(target=construct, name="interbotix_connect", daemon=True)
        worker.start()
        worker.join(self._connect_timeout)
        hint = (
            f"is the xs_sdk running (ros2 launch interbotix_xsarm_control xsarm_control.launch.py "
            f"robot_model:={self._robot_model}) and is the arm powered and on USB?"
        )
        if worker.is_alive():
            raise BackendError(f"no answer from the Interbotix xs_sdk within {self._connect_timeout} s; {hint}")
        if "error" in outcome:
            error = outcome["error"]
            raise BackendError(f"InterbotixManipulatorXS failed: {type(error).__name__}: {error}; {hint}") from error
        return outcome["bot"]

    def _gripper_opening(self, bot: Any) -> float:
        gripper = bot.gripper
        with bot.core.js_mutex:
            finger = float(bot.core.joint_states.position[gripper.left_finger_index])
        low, high = float(gripper.left_finger_lower_limit), float(gripper.left_finger_upper_limit)
        return float(np.clip((finger - low) / (high - low), 0.0, 1.0))

    def _command_gripper(self, bot: Any, target: float) -> None:
        close = target < GRIPPER_THRESHOLD
        if close == self._gripper_closed:
            return  # effort commands are edge-triggered; repeating them restarts the motor each step
        if close:
            bot.gripper.grasp(delay=0.0)
        else:
            bot.gripper.release(delay=0.0)
        self._gripper_closed = close


def _import_interbotix() -> ModuleType:
    try:
        return importlib.import_module(INTERBOTIX_MODULE)
    except ImportError as error:
        raise BackendError(
            "backend 'interbotix' needs the Python package 'interbotix_xs_modules' (module "
            f"{INTERBOTIX_MODULE}) from Interbotix/interbotix_ros_toolboxes, installed with the Interbotix "
            f"ROS 2 xsarm packages; it could not be imported ({error}). Use backend 'sim' without a robot."
        ) from error
