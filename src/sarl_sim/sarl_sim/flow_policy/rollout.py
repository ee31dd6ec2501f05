"""Closed-loop skill rollouts of the pixel stand-in VLA on the physics world (how well it does what it is told).

    python -m sarl_sim.flow_policy.rollout WEIGHTS [--layouts 20] [--first-layout 1000]

For each task scene (layout seeds from ``--first-layout``, held out from training's 0..N-1), picks the
same random item/place pair the demonstrations would, prompts "pick up the <item>" from the start
pose and, if that holds the item, "put it in/on the <place>"; prints the success rate of each skill.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from sarl_sim.physics.arm_control import DeltaArmController
from sarl_sim.physics.expert import placed_in_or_on
from sarl_sim.physics.rendering import CameraRenderer
from sarl_sim.physics.world import PhysicsWorld
from sarl_sim.tasks import TASKS, get_task
from sarl_sim.world import TABLE_Z

from .action_scale import from_unit
from .demos import CAMERA, LIFTED, choose_pair, skill_prompts
from .network import PixelFlowPolicy

MAX_STEPS = 20
"""Control steps per skill (the expert needs 7-12)."""


@dataclass(frozen=True)
class SkillOutcome:
    task: str
    seed: int
    picked: bool
    placed: bool | None
    """None when the pick failed (the place was not tried)."""


def execute(policy: PixelFlowPolicy, prompt_vector: np.ndarray, controller: DeltaArmController,
            renderer: CameraRenderer, steps: int, generator: torch.Generator) -> None:  # fmt: skip
    """Run the policy for ``steps`` commands, a chunk per query, as the VLA bridge does."""
    prompt = torch.from_numpy(prompt_vector[None].astype(np.float32))
    done = 0
    while done < steps:
        image = torch.from_numpy(renderer.render(CAMERA)).permute(2, 0, 1)[None].float() / 255.0
        proprio = torch.from_numpy(np.asarray(controller.state(), dtype=np.float32)[None])
        chunk = from_unit(policy.act(image, proprio, prompt, generator=generator)[0].numpy())
        for action in chunk[: steps - done]:
            controller.apply(action)
            done += 1


def rollout(policy: PixelFlowPolicy, embed: Callable[[list[str]], np.ndarray], task: str, seed: int,
            steps: int = MAX_STEPS) -> SkillOutcome | None:  # fmt: skip
    rng = np.random.default_rng(seed)
    world = PhysicsWorld.from_layout(get_task(task).build(rng))
    pair = choose_pair(world, rng)
    if pair is None:
        return None
    item, destination = pair
    prompts = skill_prompts(world, item, destination)
    vectors = np.asarray(embed(list(prompts)), dtype=np.float32)
    generator = torch.Generator().manual_seed(seed)
    with CameraRenderer(world, policy.config.image_size) as renderer, torch.no_grad():
        controller = DeltaArmController(world)
        execute(policy, vectors[0], controller, renderer, steps, generator)
        picked = bool(world.object_position(item)[2] > TABLE_Z + LIFTED)
        if not picked:
            return SkillOutcome(task, seed, False, None)
        execute(policy, vectors[1], controller, renderer, steps, generator)
        world.settle(0.5)
        return SkillOutcome(task, seed, True, placed_in_or_on(world, item, destination))


def main(argv: list[str] | None = None) -> int:
    from sarl_sim.embedding import default_embedder

    from .train import load

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("weights", type=Path)
    parser.add_argument("--layouts", type=int, default=20)
    parser.add_argument("--first-layout", type=int, default=1000, help="held out: training used 0..layouts-1")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    policy, provenance = load(args.weights)
    print(f"{args.weights}: trained {provenance.get('steps')} steps on {provenance.get('demonstrations')} demos")
    outcomes = [o for task in TASKS for seed in range(args.first_layout, args.first_layout + args.layouts)
                if (o := rollout(policy, default_embedder().embed_many, task, seed)) is not None]  # fmt: skip
    picks = [o.picked for o in outcomes]
    places = [o.placed for o in outcomes if o.placed is not None]
    print(f"pick: {sum(picks)}/{len(picks)} ({np.mean(picks):.0%}); "
          f"place after a good pick: {sum(places)}/{len(places)} ({np.mean(places) if places else 0:.0%})")
    for task in TASKS:
        mine = [o for o in outcomes if o.task == task]
        if mine:
            print(f"  {task:28s} pick {sum(o.picked for o in mine)}/{len(mine)}, "
                  f"place {sum(bool(o.placed) for o in mine)}/{sum(o.placed is not None for o in mine)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
