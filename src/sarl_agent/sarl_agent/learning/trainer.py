"""``SarlAgentCore``: the learning agent the ROS node and the evaluation harness call.

It owns the prompt cache, the online and target Q-networks, the optimiser,
the replay buffer, the random generators and the counters, and exposes four
verbs: ``act`` (choose a prompt among candidates), ``observe`` (store a
transition, learn online at the configured UTD), ``train_offline`` (learn
from a recorded iterable, e.g. a bag) and ``save_checkpoint`` /
``load_checkpoint`` (bit-exact resume).

Nothing here knows about ROS, threads or wall-clock time; callers serialise
access (the node calls it from one callback group). The core does not touch
process-wide torch settings; a process running it should usually call
``torch.set_num_threads(1)``: these networks are small, and on a busy
2-core machine OpenMP spin-waiting made updates ~10x slower in measurements.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from .checkpoint import read_checkpoint, write_checkpoint
from .config import SarlConfig
from .encoders import build_encoder
from .novelty import NoveltyBonus
from .observation import Observation, ObservationSpec
from .policy import Decision, TemperatureSchedule, candidate_mask, choose
from .prompt_cache import PromptCache
from .q_network import SemanticQNetwork
from .replay_buffer import ReplayBatch, ReplayBuffer
from .seeding import RngBundle, seeded_torch
from .td_target import state_value, td_target
from .transition import SemanticTransition

ProgressCallback = Callable[[int, dict[str, float]], None]
"""Called as ``progress(update_index, metrics)`` after each offline update."""


class SarlAgentCore:
    """Semantic Q-learning agent over cached prompt ids."""

    def __init__(self, config: SarlConfig, cache: PromptCache | None = None) -> None:
        if not isinstance(config, SarlConfig):
            raise TypeError(f"config must be a SarlConfig, got {type(config).__name__}")
        if cache is None:
            cache = PromptCache(config.cache_capacity)
        elif cache.capacity != config.cache_capacity:
            raise ValueError(f"prompt cache capacity {cache.capacity} != cache_capacity {config.cache_capacity}")
        self._config = config
        self._cache = cache
        self._spec = ObservationSpec(
            max_steps=config.encoder.max_steps,
            num_prompts=config.cache_capacity,
            image_size=config.encoder.image_size if config.uses_image else None,
        )
        self._rngs = RngBundle.from_seed(config.seed)
        with seeded_torch(config.seed):
            encoder = build_encoder(config.encoder, config.cache_capacity)
            self._q = SemanticQNetwork(encoder, config.cache_capacity, config.q)
        self._target = copy.deepcopy(self._q).requires_grad_(False)
        self._online_params = list(self._q.parameters())
        self._target_params = list(self._target.parameters())
        self._optimizer = torch.optim.Adam(self._q.parameters(), lr=config.td.lr, fused=True)
        self._replay = ReplayBuffer(config.replay.capacity, self._spec)
        self._novelty = NoveltyBonus(config.cache_capacity, config.policy.novelty_bonus)
        self._schedule = TemperatureSchedule(config.policy)
        self._env_steps = 0
        self._episodes = 0
        self._updates = 0
        self._update_credit = 0.0

    # ----------------------------------------------------------------- state
    @property
    def config(self) -> SarlConfig:
        return self._config

    @property
    def cache(self) -> PromptCache:
        return self._cache

    @property
    def replay(self) -> ReplayBuffer:
        return self._replay

    @property
    def q_network(self) -> SemanticQNetwork:
        return self._q

    @property
    def target_network(self) -> SemanticQNetwork:
        return self._target

    @property
    def novelty(self) -> NoveltyBonus:
        return self._novelty

    @property
    def counters(self) -> dict[str, int]:
        """Online environment steps, completed online episodes, gradient updates."""
        return {"env_steps": self._env_steps, "episodes": self._episodes, "updates": self._updates}

    @property
    def temperature(self) -> float:
        """Current policy temperature (the schedule advances with completed online episodes)."""
        return self._schedule.at(self._episodes)

    # ------------------------------------------------------------------ acting
    def q_values(self, obs: Observation) -> np.ndarray:
        """Ensemble-mean Q of every cache id in ``obs`` (float64, (cache_capacity,))."""
        batch = self._spec.batch([obs])
        with torch.inference_mode():
            q = self._q(batch).mean(dim=0)[0]
        return q.double().numpy()

    def act(self, obs: Observation, candidates: Sequence[int], greedy: bool = False) -> Decision:
        """Choose a prompt id among ``candidates``.

        Behaviour (``greedy=False``): a softmax((Q + novelty bonus)/tau) sample from the training generator.
        Evaluation (``greedy=True``): arg-max Q, ties broken with the evaluation generator, so evaluating
        never moves the training generator. Candidates must be admitted cache ids, distinct, non-empty.
        """
        mask = candidate_mask(candidates, self._config.cache_capacity)
        ids = np.flatnonzero(mask)
        if ids.max() >= len(self._cache):
            raise ValueError(
                f"candidate ids must be admitted in the prompt cache (< {len(self._cache)}), got {list(candidates)}"
            )
        order = np.asarray(candidates, dtype=np.int64)
        q_candidates = self.q_values(obs)[order]
        temperature = self.temperature
        if greedy:
            bonus = np.zeros_like(q_candidates)
            index, probabilities = choose(q_candidates, temperature, self._rngs.evaluation_generator, greedy=True)
        else:
            bonus = self._novelty.bonus(order)
            index, probabilities = choose(q_candidates + bonus, temperature, self._rngs.numpy_generator, greedy=False)
        return Decision(
            action=int(order[index]),
            index=index,
            q_values=q_candidates,
            probabilities=probabilities,
            temperature=temperature,
            greedy=greedy,
            novelty_bonus=bonus,
        )

    # ---------------------------------------------------------------- learning
    def observe(self, transition: SemanticTransition) -> dict[str, float]:
        """Add an online transition; once replay holds ``td.min_replay``, run ``td.utd`` updates per call.

        Returns the mean metrics of the updates run (empty of ``train/td_loss`` if none ran).
        """
        self._remember(transition)
        self._env_steps += 1
        if transition.ends_episode:
            self._episodes += 1
        td = self._config.td
        metrics: list[dict[str, float]] = []
        if len(self._replay) >= td.min_replay:
            self._update_credit += td.utd
            while self._update_credit >= 1.0:
                self._update_credit -= 1.0
                metrics.append(self.update())
        summary = _mean_metrics(metrics)
        summary["train/replay_size"] = float(len(self._replay))
        summary["train/temperature"] = self.temperature
        summary["train/updates"] = float(self._updates)
        return summary

    def train_offline(
        self,
        transitions: Iterable[SemanticTransition],
        num_updates: int,
        progress: ProgressCallback | None = None,
    ) -> list[dict[str, float]]:
        """Add all ``transitions`` to replay (no online counters move), then run ``num_updates`` updates.

        Returns the metrics of every update, in order.
        """
        if isinstance(num_updates, bool) or not isinstance(num_updates, int) or num_updates < 0:
            raise ValueError(f"num_updates must be an integer >= 0, got {num_updates!r}")
        for transition in transitions:
            self._remember(transition)
        if num_updates and len(self._replay) == 0:
            raise ValueError("train_offline got no transitions and the replay buffer is empty")
        history = []
        for i in range(num_updates):
            metrics = self.update()
            history.append(metrics)
            if progress is not None:
                progress(i, metrics)
        return history

    def _remember(self, transition: SemanticTransition) -> None:
        """Store a transition to learn from; its prompt now counts as tried (the novelty bonus decays)."""
        self._replay.add(transition)
        self._novelty.record(transition.action)

    def update(self) -> dict[str, float]:
        """One TD gradient step on a replay batch; returns ``train/*`` metrics."""
        td = self._config.td
        batch = self._replay.sample(td.batch_size, self._rngs.numpy_generator)
        target = self._td_target(batch)
        q_all = self._q(batch.obs)
        q_taken = q_all.gather(2, batch.action.view(1, -1, 1).expand(q_all.shape[0], -1, 1)).squeeze(2)
        per_head = nn.functional.huber_loss(q_taken, target.expand_as(q_taken), delta=td.huber_delta, reduction="none")
        loss = per_head.mean(dim=1).sum()
        self._optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = nn.utils.clip_grad_norm_(self._q.parameters(), td.grad_clip_norm)
        self._optimizer.step()
        self._updates += 1
        self._update_target()
        return {
            "train/td_loss": float(per_head.detach().mean()),
            "train/q_mean": float(q_taken.detach().mean()),
            "train/target_mean": float(target.mean()),
            "train/grad_norm": float(grad_norm),
        }

    def _td_target(self, batch: ReplayBatch) -> torch.Tensor:
        """r + gamma * V_target(s') over candidates(s'), heads reduced per prompt first (min = pessimistic)."""
        td = self._config.td
        with torch.no_grad():
            next_q = self._target(batch.next_obs)
            next_q = next_q.min(dim=0).values if self._config.q.target_reduce == "min" else next_q.mean(dim=0)
            temperature = td.value_temperature if td.value_temperature is not None else self.temperature
            next_value = state_value(next_q, batch.next_candidate_mask, temperature, td.value)
            return td_target(batch.reward, next_value, batch.terminal, td.gamma)

    def _update_target(self) -> None:
        td = self._config.td
        with torch.no_grad():
            if td.target_update == "polyak":
                torch._foreach_lerp_(self._target_params, self._online_params, td.polyak_tau)
            elif self._updates % td.target_period == 0:
                self._target.load_state_dict(self._q.state_dict())

    # ------------------------------------------------------------- persistence
    def save_checkpoint(self, path: str | os.PathLike[str], include_replay: bool = True) -> None:
        """Atomically write everything a bit-exact resume needs: networks, optimiser, cache, counters,
        novelty counts, every random generator and the replay buffer.

        ``include_replay=False`` writes a small checkpoint for evaluation or sharing; resuming from it
        restarts learning with an empty buffer, so it is not an exact resume.
        """
        write_checkpoint(
            path,
            {
                "config": self._config.to_dict(),
                "cache": self._cache.to_dict(),
                "q_network": self._q.state_dict(),
                "target_network": self._target.state_dict(),
                "optimizer": self._optimizer.state_dict(),
                "counters": {**self.counters, "update_credit": self._update_credit},
                "novelty": self._novelty.state_dict(),
                "rng": self._rngs.state_dict(),
                "replay": self._replay.state_dict() if include_replay else None,
            },
        )

    @classmethod
    def load_checkpoint(cls, path: str | os.PathLike[str]) -> SarlAgentCore:
        """Rebuild an agent from ``save_checkpoint`` output (replay restored if it was included).

        A version-1 checkpoint (before novelty counts and the evaluation generator) loads with zero counts
        and a freshly seeded evaluation generator.
        """
        payload = read_checkpoint(path)
        agent = cls(SarlConfig.from_dict(payload["config"]), PromptCache.from_dict(payload["cache"]))
        agent._q.load_state_dict(payload["q_network"])
        agent._target.load_state_dict(payload["target_network"])
        agent._optimizer.load_state_dict(payload["optimizer"])
        counters: dict[str, Any] = payload["counters"]
        agent._env_steps = int(counters["env_steps"])
        agent._episodes = int(counters["episodes"])
        agent._updates = int(counters["updates"])
        agent._update_credit = float(counters["update_credit"])
        agent._rngs.load_state_dict(payload["rng"])
        if "novelty" in payload:
            agent._novelty.load_state_dict(payload["novelty"])
        if payload["replay"] is not None:
            agent._replay.load_state_dict(payload["replay"])
        return agent


def _mean_metrics(metrics: list[dict[str, float]]) -> dict[str, float]:
    if not metrics:
        return {}
    return {key: float(np.mean([m[key] for m in metrics])) for key in metrics[0]}
