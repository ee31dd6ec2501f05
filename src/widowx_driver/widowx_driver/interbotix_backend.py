"""The real WidowX 250 6-DoF through the Interbotix ROS 2 toolbox (``interbotix_xs_modules``).

Why these calls (checked against the toolbox's jazzy branch, pinned in ../shared/upstream/interbotix
and exercised by test_interbotix_*.py against the real simulated xs_sdk):

* every step starts from the **measured** joints (``capture_joint_positions()``), not from the
  toolbox's cached last command: the arm may have been pushed, and the toolbox's velocity check
  compares against that cache;
* each end-effector delta becomes one *non-blocking* ``set_ee_pose_matrix`` (IK seeded with the
  measured joints, executed by the motors over ``moving_time`` = the control period);
* :meth:`hold` re-commands the measured joints (a stop never moves the arm; after a push it holds
  the pushed pose), and refuses to command anything from a stale joint state;
* the gripper goes through ``grasp``/``release``, whose limit timer (running once the session is
  started) switches the motor off at the end stops;
* :meth:`move_to_pose` is a joint-space move, for leaving the sleep pose (where Cartesian steps are
  refused at the shoulder limit) and for reaching home;
* :meth:`apply_joints` (the ``joint_command`` path) is one non-blocking ``set_joint_positions`` over
  one control period, checked by the toolbox against the URDF joint and velocity limits from the
  measured joints (its ``False`` is the driver's "refused by the arm's limits").

Connection, start-up, profile registers and shutdown are :class:`ToolboxSession`'s job.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

from widowx_driver.arm_backend import ArmBackend, BackendError
from widowx_driver.camera import OpenCvCamera
from widowx_driver.joint_control import JointControl
from widowx_driver.joint_motion import JointMotion
from widowx_driver.interbotix_session import ARM_GROUP, MotionProfile, ToolboxSession
from widowx_driver.pose_math import matrix_to_pose, pose_to_matrix

GRIPPER_THRESHOLD = 0.5
"""Gripper targets below this close the gripper (grasp); at or above it open it (release)."""
STALE_AFTER = 0.5
"""[s] joint states older than this are stale: the xs_sdk or the toolbox executor stopped."""
HOLD_MEASUREMENT_WAIT = 0.2
"""[s] at most this long a hold waits for a joint state the xs_sdk measured after the hold was asked for.
Holding on an older reading drives the arm back to where it was then: seen on a loaded 2-core machine, the
toolbox's thread lagged behind an arm pushed 11 cm, and the stop's hold pulled it all the way back. The
xs_sdk publishes at tens of Hz, so the wait is usually one publishing period; past it the hold uses the
newest reading (never older than STALE_AFTER)."""
JOINT_MOVE_SPEED = 1.0
"""[rad/s] of the largest joint change in a joint-space move (its duration is at least 1 s)."""


class InterbotixBackend(ArmBackend, JointMotion, JointControl):
    """WidowX 250 6-DoF (``wx250s``) arm, gripper and an optional OpenCV camera."""

    def __init__(
        self,
        robot_model: str = "wx250s",
        moving_time: float = 0.2,
        connect_timeout: float = 20.0,
        camera: OpenCvCamera | None = None,
    ) -> None:
        self._robot_model = robot_model
        self._profile = MotionProfile(moving_time=moving_time, accel_time=moving_time / 2.0)
        self._connect_timeout = connect_timeout
        self._camera = camera
        self._session: ToolboxSession | None = None
        self._gripper_closed: bool | None = None
        self._last_joint_state = 0.0
        self._basis: list[float] | None = None
        self._state_lock = threading.Lock()

    @property
    def frame_id(self) -> str:
        """The toolbox's base frame for this robot model (``wx250s/base_link``): poses are expressed in it."""
        return f"{self._robot_model}/base_link"

    @property
    def session(self) -> ToolboxSession:
        """The live toolbox session (for checks such as reading the profile registers back)."""
        return self._connected()

    def connect(self) -> None:
        session = ToolboxSession.open(self._robot_model, self._profile, self._connect_timeout)
        self._session = session
        self._gripper_closed = None
        self._last_joint_state = time.monotonic()
        from sensor_msgs.msg import JointState

        # The toolbox's own joint-state callback cannot be observed; this one tells live from frozen.
        session.node.create_subscription(JointState, f"/{self._robot_model}/joint_states",
                                         self._joint_state_callback, 10)  # fmt: skip
        if self._camera is not None:
            try:
                self._camera.open()
            except RuntimeError as error:
                self.close()
                raise BackendError(str(error)) from error

    def state(self) -> np.ndarray:
        """The pose of the measured joints; the next :meth:`apply` adds its delta to exactly this pose."""
        bot = self._fresh()
        joints = [float(j) for j in bot.arm.get_joint_positions()]
        self._basis = joints
        return np.concatenate([self._pose_of(bot, joints), [self._gripper_opening(bot)]])

    def joint_state(self) -> tuple[list[str], np.ndarray]:
        core = self._fresh().core
        with core.js_mutex:
            names = list(core.joint_states.name)
            positions = np.array(core.joint_states.position, dtype=float)
        return names, positions

    def apply(self, delta: np.ndarray) -> bool:
        """Move to the pose of the last :meth:`state` reading plus ``delta``.

        That reading is the one the safety envelope judged; a newer measurement (the arm moved on
        between the two calls) would put the target outside the box the envelope enforced.
        """
        bot = self._fresh()
        delta = np.asarray(delta, dtype=float)
        measured = self._capture(bot)
        basis, self._basis = (self._basis or measured), None
        target = self._pose_of(bot, basis) + delta[:6]
        _, reachable = bot.arm.set_ee_pose_matrix(
            pose_to_matrix(target), custom_guess=basis, execute=True,
            moving_time=self._profile.moving_time, accel_time=self._profile.accel_time, blocking=False,
        )  # fmt: skip
        self._command_gripper(bot, float(delta[6]))
        return bool(reachable)

    def hold(self) -> None:
        """Command the measured arm joints: motion stops where the arm is now, and nothing else moves.

        The gripper is left alone: zero effort would loosen a grasp and drop the object.
        """
        bot = self._fresh()
        self._await_measurement_after(bot, bot.core.get_node().get_clock().now().nanoseconds)
        measured = self._capture(bot)
        commanded = bot.arm.set_joint_positions(measured, moving_time=self._profile.moving_time,
                                                accel_time=self._profile.accel_time, blocking=False)  # fmt: skip
        if not commanded:  # pushed past a URDF limit: the toolbox refuses, but a stop must still stop there
            bot.core.robot_write_commands(ARM_GROUP, measured)

    def move_to_pose(self, pose6: np.ndarray) -> float:
        """Joint-space move to ``[x, y, z, roll, pitch, yaw]``; returns its duration [s], BackendError if unreachable.

        Not a straight line: use it from poses where Cartesian steps fail (the sleep pose, a twisted
        wrist), at a joint speed a person can follow. The next step or hold writes the control
        profile back (the toolbox writes the registers whenever ``moving_time`` changes).
        """
        bot = self._fresh()
        measured = self._capture(bot)
        goal = solve_pose(bot.arm, np.asarray(pose6, dtype=float), seeds=[measured, *bot.arm.initial_guesses])
        if goal is None:
            raise BackendError(f"no inverse-kinematics solution within the joint limits for pose {list(pose6)}")
        duration = max(1.0, float(np.max(np.abs(goal - np.asarray(measured)))) / JOINT_MOVE_SPEED)
        # Profile first: set_joint_positions checks joint speeds against the current moving_time.
        bot.arm.set_trajectory_time(moving_time=duration, accel_time=min(duration / 4.0, 0.5))
        if not bot.arm.set_joint_positions([float(j) for j in goal], blocking=False):
            raise BackendError("the toolbox refused the joint-space move (joint or velocity limit)")
        return duration

    def arm_joint_names(self) -> tuple[str, ...]:
        return tuple(self._connected().bot.arm.group_info.joint_names)

    def measured_arm_joints(self) -> np.ndarray:
        return np.array(self._fresh().arm.get_joint_positions(), dtype=float)

    def end_effector_position(self, joints: np.ndarray) -> np.ndarray:
        return self._pose_of(self._connected().bot, [float(j) for j in joints])[:3]

    def apply_joints(self, joints: np.ndarray, gripper: float | None) -> bool:
        """One joint-space step from the measured joints; the toolbox's limit check decides, a refusal moves nothing."""
        bot = self._fresh()
        self._capture(bot)  # the toolbox's velocity check then compares against the measured joints
        commanded = bot.arm.set_joint_positions([float(j) for j in joints], moving_time=self._profile.moving_time,
                                                accel_time=self._profile.accel_time, blocking=False)  # fmt: skip
        if commanded and gripper is not None:
            self._command_gripper(bot, gripper)
        return bool(commanded)

    def camera_frame(self) -> np.ndarray | None:
        return None if self._camera is None else self._camera.latest()

    def camera_problem(self) -> str | None:
        return None if self._camera is None else self._camera.problem()

    def close(self) -> None:
        if self._camera is not None:
            self._camera.close()
        session, self._session = self._session, None
        if session is not None:
            session.close()

    # ---------------------------------------------------------------- internals
    def _connected(self) -> ToolboxSession:
        if self._session is None:
            raise BackendError("the interbotix backend is not connected; configure the driver first")
        return self._session

    def _fresh(self) -> Any:
        """The toolbox, if its joint states are live; a stale state must never become a command."""
        bot = self._connected().bot
        with self._state_lock:
            age = time.monotonic() - self._last_joint_state
        if age > STALE_AFTER:
            raise BackendError(f"no joint state from /{self._robot_model}/joint_states for {age:.1f} s: "
                               "is the xs_sdk still running?")  # fmt: skip
        return bot

    @staticmethod
    def _await_measurement_after(bot: Any, requested_ns: int) -> bool:
        """Wait (at most HOLD_MEASUREMENT_WAIT) for joints the xs_sdk stamped after ``requested_ns``.

        Both stamps are ROS time of the same host (the xs_sdk runs on the computer the arm's USB is on); with
        skewed clocks the wait ends at its bound. Returns whether a newer reading came.
        """
        core = bot.core
        deadline = time.monotonic() + HOLD_MEASUREMENT_WAIT
        while True:
            with core.js_mutex:
                stamp = core.joint_states.header.stamp
            if stamp.sec * 1_000_000_000 + stamp.nanosec >= requested_ns:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.002)

    def _joint_state_callback(self, _msg: Any) -> None:
        with self._state_lock:
            self._last_joint_state = time.monotonic()

    def _capture(self, bot: Any) -> list[float]:
        """The measured arm joints, also made the toolbox's reference for its IK seed and velocity check."""
        bot.arm.capture_joint_positions()
        return [float(j) for j in bot.arm.get_joint_commands()]

    def _pose_of(self, bot: Any, joints: list[float]) -> np.ndarray:
        import modern_robotics as mr

        transform = mr.FKinSpace(bot.arm.robot_des.M, bot.arm.robot_des.Slist, np.asarray(joints, dtype=float))
        return matrix_to_pose(np.asarray(transform, dtype=float))

    def _gripper_opening(self, bot: Any) -> float:
        gripper = bot.gripper
        finger = float(gripper.get_finger_position())
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


def solve_pose(arm: Any, pose6: np.ndarray, seeds: list) -> np.ndarray | None:
    """Joints that put the end effector at ``pose6`` within the arm's joint limits, or None.

    The toolbox's own IK (``set_ee_pose_matrix``) also rejects solutions farther than one control
    period at the velocity limit, which is right for steps and wrong for a joint-space move; this
    is the same solver (modern_robotics, the arm's screw axes) without that check.
    """
    import modern_robotics as mr

    info = arm.group_info
    low, high = np.asarray(info.joint_lower_limits), np.asarray(info.joint_upper_limits)
    target = pose_to_matrix(pose6)
    for seed in seeds:
        theta, found = mr.IKinSpace(arm.robot_des.Slist, arm.robot_des.M, target, np.asarray(seed, dtype=float),
                                    0.001, 0.001)  # fmt: skip
        if not found:
            continue
        theta = (np.asarray(theta) + np.pi) % (2 * np.pi) - np.pi
        theta = np.where(theta < low, theta + 2 * np.pi, np.where(theta > high, theta - 2 * np.pi, theta))
        if np.all((low <= theta) & (theta <= high)):
            return theta
    return None


def fk_position(robot_model: str, joints: np.ndarray) -> np.ndarray:
    """End-effector position of arm ``joints`` by the toolbox's own kinematic description of ``robot_model``."""
    import modern_robotics as mr
    from interbotix_xs_modules.xs_robot import mr_descriptions

    description = getattr(mr_descriptions, robot_model)
    return np.asarray(mr.FKinSpace(description.M, description.Slist, np.asarray(joints, dtype=float)))[:3, 3]
