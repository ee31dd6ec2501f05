"""The built-in simulator as an arm backend: the ``sarl_sim`` tabletop world behind the driver.

Why an adapter and not a second simulator: the VLA bridge, the reset
controller and the agent must exercise the same driver code path (envelope,
watchdog, e-stop, counters) in simulation as on the robot; only this class
differs. One ``apply`` is one 5 Hz world step, as the Bridge-style stand-in
VLA was trained on. Rendering, the scene encoding for the stand-in VLA
(``observation/scene``) and the success detector are the simulator's own
functions, never re-implemented here.
"""

from __future__ import annotations

import numpy as np
from sarl_sim.camera import render
from sarl_sim.predicates import All, Predicate
from sarl_sim.scene import encode_scene
from sarl_sim.tasks import Task, get_task
from sarl_sim.world import TabletopWorld

from widowx_driver.arm_backend import ArmBackend, BackendError, SceneControl, SceneInfo

SIM_JOINT_NAMES = ("ee_x", "ee_y", "ee_z", "ee_roll", "ee_pitch", "ee_yaw", "gripper")
"""Virtual joints published on ``joint_states``: the simulated arm is its end-effector pose."""


class SimBackend(ArmBackend, SceneControl):
    """A task of the sarl_sim suite laid out for a seed; the arm starts at home."""

    def __init__(self, task_name: str, seed: int) -> None:
        self._task_name = task_name
        self._seed = seed
        self._task: Task | None = None
        self._world: TabletopWorld | None = None

    def connect(self) -> None:
        try:
            self.reset_scene(self._task_name, self._seed)
        except ValueError as error:
            raise BackendError(f"task_name: {error}") from error

    def state(self) -> np.ndarray:
        return self._live_world().state()

    def joint_state(self) -> tuple[list[str], np.ndarray]:
        return list(SIM_JOINT_NAMES), self._live_world().state()

    def apply(self, delta: np.ndarray) -> bool:
        self._live_world().step(np.asarray(delta, dtype=float))
        return True

    def hold(self) -> None:
        """Nothing to do: the simulated world only moves when it is stepped."""

    def camera_frame(self) -> np.ndarray | None:
        return render(self._live_world())

    def close(self) -> None:
        self._world = None

    # ------------------------------------------------------------ SceneControl
    def reset_scene(self, task_name: str, seed: int) -> SceneInfo:
        task = get_task(task_name) if task_name else self._live_task()
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        self._world = task.build(np.random.default_rng(seed))
        self._task, self._task_name, self._seed = task, task.name, seed
        return SceneInfo(task.name, task.instruction, tuple(obj.name for obj in self._world.objects))

    def evaluate_task(self) -> tuple[bool, str]:
        world, task = self._live_world(), self._live_task()
        success = bool(task.success(world))
        return success, _describe(task.success, world)

    def scene_array(self) -> np.ndarray:
        return encode_scene(self._live_world())

    # ---------------------------------------------------------------- internals
    def _live_world(self) -> TabletopWorld:
        if self._world is None:
            raise BackendError("the simulator backend is not connected; configure the driver first")
        return self._world

    def _live_task(self) -> Task:
        if self._task is None:
            raise BackendError("the simulator backend is not connected; configure the driver first")
        return self._task


def _describe(predicate: Predicate, world: TabletopWorld) -> str:
    """``On(hammer, plate): yes; Holding(mushroom): no`` — which sub-goals hold now."""
    parts = predicate.parts if isinstance(predicate, All) else (predicate,)
    return "; ".join(f"{part}: {'yes' if part(world) else 'no'}" for part in parts)
