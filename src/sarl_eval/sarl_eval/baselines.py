"""Prompt-choosing agents that do not learn a Q-function, and the step-only view of SARL.

Every agent here has the three members the episode loop calls on the
learning core — ``cache``, ``act(obs, candidates, greedy) -> Decision`` and
``observe(transition)`` — so :class:`~sarl_agent.episode.runner.EpisodeRunner`
runs them unchanged, through the same proposer, cache and robot as SARL.

* :class:`ZeroShotAgent` — the task instruction at every step (the base VLA).
* :class:`RandomAgent` — uniform over the offered candidates.
* :class:`IclVlmAgent` — offline stand-in for a VLM choosing the next prompt
  in context: ranks candidates by plausibility (content words shared with the
  task), avoids what it already did this episode and what was in recently
  failed episodes, replays the last successful episode's choice when it is
  offered; no values, no learning beyond that context.
* :class:`StepOnlyAgent` — SARL whose state is reduced to the step index
  (the history and proprio are blanked before the core sees them).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence

import numpy as np
from sarl_agent.learning.observation import PROPRIO_DIM, Observation
from sarl_agent.learning.policy import Decision
from sarl_agent.learning.prompt_cache import RESET_TO_HOME, PromptCache, normalize
from sarl_agent.learning.trainer import SarlAgentCore
from sarl_agent.learning.transition import SemanticTransition

STOP_WORDS = frozenset(
    "a an the it its to in on into onto of and then both with from off up down at by for"
    " pick put move place take grasp grab lift drop open close go let the".split()
)
"""Words that carry no object meaning: articles, prepositions and the skill verbs every prompt shares."""


def content_words(text: str) -> frozenset[str]:
    """Object and attribute words of a prompt ("left", "pot", "banana"), lower case."""
    return frozenset(w for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP_WORDS)


def _one_hot_decision(candidates: Sequence[int], index: int, greedy: bool,
                      scores: Sequence[float] | None = None) -> Decision:
    probabilities = np.zeros(len(candidates))
    probabilities[index] = 1.0
    q = np.asarray(scores, dtype=np.float64) if scores is not None else np.zeros(len(candidates))
    return Decision(action=int(candidates[index]), index=index, q_values=q,
                    probabilities=probabilities, temperature=0.0, greedy=greedy)


class ZeroShotAgent:
    """Always the task instruction: what the base VLA does without SARL."""

    learns = False

    def __init__(self, cache: PromptCache, task: str) -> None:
        self._cache = cache
        self._task = normalize(task)

    @property
    def cache(self) -> PromptCache:
        return self._cache

    def act(self, obs: Observation, candidates: Sequence[int], greedy: bool = False) -> Decision:
        prompts = [self._cache.prompt_of(c) for c in candidates]
        if self._task not in prompts:
            raise ValueError(f"zero_shot needs the task instruction {self._task!r} among the candidates, "
                             f"got {prompts}; use a proposer that always offers it")
        return _one_hot_decision(candidates, prompts.index(self._task), greedy)

    def observe(self, transition: SemanticTransition) -> dict[str, float]:
        return {}


class RandomAgent:
    """Uniform over the candidates (reset-to-home included when offered), seeded.

    Greedy (evaluation) choices draw from a generator of their own, so evaluating never changes the
    choices training makes.
    """

    learns = False

    def __init__(self, cache: PromptCache, seed: int) -> None:
        self._cache = cache
        self._rng = np.random.default_rng(seed)
        self._evaluation_rng = np.random.default_rng([seed, 1])

    @property
    def cache(self) -> PromptCache:
        return self._cache

    def act(self, obs: Observation, candidates: Sequence[int], greedy: bool = False) -> Decision:
        index = int((self._evaluation_rng if greedy else self._rng).integers(len(candidates)))
        uniform = np.full(len(candidates), 1.0 / len(candidates))
        return Decision(action=int(candidates[index]), index=index, q_values=np.zeros(len(candidates)),
                        probabilities=uniform, temperature=float("inf"), greedy=greedy)

    def observe(self, transition: SemanticTransition) -> dict[str, float]:
        return {}


class IclVlmAgent:
    """Deterministic in-context chooser: plausibility ranking plus memory of recent outcomes.

    For each candidate, in order of priority:

    1. it is what the most recent *successful* episode chose at this step
       (a VLM shown that attempt and its outcome would repeat it);
    2. not yet executed in this episode (the VLM sees its own history);
    3. fewer appearances in the last ``memory`` failed episodes;
    4. more content words shared with the task instruction (plausibility);
    5. earlier in the proposer's list.

    The task instruction itself is only chosen when nothing else is offered:
    asked for the *next step*, a VLM does not repeat the whole task.
    """

    learns = False

    def __init__(self, cache: PromptCache, task: str, memory: int = 3) -> None:
        if memory < 0:
            raise ValueError(f"icl memory must be >= 0 episodes, got {memory}")
        self._cache = cache
        self._task = normalize(task)
        self._task_words = content_words(task)
        self._failed: deque[frozenset[int]] = deque(maxlen=memory)
        self._success: tuple[int, ...] = ()
        self._episode: list[int] = []

    @property
    def cache(self) -> PromptCache:
        return self._cache

    def scores(self, obs: Observation, candidates: Sequence[int]) -> list[tuple]:
        """The ranking key of each candidate (larger is better), in candidate order."""
        keys = []
        for position, prompt_id in enumerate(candidates):
            prompt = self._cache.prompt_of(prompt_id)
            replay = obs.step < len(self._success) and self._success[obs.step] == prompt_id
            failures = sum(prompt_id in episode for episode in self._failed)
            fresh = prompt_id not in obs.history
            overlap = 0 if prompt == RESET_TO_HOME else len(content_words(prompt) & self._task_words)
            keys.append((replay, prompt != self._task, fresh, -failures, overlap, -position))
        return keys

    def act(self, obs: Observation, candidates: Sequence[int], greedy: bool = False) -> Decision:
        keys = self.scores(obs, candidates)
        index = max(range(len(candidates)), key=keys.__getitem__)
        plausibility = [float(k[4]) for k in keys]  # logged as its 'Q-values'
        return _one_hot_decision(candidates, index, greedy, plausibility)

    def observe(self, transition: SemanticTransition) -> dict[str, float]:
        self._episode.append(transition.action)
        if transition.ends_episode:
            if transition.reward > 0.0:
                self._success = tuple(self._episode)
            else:
                self._failed.append(frozenset(self._episode))
            self._episode = []
        return {}


def _step_only(obs: Observation) -> Observation:
    return Observation(obs.step, (), np.zeros(PROPRIO_DIM, dtype=np.float32), None)


class StepOnlyAgent:
    """SARL with the state reduced to the semantic step index (ablation).

    The core must be configured with the history encoder only; this wrapper
    blanks history, proprio and image in every observation it acts on and
    learns from, so the Q-function sees nothing but the step.
    """

    learns = True

    def __init__(self, core: SarlAgentCore) -> None:
        if tuple(core.config.encoder.kind) != ("history",):
            raise ValueError(f"sarl_step_only needs encoder.kind ['history'], got {list(core.config.encoder.kind)}")
        self._core = core

    @property
    def cache(self) -> PromptCache:
        return self._core.cache

    @property
    def core(self) -> SarlAgentCore:
        return self._core

    def act(self, obs: Observation, candidates: Sequence[int], greedy: bool = False) -> Decision:
        return self._core.act(_step_only(obs), candidates, greedy)

    def observe(self, transition: SemanticTransition) -> dict[str, float]:
        return self._core.observe(SemanticTransition(
            _step_only(transition.obs), transition.candidates, transition.action, transition.reward,
            _step_only(transition.next_obs), transition.next_candidates, transition.terminal,
            transition.truncated,
        ))
