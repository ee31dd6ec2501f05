"""The real driver's 5 Hz end-effector delta interface on the physics arm, without ROS.

Why it mirrors ``widowx_driver.interbotix_backend``: a policy must meet the same contract here as on the
robot. ``state()`` reads the measured joints' pose; ``apply(delta)`` adds the (already safety-filtered) delta to
exactly that pose, solves IK seeded with the measured joints and, when a solution exists, moves the servos
there over one control period (``moving_time`` = 0.2 s, a linear ramp of the targets); when none exists the
arm holds and ``apply`` returns False, as the toolbox refuses unreachable poses. The gripper is binary like the
real one (``grasp``/``release`` at the 0.5 threshold): both fingers are position-driven open, or squeezed
shut with the URDF's 5 N effort limit, so a grasp holds by friction and can slip.

The joint path (the driver's ``joint_command``) mirrors the toolbox's ``set_joint_positions``: absolute arm
joints reached over one control period, refused (nothing moves) outside the URDF joint limits or when reaching
them from the measured joints would exceed the URDF velocity limit.
"""

from __future__ import annotations

import numpy as np

from sarl_sim.physics.arm_model import (
    ARM_JOINT_NAMES,
    ARM_VELOCITY_LIMIT,
    EE_SITE,
    FINGER_CLOSED,
    FINGER_OPEN,
    FINGER_SQUEEZE_TARGET,
    PUBLISHED_JOINT_NAMES,
    gripper_servo_angle,
)
from sarl_sim.physics.ik import DampedLeastSquaresIk, IkSolution
from sarl_sim.physics.pose import matrix_to_rpy, rpy_to_matrix
from sarl_sim.physics.world import HOME_JOINTS, PhysicsWorld

CONTROL_PERIOD = 0.2
"""Duration of one delta command (s): the driver's 5 Hz, the toolbox's ``moving_time``."""
RAMP_SEGMENTS = 10
"""Servo targets are updated this many times per control period (smooth, cheap)."""
RAMP_END_SEGMENT = 5
"""The ramp reaches the target after this many segments; the rest of the period lets the servos catch up, as
the toolbox's velocity profile ends before ``moving_time`` runs out at its deceleration."""
GRIPPER_THRESHOLD = 0.5
"""Gripper targets below this close the gripper, at or above it open it (as the real driver)."""
ROLL_DAMPED = (1.0, 1.0, 1.0, 10.0, 1.0, 10.0)
"""IK damping weights per arm joint: the two roll joints move last (see ``DampedLeastSquaresIk``)."""
SMALL_JOINT_MOTION = 0.6
"""Largest joint change (rad) per command accepted from the first IK attempt without looking for a nearer one."""
STATE_DIM = 7
"""``[x, y, z, roll, pitch, yaw, gripper]`` and ``[dx, dy, dz, droll, dpitch, dyaw, gripper]``."""


class DeltaArmController:
    """Drives a :class:`PhysicsWorld`'s arm by end-effector deltas, one control period per :meth:`apply`."""

    def __init__(self, world: PhysicsWorld) -> None:
        self._world = world
        self._ik = DampedLeastSquaresIk(world.model, EE_SITE, ARM_JOINT_NAMES, joint_damping_weights=ROLL_DAMPED)
        self._plain_ik = DampedLeastSquaresIk(world.model, EE_SITE, ARM_JOINT_NAMES)
        self._basis: np.ndarray | None = None
        self._substeps = round(CONTROL_PERIOD / world.model.opt.timestep)
        self._joint_low = np.array([world.model.joint(name).range[0] for name in ARM_JOINT_NAMES])
        self._joint_high = np.array([world.model.joint(name).range[1] for name in ARM_JOINT_NAMES])
        if self._substeps % RAMP_SEGMENTS:
            raise ValueError(f"the control period must split into {RAMP_SEGMENTS} whole ramp segments of physics "
                             f"steps, got {self._substeps} steps of {world.model.opt.timestep} s")  # fmt: skip

    @property
    def ik(self) -> DampedLeastSquaresIk:
        return self._ik

    def pose_of(self, joints: np.ndarray) -> np.ndarray:
        """``[x, y, z, roll, pitch, yaw]`` of the end effector at ``joints``."""
        position, rotation = self._ik.forward(joints)
        return np.concatenate([position, matrix_to_rpy(rotation)])

    def state(self) -> np.ndarray:
        """Pose of the measured joints plus gripper opening (0 closed .. 1 open); the basis of the next apply."""
        joints = self._world.arm_joints()
        self._basis = joints
        left_finger = self._world.data.qpos[self._world.finger_qpos_index[0]]
        opening = np.clip((left_finger - FINGER_CLOSED) / (FINGER_OPEN - FINGER_CLOSED), 0.0, 1.0)
        return np.concatenate([self.pose_of(joints), [opening]])

    def joint_state(self) -> tuple[list[str], np.ndarray]:
        """Joint names and positions as the real xs_sdk publishes them (:data:`PUBLISHED_JOINT_NAMES`)."""
        _, positions = self._world.joint_positions()
        arm, fingers = positions[: len(ARM_JOINT_NAMES)], positions[len(ARM_JOINT_NAMES) :]
        return list(PUBLISHED_JOINT_NAMES), np.concatenate([arm, [gripper_servo_angle(fingers[0])], fingers])

    def apply(self, delta: np.ndarray) -> bool:
        """Move to the pose of the last :meth:`state` reading plus ``delta`` (7,), stepping physics 0.2 s.

        Returns False, holding the arm, when IK finds no pose within tolerance; the gripper is commanded either
        way. The safety envelope (workspace box, step limits) is the caller's job, as in the driver.
        """
        delta = np.asarray(delta, dtype=float)
        if delta.shape != (STATE_DIM,) or not np.all(np.isfinite(delta)):
            raise ValueError(f"delta must be 7 finite numbers [dx, dy, dz, droll, dpitch, dyaw, gripper], got {delta}")
        measured = self._world.arm_joints()
        basis, self._basis = (self._basis if self._basis is not None else measured), None
        target = self.pose_of(basis) + delta[:6]
        solution = self._solve(target, measured)
        self._command_gripper(float(delta[6]))
        if not solution.reached:
            self.hold()
            self.step_physics()
            return False
        self.step_physics(solution.joints)
        return True

    def apply_joints(self, joints: np.ndarray, gripper: float | None) -> bool:
        """Move the arm to absolute ``joints`` (rad, :data:`ARM_JOINT_NAMES` order) over one control period.

        Returns False, moving nothing (not even the gripper), when a target lies outside the joint limits or is
        farther from the measured joints than the velocity limit allows in one period, as the toolbox refuses.
        ``gripper`` is an opening 0..1 (binary, as :meth:`apply`) or None to leave the gripper as it is.
        """
        joints = np.asarray(joints, dtype=float)
        if joints.shape != (len(ARM_JOINT_NAMES),) or not np.all(np.isfinite(joints)):
            raise ValueError(f"joints must be {len(ARM_JOINT_NAMES)} finite angles {ARM_JOINT_NAMES}, got {joints}")
        if not self.joints_allowed(joints):
            return False
        self._basis = None
        if gripper is not None:
            self._command_gripper(float(gripper))
        self.step_physics(joints)
        return True

    def joints_allowed(self, joints: np.ndarray) -> bool:
        """Whether ``joints`` are within the joint limits and one control period's velocity limit of the measured."""
        within_limits = np.all((self._joint_low <= joints) & (joints <= self._joint_high))
        speed = np.abs(joints - self._world.arm_joints()) / CONTROL_PERIOD
        return bool(within_limits and np.all(speed <= ARM_VELOCITY_LIMIT))

    def _solve(self, target: np.ndarray, measured: np.ndarray) -> IkSolution:
        """The reachable IK solution nearest the measured joints.

        First the roll-damped solver from the measured joints (stays on the untwisted branch through the wrist
        singularity); if that fails or jumps, also the plain solver and untwisted guesses facing the target, as
        the toolbox retries its ``initial_guesses``. Among solutions within tolerance the smallest joint motion
        wins; if none is within tolerance the first attempt is returned (not reached).
        """
        rotation = rpy_to_matrix(*target[3:])
        first = self._ik.solve(target[:3], rotation, seed=measured)
        if first.reached and np.abs(first.joints - measured).max() < SMALL_JOINT_MOTION:
            return first
        heading = np.arctan2(target[1], target[0])
        untwisted = measured.copy()
        untwisted[[0, 3, 5]] = (heading, 0.0, 0.0)
        home_facing = HOME_JOINTS.copy()
        home_facing[0] = heading
        candidates = [first, self._plain_ik.solve(target[:3], rotation, seed=measured)]
        candidates += [self._plain_ik.solve(target[:3], rotation, seed=seed) for seed in (untwisted, home_facing)]
        reached = [c for c in candidates if c.reached]
        if not reached:
            return first
        return min(reached, key=lambda c: float(np.abs(c.joints - measured).max()))

    def move_to(self, pose6: np.ndarray, gripper: float) -> bool:
        """One control period toward an absolute pose (the scripted expert's and tests' convenience)."""
        current = self.state()
        delta = np.concatenate([np.asarray(pose6, dtype=float) - current[:6], [gripper]])
        return self.apply(delta)

    def hold(self) -> None:
        """Servo targets = measured arm joints: motion stops here; the gripper is left as commanded."""
        self._world.data.ctrl[self._world.arm_actuators] = self._world.arm_joints()

    def step_physics(self, arm_target: np.ndarray | None = None) -> None:
        """Run one control period, ramping the arm servo targets to ``arm_target`` (None: keep them)."""
        world = self._world
        start = world.data.ctrl[world.arm_actuators].copy()
        per_segment = self._substeps // RAMP_SEGMENTS
        for segment in range(1, RAMP_SEGMENTS + 1):
            if arm_target is not None:
                fraction = min(1.0, segment / RAMP_END_SEGMENT)
                world.data.ctrl[world.arm_actuators] = start + (arm_target - start) * fraction
            world.settle(per_segment * world.model.opt.timestep)

    def _command_gripper(self, target: float) -> None:
        finger = FINGER_SQUEEZE_TARGET if target < GRIPPER_THRESHOLD else FINGER_OPEN
        self._world.data.ctrl[self._world.finger_actuators] = (finger, -finger)
