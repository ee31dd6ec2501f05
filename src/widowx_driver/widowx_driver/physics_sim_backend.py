"""The MuJoCo physics world as an arm backend (``backend: sim``, ``sim_world: physics``).

Why beside the kinematic :class:`~widowx_driver.sim_backend.SimBackend` and not instead of it: this world has
real joints, inverse kinematics, friction grasps that can fail and rendered cameras, so the driver's joint path
and camera topics run against something like the robot; the kinematic world stays the fast default. Both offer
the scene services (``sim/*``): here the success detector and the scene array read poses and finger contacts
(:mod:`sarl_sim.physics.success`, :mod:`sarl_sim.physics.scene_reading`).

Control is the real driver's: one :meth:`apply` is one 5 Hz end-effector delta from the pose of the measured
joints, solved by IK and run for one 0.2 s control period of physics; a joint target is the toolbox's
``set_joint_positions``. Like the kinematic world, the physics advances only when commanded (lock-step): a
policy that pauses pauses the world, and the result does not depend on how loaded the machine is.

Images: the third-person ``bridge`` camera and the ``wrist`` camera, rendered on a thread of their own (see
:mod:`sarl_sim.physics.render_thread`) at ``render_size`` px square; the driver resizes them to the configured
image size. A frame is rendered once per physics step and reused until the next one.
"""

from __future__ import annotations

import numpy as np
from sarl_sim.physics.arm_control import DeltaArmController
from sarl_sim.physics.arm_model import ARM_JOINT_NAMES
from sarl_sim.physics.render_thread import RenderThread
from sarl_sim.physics.scene_model import MAX_RENDER_SIZE
from sarl_sim.physics.scene_reading import tabletop_snapshot
from sarl_sim.physics.success import describe, holds
from sarl_sim.physics.world import PhysicsWorld
from sarl_sim.scene import encode_scene
from sarl_sim.tasks import get_task

from widowx_driver.arm_backend import ArmBackend, BackendError, SceneControl, SceneInfo
from widowx_driver.joint_control import JointControl
from widowx_driver.wrist_view import WristView

MIN_RENDER_SIZE = 16
"""[px] smallest square the physics cameras render."""


def render_size_for(width: int, height: int) -> int:
    """Side of the square the cameras render for a ``width`` x ``height`` image: its larger side, within
    the model's offscreen buffer (16..MAX_RENDER_SIZE px); larger images are upscaled by the driver."""
    return int(np.clip(max(width, height), MIN_RENDER_SIZE, MAX_RENDER_SIZE))


class PhysicsSimBackend(ArmBackend, JointControl, WristView, SceneControl):
    """A task of the sarl_sim suite laid out for a seed as rigid bodies; the wx250s starts at home, gripper open."""

    def __init__(self, task_name: str, seed: int, render_size: int) -> None:
        self._task_name = task_name
        self._seed = seed
        self._render_size = render_size
        self._world: PhysicsWorld | None = None
        self._arm: DeltaArmController | None = None
        self._renderer: RenderThread | None = None
        self._frames: dict[str, np.ndarray] = {}

    def connect(self) -> None:
        try:
            layout = get_task(self._task_name).build(np.random.default_rng(self._seed))
        except ValueError as error:
            raise BackendError(f"task_name: {error}") from error
        world = PhysicsWorld.from_layout(layout)
        try:
            renderer = RenderThread(world, self._render_size)
        except Exception as error:  # no headless OpenGL, or a bad size: configure fails with the reason
            raise BackendError(f"the physics world's cameras cannot render: {error}") from error
        self._world, self._arm, self._renderer, self._frames = world, DeltaArmController(world), renderer, {}

    def state(self) -> np.ndarray:
        return self._live_arm().state()

    def joint_state(self) -> tuple[list[str], np.ndarray]:
        return self._live_arm().joint_state()

    def apply(self, delta: np.ndarray) -> bool:
        arm = self._live_arm()
        self._frames = {}
        return arm.apply(np.asarray(delta, dtype=float))

    def hold(self) -> None:
        """Servo targets = measured joints; nothing else (the gripper keeps its grasp, the world does not step)."""
        self._live_arm().hold()

    def camera_frame(self) -> np.ndarray | None:
        return self._frame("bridge")

    def wrist_frame(self) -> np.ndarray | None:
        return self._frame("wrist")

    def close(self) -> None:
        renderer, self._renderer = self._renderer, None
        self._world = self._arm = None
        self._frames = {}
        if renderer is not None:
            renderer.close()

    # ------------------------------------------------------------ SceneControl
    def reset_scene(self, task_name: str, seed: int) -> SceneInfo:
        """A new layout (new rigid bodies, the arm back at its start pose); the cameras are rebuilt for it."""
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        task = get_task(task_name or self._task_name)  # ValueError names the known tasks
        self._live_arm()
        previous, saved = self._renderer, (self._task_name, self._seed)
        self._task_name, self._seed = task.name, seed
        try:
            self.connect()
        except BackendError:
            self._task_name, self._seed = saved
            raise
        previous.close()
        return SceneInfo(task.name, task.instruction, tuple(self._world.object_names()))

    def evaluate_task(self) -> tuple[bool, str]:
        self._live_arm()
        success = get_task(self._task_name).success
        return holds(success, self._world), describe(success, self._world)

    def scene_array(self) -> np.ndarray:
        self._live_arm()
        return encode_scene(tabletop_snapshot(self._world))

    # ------------------------------------------------------------ JointControl
    def arm_joint_names(self) -> tuple[str, ...]:
        return ARM_JOINT_NAMES

    def measured_arm_joints(self) -> np.ndarray:
        self._live_arm()
        return self._world.arm_joints()

    def end_effector_position(self, joints: np.ndarray) -> np.ndarray:
        return self._live_arm().pose_of(np.asarray(joints, dtype=float))[:3]

    def apply_joints(self, joints: np.ndarray, gripper: float | None) -> bool:
        arm = self._live_arm()
        self._frames = {}
        return arm.apply_joints(np.asarray(joints, dtype=float), gripper)

    # ---------------------------------------------------------------- internals
    def _live_arm(self) -> DeltaArmController:
        if self._arm is None:
            raise BackendError("the physics simulator backend is not connected; configure the driver first")
        return self._arm

    def _frame(self, camera: str) -> np.ndarray:
        self._live_arm()
        if camera not in self._frames:
            self._frames[camera] = self._renderer.render(camera)
        return self._frames[camera]
