"""Runs method x task x seed on the simulator and records learning curves.

One run = one fresh agent trained online for ``episodes`` episodes of one
task, with a greedy evaluation (no learning) after every ``eval_every``
training episodes (and before the first) on ``eval_episodes`` held-out
layouts. The episode loop is the ROS agent node's own
:class:`~sarl_agent.episode.runner.EpisodeRunner`; only the robot differs
(:class:`~sarl_eval.sim_robot.SimSemanticRobot`, in process).

Layouts: training episode ``e`` of run seed ``s`` uses layout
``TRAIN_SEEDS + s * SEED_STRIDE + e``; evaluation uses the fixed set
``EVAL_SEEDS + s * SEED_STRIDE + k`` (k < eval_episodes) at every evaluation
point — never seen in training, and the same at each point so a curve's
changes come from learning, not from resampled layouts.

Proposers (same for every method of a run set):

* ``vlm`` (default) — :class:`~sarl_eval.vlm_standin.StandinVlmProposer`:
  a VLM stand-in that reads the instruction and a noisy, partial detection of
  the table, words its steps anew on every call and errs at the rates of
  ``vlm_quality`` (:mod:`~sarl_eval.vlm_quality`);
* ``oracle`` — :class:`~sarl_eval.scene_proposer.SceneAwareProposer`: reads the
  simulator's support and held flags and the instruction's open sub-goals, and
  always offers the VLA's own nouns. An upper bound, not a VLM;
* ``all`` — the task's whole offline candidate list at every step.

All sit behind the prompt-cache rule (:class:`~sarl_agent.proposer.CachedProposer`)
on the agent's own cache, as in the ROS graph. The training and the evaluation
proposer are seeded apart (``2 * seed`` and ``2 * seed + 1``).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from sarl_agent.episode.runner import EpisodeRunner, RunnerConfig
from sarl_agent.proposer.cached import CachedProposer
from sarl_agent.proposer.offline import OfflineProposer
from sarl_sim.semantic_env import SemanticEnv
from sarl_sim.standin_vla import StandinVLA
from sarl_sim.tasks import get_task

from .embeddings import eval_embedder
from .methods import build_agent, get_method
from .scene_proposer import SceneAwareProposer
from .sim_robot import SimSemanticRobot
from .vlm_quality import DEFAULT_QUALITY, vlm_quality
from .vlm_standin import StandinVlmProposer

TRAIN_SEEDS = 0
EVAL_SEEDS = 50_000_000
SEED_STRIDE = 100_000
"""Layout seeds per run seed; episodes and evaluation layouts must stay below it."""
PROPOSERS = ("vlm", "oracle", "all")
DEFAULT_MAX_STEPS = 10
"""Semantic steps per episode: the longest reference plan in the suite (7 prompts) and 3 to spare. With 8,
random prompting finished banana_pot_sushi_bowl in 15 of 1000 episodes, with 10 in 45 of 1000; SARL
needs a few such successes before it has anything to learn from."""


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines one run (a run is reproducible from this alone)."""

    method: str
    task: str
    seed: int
    episodes: int = 100
    """Online training episodes."""
    eval_every: int = 10
    """Training episodes between greedy evaluations (0 = evaluate only at the start and the end)."""
    eval_episodes: int = 10
    """Held-out layouts per evaluation."""
    max_steps: int = DEFAULT_MAX_STEPS
    """Semantic steps per episode (see :data:`DEFAULT_MAX_STEPS`)."""
    steps_per_prompt: int = 20
    """5 Hz control steps the VLA runs per prompt."""
    max_candidates: int = 12
    """Most prompts the vlm or oracle proposer may offer per state ('all' always offers its whole list)."""
    proposer: str = "vlm"
    """'vlm', 'oracle' or 'all' (see the module docstring)."""
    vlm_quality: str = DEFAULT_QUALITY
    """The stand-in VLM's quality, a preset name or a number in [0, 1] as text (proposer 'vlm' only)."""
    learning: Mapping[str, Any] = field(default_factory=dict)
    """Base SARL learning config (method overrides go on top)."""
    gemini: Mapping[str, Any] = field(default_factory=dict)
    """icl_gemini only: GeminiSettings fields from ``sarl eval --gemini-*`` ({} = defaults; never the key)."""

    def __post_init__(self) -> None:
        get_method(self.method)
        get_task(self.task)
        if self.proposer not in PROPOSERS:
            raise ValueError(f"proposer must be one of {PROPOSERS}, got {self.proposer!r}")
        vlm_quality(self.vlm_quality)  # ValueError names the allowed settings
        if not 0 <= self.seed < 1000:
            raise ValueError(f"seed must be in [0, 1000), got {self.seed}")
        if not 1 <= self.episodes < SEED_STRIDE or not 1 <= self.eval_episodes < SEED_STRIDE:
            raise ValueError(f"episodes and eval_episodes must be in [1, {SEED_STRIDE})")
        if self.eval_every < 0:
            raise ValueError(f"eval_every must be >= 0, got {self.eval_every}")

    @property
    def key(self) -> str:
        """File-name-safe identity of the run."""
        return f"{self.method}__{self.task}__s{self.seed}"

    def eval_points(self) -> list[int]:
        """Training-episode counts after which the policy is evaluated."""
        step = self.eval_every or self.episodes
        return sorted({0, *range(step, self.episodes + 1, step), self.episodes})


@dataclass
class RunResult:
    """A run's learning curve and bookkeeping (JSON-serialisable via ``asdict``)."""

    spec: dict[str, Any]
    eval_points: list[int]
    """Training episodes completed at each evaluation."""
    eval_success: list[float]
    """Greedy success rate on the held-out layouts at each evaluation point."""
    train_success: list[bool]
    """Outcome of each training episode (the behaviour policy, exploring)."""
    train_steps: int
    cache_size: int
    """Prompts in the cache at the end, including reset-to-home."""
    cache_full: bool
    """Whether the cache filled up (from then on the proposer could only select cached prompts)."""
    seconds: float
    final_greedy_prompts: list[list[str]] = field(default_factory=list)
    """Prompts of the last evaluation's first few episodes (what the method ended up saying)."""

    @property
    def final_success(self) -> float:
        return self.eval_success[-1]


@lru_cache(maxsize=1)
def _policy() -> StandinVLA:
    """One stand-in VLA per process (stateless apart from its prompt memo)."""
    return StandinVLA(embedder=eval_embedder())


def _robot(spec: RunSpec, cache, layout_seed: int, proposer_seed: int) -> SimSemanticRobot:
    task = get_task(spec.task)
    env = SemanticEnv(task, policy=_policy())
    if spec.proposer == "vlm":
        backend = StandinVlmProposer(lambda: env.world, quality=spec.vlm_quality, seed=proposer_seed)
        count = spec.max_candidates
    elif spec.proposer == "oracle":
        backend = SceneAwareProposer(lambda: env.world, pool=task.candidates, seed=proposer_seed)
        count = spec.max_candidates
    else:
        backend = OfflineProposer.from_sim_task(task.name)
        count = len(backend.candidates(task.instruction))
    return SimSemanticRobot(env, CachedProposer(backend, cache), seed=layout_seed,
                            steps_per_prompt=spec.steps_per_prompt, max_candidates=count,
                            with_images=get_method(spec.method).kind == "icl_gemini")


def run(spec: RunSpec) -> RunResult:
    """Train one agent online and evaluate it greedily at the spec's evaluation points."""
    started = time.monotonic()
    method = get_method(spec.method)
    task = get_task(spec.task)
    agent = build_agent(method, task.instruction, spec.seed, spec.learning, spec.gemini)
    sees = method.kind == "icl_gemini"  # the real VLM is shown the camera frame; the other methods use none
    config = RunnerConfig(max_steps=spec.max_steps, stop_on_success=True,
                          offer_reset_to_home=method.offer_reset_to_home, use_images=sees)
    base = spec.seed * SEED_STRIDE
    trainer = EpisodeRunner(agent, _robot(spec, agent.cache, TRAIN_SEEDS + base, 2 * spec.seed), config)
    evaluator = EpisodeRunner(agent, _robot(spec, agent.cache, EVAL_SEEDS + base, 2 * spec.seed + 1), config)

    points = spec.eval_points()
    eval_success: list[float] = []
    train_success: list[bool] = []
    train_steps = 0
    last_prompts: list[list[str]] = []

    def evaluate() -> None:
        """Greedy episodes on held-out layouts; what they admitted to the shared cache is forgotten after,
        so evaluating never changes the prompt ids training sees."""
        nonlocal last_prompts
        known = len(agent.cache)
        results = [evaluator.run_episode(k, greedy=True) for k in range(spec.eval_episodes)]
        agent.cache.forget_after(known)
        eval_success.append(float(np.mean([r.success for r in results])))
        last_prompts = [r.prompts for r in results[:3]]

    for episode in range(spec.episodes + 1):
        if episode in points:
            evaluate()
        if episode == spec.episodes:
            break
        result = trainer.run_episode(episode, greedy=False)
        trainer.learn(result)
        train_success.append(result.success)
        train_steps += len(result.steps)
    return RunResult(spec=asdict(spec), eval_points=points, eval_success=eval_success,
                     train_success=train_success, train_steps=train_steps, cache_size=len(agent.cache),
                     cache_full=agent.cache.is_full, seconds=time.monotonic() - started,
                     final_greedy_prompts=last_prompts)


def _worker_init() -> None:
    import torch

    torch.set_num_threads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _run_indexed(item: tuple[int, RunSpec]) -> tuple[int, RunResult]:
    index, spec = item
    return index, run(spec)


def run_all(specs: Iterable[RunSpec], workers: int = 1,
            on_result: Callable[[int, RunSpec, RunResult], None] | None = None) -> list[RunResult]:
    """Run every spec, ``workers`` processes at a time (1 = in this process); results in spec order.

    ``on_result(index, spec, result)`` is called as each run finishes (in completion order).
    """
    specs = list(specs)
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    results: list[RunResult | None] = [None] * len(specs)
    for index, result in _iterate(specs, workers):
        results[index] = result
        if on_result is not None:
            on_result(index, specs[index], result)
    return [r for r in results if r is not None]


def _iterate(specs: list[RunSpec], workers: int) -> Iterator[tuple[int, RunResult]]:
    if workers == 1 or len(specs) <= 1:
        _worker_init()
        for item in enumerate(specs):
            yield _run_indexed(item)
        return
    # Longest runs first (SARL learns, baselines do not), so the pool does not end on one straggler.
    order = sorted(enumerate(specs), key=lambda item: not get_method(item[1].method).learns)
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(workers, len(specs)), initializer=_worker_init, maxtasksperchild=None) as pool:
        yield from pool.imap_unordered(_run_indexed, order, chunksize=1)
