"""CPU time per 5 Hz control step of the physics world: physics alone, + IK, + one 96 px render, + policy.

Why these three in one run: the issue's budget (physics + IK + render + policy inference <= 25 ms CPU) is a
ratio against the physics step alone, and only numbers measured in the same process on the same scene are
comparable on a shared machine. ``python -m sarl_sim.physics.benchmark [--steps N] [--size PX]``.
The policy is the flow-matching stand-in (:mod:`sarl_sim.flow_policy`, untrained weights: the cost does not
depend on them), queried on every step (the worst case; a 4-step chunk needs one query per 4 steps).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sarl_sim.physics.arm_control import DeltaArmController
from sarl_sim.physics.rendering import CameraRenderer, RenderUnavailableError
from sarl_sim.physics.world import PhysicsWorld
from sarl_sim.tasks import get_task

TASK = "banana_pot_sushi_bowl"
"""The most crowded paper scene (five objects, two containers): the slowest contacts."""


def sweep_deltas(steps: int) -> np.ndarray:
    """A back-and-forth sweep of 2 cm moves so IK always has work and the arm stays in the workspace."""
    deltas = np.zeros((steps, 7))
    deltas[:, 1] = 0.02 * np.sign(np.sin(np.arange(steps) * np.pi / 4 + 0.1))
    deltas[:, 6] = 1.0
    return deltas


def measure(steps: int, size: int) -> dict[str, float]:
    """Mean CPU milliseconds per control step of each configuration (same scene, same seed)."""
    results: dict[str, float] = {}
    deltas = sweep_deltas(steps)

    world = PhysicsWorld.from_layout(get_task(TASK).build(np.random.default_rng(0)))
    controller = DeltaArmController(world)
    start = time.process_time()
    for _ in range(steps):
        controller.step_physics()
    results["physics"] = (time.process_time() - start) / steps * 1e3

    world = PhysicsWorld.from_layout(get_task(TASK).build(np.random.default_rng(0)))
    controller = DeltaArmController(world)
    start = time.process_time()
    for delta in deltas:
        controller.state()
        controller.apply(delta)
    results["physics+ik"] = (time.process_time() - start) / steps * 1e3

    world = PhysicsWorld.from_layout(get_task(TASK).build(np.random.default_rng(0)))
    controller = DeltaArmController(world)
    try:
        renderer = CameraRenderer(world, size)
    except RenderUnavailableError as error:
        print(f"render skipped: {error}")
        return results
    with renderer:
        renderer.render("bridge")  # first frame uploads the model to OpenGL
        start = time.process_time()
        for delta in deltas:
            controller.state()
            controller.apply(delta)
            renderer.render("bridge")
        results[f"physics+ik+render{size}"] = (time.process_time() - start) / steps * 1e3
        results[f"physics+ik+render{size}+policy"] = _with_policy(controller, renderer, deltas)
    return results


def _with_policy(controller: DeltaArmController, renderer: CameraRenderer, deltas: np.ndarray) -> float:
    """The previous loop plus one flow-policy query per step on the rendered frame (one torch thread)."""
    import torch

    from sarl_sim.flow_policy.network import PixelFlowPolicy

    torch.set_num_threads(1)  # two intra-op threads contend on a shared 2-core machine
    torch.manual_seed(0)
    policy = PixelFlowPolicy().eval()
    prompt = torch.zeros((1, policy.config.prompt_dim))
    noise = torch.zeros((1, policy.config.horizon, policy.config.action_dim))
    start = time.process_time()
    for delta in deltas:
        pose = controller.state()
        controller.apply(delta)
        frame = renderer.render("bridge")
        image = torch.from_numpy(frame).permute(2, 0, 1)[None].float() / 255.0
        proprio = torch.as_tensor(np.asarray(pose, dtype=np.float32)[: policy.config.proprio_dim])[None]
        policy.act(image, proprio, prompt, noise=noise)
    return (time.process_time() - start) / len(deltas) * 1e3


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50, help="control steps per configuration")
    parser.add_argument("--size", type=int, default=96, help="rendered image side (px)")
    args = parser.parse_args(argv)
    results = measure(args.steps, args.size)
    base = results["physics"]
    print(f"physics world ({TASK}, seed 0), CPU ms per 0.2 s control step, mean of {args.steps}:")
    for name, value in results.items():
        print(f"  {name:<28} {value:7.2f} ms   x{value / base:.2f} of physics alone")


if __name__ == "__main__":
    main()
