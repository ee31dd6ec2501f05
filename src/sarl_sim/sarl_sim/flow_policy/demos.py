"""Atomic-skill demonstrations on the physics world: what the pixel stand-in VLA learns from.

Why atomic skills only: the paper's premise is a generalist policy that can "pick up the banana" and
"put it in the pot" but was never shown the long-horizon task; SARL's job is to find the prompt
sequence. The scripted expert may read privileged object poses; what is recorded is only what the
policy will see: the camera frame and the end-effector state before each command, the prompt in the
policy's own (pretraining) words, and the expert's 5 Hz delta command.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sarl_sim.objects import CATALOGUE, ObjectKind
from sarl_sim.physics.arm_control import DeltaArmController
from sarl_sim.physics.expert import PickAndPlaceExpert, placed_in_or_on
from sarl_sim.physics.rendering import CameraRenderer
from sarl_sim.physics.world import PhysicsWorld
from sarl_sim.tasks import get_task
from sarl_sim.world import TABLE_Z

LIFTED = 0.04
"""[m] a picked item counts as held once its base is this far above the table."""
CAMERA = "bridge"
"""The third-person view the policy reads."""


@dataclass(frozen=True)
class SkillDemo:
    prompt: str
    images: np.ndarray
    """(T, S, S, 3) uint8: the frame before each command."""
    proprio: np.ndarray
    """(T, 7) float32: end-effector pose and gripper opening before each command."""
    actions: np.ndarray
    """(T, 7) float32: the expert's delta commands."""
    succeeded: bool


class _Recorder:
    """Stands in for the controller the expert drives: records the frame and state before each command."""

    def __init__(self, controller: DeltaArmController, renderer: CameraRenderer) -> None:
        self._controller, self._renderer = controller, renderer
        self.images: list[np.ndarray] = []
        self.proprio: list[np.ndarray] = []
        self.actions: list[np.ndarray] = []

    def state(self) -> np.ndarray:
        return self._controller.state()

    def apply(self, delta: np.ndarray) -> bool:
        self.images.append(self._renderer.render(CAMERA))
        self.proprio.append(np.asarray(self._controller.state(), dtype=np.float32))
        self.actions.append(np.asarray(delta, dtype=np.float32))
        return self._controller.apply(delta)

    def take(self, prompt: str, succeeded: bool) -> SkillDemo:
        demo = SkillDemo(prompt, np.stack(self.images), np.stack(self.proprio), np.stack(self.actions), succeeded)
        self.images, self.proprio, self.actions = [], [], []
        return demo


def noun(world: PhysicsWorld, name: str) -> str:
    """The policy's own word for an object: its category's first pretraining name."""
    return CATALOGUE[world.object(name).category].pretrain_names[0]


def skill_prompts(world: PhysicsWorld, item: str, destination: str) -> tuple[str, str]:
    preposition = "in" if world.object(destination).kind == ObjectKind.CONTAINER else "on"
    return f"pick up the {noun(world, item)}", f"put it {preposition} the {noun(world, destination)}"


def choose_pair(world: PhysicsWorld, rng: np.random.Generator) -> tuple[str, str] | None:
    """A random graspable item and a container or surface to put it in or on (None if the scene has none)."""
    items = [o.name for o in world.objects if o.kind == ObjectKind.ITEM]
    places = [o.name for o in world.objects if o.kind in (ObjectKind.CONTAINER, ObjectKind.SURFACE)]
    if not items or not places:
        return None
    return str(rng.choice(items)), str(rng.choice(places))


def record_pick_and_place(task_name: str, seed: int, size: int = 64) -> list[SkillDemo]:
    """The two skill demonstrations of one random pick-and-place in a task's scene (layout ``seed``)."""
    rng = np.random.default_rng(seed)
    world = PhysicsWorld.from_layout(get_task(task_name).build(rng))
    pair = choose_pair(world, rng)
    if pair is None:
        return []
    item, destination = pair
    pick_prompt, place_prompt = skill_prompts(world, item, destination)
    with CameraRenderer(world, size) as renderer:
        recorder = _Recorder(DeltaArmController(world), renderer)
        expert = PickAndPlaceExpert(world, recorder)  # type: ignore[arg-type]  # it only calls state / apply
        expert.pick(item)
        picked = recorder.take(pick_prompt, bool(world.object_position(item)[2] > TABLE_Z + LIFTED))
        expert.place(item, destination)
        world.settle(0.5)
        placed = recorder.take(place_prompt, placed_in_or_on(world, item, destination))
    return [picked, placed]


def chunk_targets(actions: np.ndarray, horizon: int) -> np.ndarray:
    """(T, horizon, 7): from each step, the next ``horizon`` commands; past the end, no motion at the last gripper."""
    rest = np.zeros((horizon - 1, actions.shape[1]), dtype=actions.dtype)
    rest[:, 6] = actions[-1, 6]
    padded = np.concatenate([actions, rest])
    return np.stack([padded[t:t + horizon] for t in range(len(actions))])
