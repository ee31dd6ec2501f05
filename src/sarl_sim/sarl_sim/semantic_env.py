"""ROS-free semantic-step environment: one step = one prompt run by the VLA.

This is the Semantic MDP of SARL on the simulator: ``execute(prompt)`` hands
the prompt to the stand-in VLA, which controls the arm for up to ``max_steps``
5 Hz steps with action chunking (query the policy, run the first
``replan_steps`` actions of its ``horizon``-long chunk, query again).
``"reset to home"`` is not a VLA prompt: it runs the homing law of
:mod:`reset_controller.homing` (the PID of :mod:`reset_controller.pid` plus
when-home-is-reached and the gripper rule), the same law the real reset
controller node runs.

Used by the evaluation harness and the tests; the ROS stack reaches the same
world and policy through the driver and the openpi server instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from reset_controller.homing import HomingConfig, HomingLaw
from reset_controller.pid import PidGains

from sarl_sim.camera import render
from sarl_sim.prompts import RESET_TO_HOME, normalize_prompt
from sarl_sim.scene import SCENE_KEY, encode_scene
from sarl_sim.standin_vla import IMAGE_KEY, PROMPT_KEY, STATE_KEY, StandinVLA
from sarl_sim.tasks import Task, get_task
from sarl_sim.world import DT, NO_OBJECT, TabletopWorld


@dataclass(frozen=True)
class EnvConfig:
    """Execution settings of the semantic environment."""

    replan_steps: int = 4
    """Actions executed from each chunk before the policy is queried again (<= horizon).

    The default runs whole chunks, like openpi-client's ``ActionChunkBroker``;
    the shipped policy succeeds as well with 1..4 (its chunk labels are the
    expert's open-loop continuation, so chunks are self-consistent)."""
    reset_gains: PidGains = field(default_factory=lambda: PidGains(kp=0.8, ki=0.1, kd=0.0, output_limit=0.04))
    """PID gains of reset-to-home, in metres (radians) per control step."""
    homing: HomingConfig = field(default_factory=HomingConfig)
    """Home pose, tolerances and gripper rule of reset-to-home (held objects are kept)."""
    reset_max_steps: int = 30
    """Control steps after which reset-to-home gives up."""

    def __post_init__(self) -> None:
        if self.replan_steps < 1:
            raise ValueError(f"replan_steps must be >= 1, got {self.replan_steps}")
        if self.reset_max_steps < 1:
            raise ValueError(f"reset_max_steps must be >= 1, got {self.reset_max_steps}")


@dataclass(frozen=True)
class StepResult:
    """Outcome of one semantic step."""

    prompt: str
    """The prompt as given."""
    steps: int
    """Control steps executed."""
    success: bool
    """Whether the task's success predicate holds after the step."""
    holding: str | None
    """Name of the object in the gripper afterwards, if any."""
    state: np.ndarray
    """Proprioceptive state afterwards (7,)."""
    reached_home: bool | None = None
    """For reset-to-home: whether the home pose was reached within tolerance; else None."""


class SemanticEnv:
    """A task of the suite, the simulated world and the stand-in VLA, stepped by prompts."""

    def __init__(self, task: Task | str, policy: StandinVLA | None = None, config: EnvConfig | None = None) -> None:
        self._task = get_task(task) if isinstance(task, str) else task
        self._policy = policy if policy is not None else StandinVLA()
        self._config = config if config is not None else EnvConfig()
        if self._config.replan_steps > self._policy.action_horizon:
            raise ValueError(
                f"replan_steps ({self._config.replan_steps}) exceeds the policy's action horizon "
                f"({self._policy.action_horizon})"
            )
        self._homing = HomingLaw(self._config.reset_gains, self._config.homing, dt=DT)
        self._world: TabletopWorld | None = None

    @property
    def task(self) -> Task:
        return self._task

    @property
    def policy(self) -> StandinVLA:
        return self._policy

    @property
    def world(self) -> TabletopWorld:
        """The underlying world (for drivers, rendering and diagnostics)."""
        if self._world is None:
            raise RuntimeError("call reset(seed) before using the environment")
        return self._world

    def reset(self, seed: int) -> None:
        """Lay out a fresh scene of the task for ``seed``; the arm starts at home."""
        self._world = self._task.build(np.random.default_rng(seed))

    def candidates(self) -> list[str]:
        """Offline candidate prompts of the task (includes ``reset to home``)."""
        return list(self._task.candidates)

    def state(self) -> np.ndarray:
        """Proprioceptive state ``[x, y, z, roll, pitch, yaw, gripper]``."""
        return self.world.state()

    def success(self) -> bool:
        """Whether the task's success predicate holds now."""
        return bool(self._task.success(self.world))

    def render(self) -> np.ndarray:
        """Third-person RGB image (256, 256, 3) uint8."""
        return render(self.world)

    def observation(self, prompt: str, with_image: bool = True) -> dict:
        """openpi-style observation dict of the current state (for the policy server path)."""
        obs = {
            STATE_KEY: self.world.state().astype(np.float32),
            SCENE_KEY: encode_scene(self.world),
            PROMPT_KEY: prompt,
        }
        if with_image:
            obs[IMAGE_KEY] = self.render()
        return obs

    def execute(self, prompt: str, max_steps: int = 20) -> StepResult:
        """Run ``prompt`` for up to ``max_steps`` control steps (``reset to home`` runs the PID)."""
        world = self.world
        if max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        if normalize_prompt(prompt) == RESET_TO_HOME:
            return self.reset_to_home(prompt=prompt)
        code = self._policy.prompt_code(prompt)
        net = self._policy.net
        k = self._config.replan_steps
        steps = 0
        while steps < max_steps:
            chunk = net.act(code, world.ee, encode_scene(world))
            for action in chunk[: min(k, max_steps - steps)]:
                world.step(action)
                steps += 1
        return self._result(prompt, steps)

    def reset_to_home(self, prompt: str = RESET_TO_HOME) -> StepResult:
        """Drive the arm home with the homing law; a held object is kept, an empty gripper opens.

        Bounded by ``EnvConfig.reset_max_steps`` (its own timeout, like the real
        reset action's), not by the ``max_steps`` of a VLA prompt.
        """
        world = self.world
        self._homing.start(world.ee)
        reached = False
        steps = 0
        while steps < self._config.reset_max_steps:
            tick = self._homing.step(world.ee)
            if tick.done:
                reached = True
                break
            world.step(tick.command)
            steps += 1
        else:
            reached = self._homing.step(world.ee).done
        return self._result(prompt, steps, reached_home=reached)

    def _result(self, prompt: str, steps: int, reached_home: bool | None = None) -> StepResult:
        world = self.world
        holding = None if world.held == NO_OBJECT else world.objects[world.held].name
        return StepResult(prompt, steps, self.success(), holding, world.state(), reached_home)
