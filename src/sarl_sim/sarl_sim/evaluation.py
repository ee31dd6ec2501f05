"""Measure the simulator's phenomena: zero-shot rates, plan rates, ungrounded prompts.

Why a module (and a script): the tests assert these numbers with fixed seeds,
and the issue asks for the measured rates in writing; both read them from the
same functions. Run ``python -m sarl_sim.evaluation`` to print them.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from sarl_sim.embedding import DEFAULT_CACHE_PATH, PromptEmbedder
from sarl_sim.policy_net import DEFAULT_WEIGHTS_PATH, NumpyPolicyNet
from sarl_sim.semantic_env import SemanticEnv
from sarl_sim.standin_vla import StandinVLA
from sarl_sim.tasks import PAPER_TASKS, TASKS
from sarl_sim.world import NO_OBJECT

PROMPT_STEPS = 20
"""Control steps per VLA prompt in these measurements (4 s at 5 Hz)."""


def plan_success_rate(
    env: SemanticEnv, plan: Sequence[str], seeds: Sequence[int], max_steps: int = PROMPT_STEPS
) -> float:
    """Fraction of ``seeds`` on which executing ``plan`` in order ends in task success."""
    wins = 0
    for seed in seeds:
        env.reset(seed)
        for prompt in plan:
            env.execute(prompt, max_steps=max_steps)
        wins += env.success()
    return wins / len(seeds)


def zero_shot_rate(env: SemanticEnv, seeds: Sequence[int], repeats: int = 6) -> float:
    """Success rate of the task instruction itself, re-issued ``repeats`` times (20 steps each)."""
    return plan_success_rate(env, [env.task.instruction] * repeats, seeds)


def grasped_objects(env: SemanticEnv, prompt: str, seeds: Sequence[int]) -> Counter:
    """Which object (by name, '' for none) the policy holds after ``prompt`` from a fresh scene."""
    counts: Counter = Counter()
    for seed in seeds:
        env.reset(seed)
        env.execute(prompt, max_steps=PROMPT_STEPS)
        held = env.world.held
        counts["" if held == NO_OBJECT else env.world.objects[held].name] += 1
    return counts


def without_resets(plan: Sequence[str]) -> list[str]:
    """The plan with its reset-to-home steps removed (to show what resets buy)."""
    return [p for p in plan if p != "reset to home"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print the simulator's phenomena rates.")
    parser.add_argument("--trials", type=int, default=50, help="seeds per measurement")
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS_PATH)
    parser.add_argument("--embeddings", type=Path, default=DEFAULT_CACHE_PATH)
    args = parser.parse_args(argv)
    seeds = list(range(args.first_seed, args.first_seed + args.trials))
    policy = StandinVLA(NumpyPolicyNet.load(args.weights), PromptEmbedder(args.embeddings))
    print(f"{'task':24s} {'zero-shot':>9s} {'plan':>6s} {'no-reset':>8s}  reference plan")
    for name, task in TASKS.items():
        env = SemanticEnv(task, policy)
        zero = zero_shot_rate(env, seeds)
        plan = plan_success_rate(env, task.reference_plan, seeds)
        bare = plan_success_rate(env, without_resets(task.reference_plan), seeds)
        mark = "*" if name in PAPER_TASKS else " "
        print(f"{mark}{name:23s} {zero:9.2f} {plan:6.2f} {bare:8.2f}  {' | '.join(task.reference_plan)}")
    print("(* = SARL paper task; zero-shot = instruction issued 6 x 20 steps)")
    for task_name, prompt in (
        ("hammer_plate_mushroom", "pick up the mushroom"),
        ("hammer_plate_mushroom", "grasp the mushroom"),
        ("hammer_plate_mushroom", "pick up the toadstool"),
        ("left_toy_largest_bowl", "pick up the left stuffed toy"),
        ("left_toy_largest_bowl", "pick up the teddy bear on the left"),
        ("pot_lid_to_towel", "pick up the pot lid"),
        ("pot_lid_to_towel", "pick up the lid"),
    ):
        counts = grasped_objects(SemanticEnv(task_name, policy), prompt, seeds)
        shown = ", ".join(f"{k or 'nothing'}: {v}" for k, v in counts.most_common())
        print(f"{task_name}: {prompt!r} -> holding {shown}")


if __name__ == "__main__":
    main()
