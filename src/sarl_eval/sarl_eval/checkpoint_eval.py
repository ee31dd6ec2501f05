"""Greedy success of a saved agent (``checkpoint.pt``) on held-out simulator layouts, without ROS.

Why: a run of the ROS graph and an offline ``replay`` each end in a checkpoint, and the question a user
asks of either is "how often does its greedy policy solve the task?". This answers it the way the
agent node runs an episode (same ``EpisodeRunner``, horizon, prompt budget and reset-to-home offer as
the node's defaults; the task's simulator success detector labels), with the candidate proposer the
sim graph's ``vlm_proposer`` uses by default (``scene``: the scene-aware stand-in for a VLM, as in
``sarl eval``) or ``offline`` (the task's whole candidate list). Layouts start at the evaluation's
held-out seeds, never used for training, so two checkpoints scored with the same arguments face the
same scenes.

    python -m sarl_eval.checkpoint_eval runs/demo/checkpoint.pt runs/replay/checkpoint.pt --episodes 20
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sarl_agent.agent_settings import AgentSettings
from sarl_agent.episode.runner import EpisodeRunner, RunnerConfig
from sarl_agent.learning.trainer import SarlAgentCore
from sarl_agent.proposer.cached import CachedProposer
from sarl_agent.proposer.offline import OfflineProposer
from sarl_sim.semantic_env import SemanticEnv
from sarl_sim.standin_vla import StandinVLA
from sarl_sim.tasks import get_task

from .embeddings import eval_embedder
from .harness import EVAL_SEEDS
from .scene_proposer import SceneAwareProposer
from .sim_robot import SimSemanticRobot

PROPOSERS = ("offline", "scene")
NODE_DEFAULTS = AgentSettings()
MAX_CANDIDATES = {"offline": 32, "scene": 12}
"""Prompts per proposal by default: the offline list is offered whole; the scene proposer as in ``sarl eval``."""


@dataclass(frozen=True)
class GreedyEvaluation:
    """Outcome of each held-out layout under the checkpoint's greedy policy."""

    checkpoint: str
    task: str
    layouts: tuple[int, ...]
    """Layout seed of each episode."""
    successes: tuple[bool, ...]
    prompts: tuple[tuple[str, ...], ...]
    """Prompts chosen in each episode."""

    @property
    def success_rate(self) -> float:
        return float(np.mean(self.successes)) if self.successes else 0.0

    def describe(self) -> str:
        return (f"{self.checkpoint}: greedy success {sum(self.successes)}/{len(self.successes)} "
                f"({self.success_rate:.0%}) on {self.task}, layouts {self.layouts[0]}..{self.layouts[-1]}")


def greedy_success(checkpoint: str | Path, task: str, episodes: int = 20, first_layout: int = EVAL_SEEDS,
                   proposer: str = "scene", max_candidates: int | None = None,
                   max_steps: int = NODE_DEFAULTS.max_semantic_steps,
                   steps_per_prompt: int = NODE_DEFAULTS.steps_per_prompt,
                   offer_reset_to_home: bool = NODE_DEFAULTS.offer_reset_to_home) -> GreedyEvaluation:
    """Run ``episodes`` greedy episodes (layouts ``first_layout + k``) with the agent saved at ``checkpoint``.

    Nothing is learned and nothing is written: the checkpoint file is left as it was.
    """
    if proposer not in PROPOSERS:
        raise ValueError(f"proposer must be one of {PROPOSERS}, got {proposer!r}")
    if episodes < 1:
        raise ValueError(f"episodes must be >= 1, got {episodes}")
    core = SarlAgentCore.load_checkpoint(checkpoint)
    sim_task = get_task(task)
    env = SemanticEnv(sim_task, policy=StandinVLA(embedder=eval_embedder()))
    if proposer == "offline":
        backend = OfflineProposer.from_sim_task(sim_task.name)
    else:  # as the vlm_proposer node's 'scene' backend: the task's prompts are the distractor pool
        backend = SceneAwareProposer(lambda: env.world, pool=sim_task.candidates, seed=first_layout)
    count = max_candidates or MAX_CANDIDATES[proposer]
    uses_image = core.config.uses_image
    robot = SimSemanticRobot(env, CachedProposer(backend, core.cache), seed=first_layout,
                             steps_per_prompt=steps_per_prompt, max_candidates=count, with_images=uses_image)
    runner = EpisodeRunner(core, robot, RunnerConfig(max_steps=max_steps, offer_reset_to_home=offer_reset_to_home,
                                                     use_images=uses_image))
    results = [runner.run_episode(k, greedy=True) for k in range(episodes)]
    return GreedyEvaluation(str(checkpoint), sim_task.name, tuple(first_layout + k for k in range(episodes)),
                            tuple(r.success for r in results), tuple(tuple(r.prompts) for r in results))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="+", type=Path, help="checkpoint.pt files (agent runs, replay)")
    parser.add_argument("--task", default=NODE_DEFAULTS.task_name, help="simulator task (default %(default)s)")
    parser.add_argument("--episodes", type=int, default=20, help="held-out layouts (default %(default)s)")
    parser.add_argument("--first-layout", type=int, default=EVAL_SEEDS, help="seed of the first layout")
    parser.add_argument("--proposer", choices=PROPOSERS, default="scene", help="candidate prompts (default scene)")
    parser.add_argument("--max-candidates", type=int, default=None, help="prompts per proposal (default per proposer)")
    parser.add_argument("--max-steps", type=int, default=NODE_DEFAULTS.max_semantic_steps,
                        help="semantic steps per episode (default %(default)s)")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)  # small networks (see sarl_agent.learning.trainer)
    for checkpoint in args.checkpoints:
        try:
            evaluation = greedy_success(checkpoint, args.task, args.episodes, args.first_layout, args.proposer,
                                        args.max_candidates, args.max_steps)
        except (OSError, ValueError) as error:
            print(f"error: {checkpoint}: {error}", file=sys.stderr)
            return 2
        print(evaluation.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
