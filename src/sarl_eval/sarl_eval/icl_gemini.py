"""``icl_gemini``: the in-context VLM baseline with the real Gemini backend (opt-in, needs an API key).

The VLM is shown the task, this episode's prompts so far and the outcomes of
recent episodes, and must *select* the next prompt from the offered
candidates (the proposer's structured-output ``enum``). No Q-function. When
the call fails or answers off-list, the offline :class:`IclVlmAgent` ranking
decides, and the fallback is counted. Never used by default: the evaluation
makes no network calls unless this method is asked for and a key is set.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Mapping, Sequence

from sarl_agent.learning.observation import Observation
from sarl_agent.learning.policy import Decision
from sarl_agent.learning.prompt_cache import PromptCache, normalize
from sarl_agent.learning.transition import SemanticTransition
from sarl_agent.proposer.base import ProposerError
from sarl_agent.proposer.gemini import GeminiProposer, GeminiSettings

from .baselines import IclVlmAgent, _one_hot_decision

CONTEXT = "{task}\nEarlier attempts (prompts -> outcome), most recent last:\n{attempts}\nChoose the next command."


class IclGeminiAgent:
    learns = False

    def __init__(self, cache: PromptCache, task: str, settings: GeminiSettings | None = None,
                 environ: Mapping[str, str] = os.environ, memory: int = 5) -> None:
        self._proposer = GeminiProposer(settings or GeminiSettings(), environ)  # ValueError without a key
        self._fallback = IclVlmAgent(cache, task, memory=memory)
        self._cache = cache
        self._task = task
        self._attempts: deque[str] = deque(maxlen=memory)
        self._episode: list[str] = []
        self.fallbacks = 0

    @property
    def cache(self) -> PromptCache:
        return self._cache

    def act(self, obs: Observation, candidates: Sequence[int], greedy: bool = False) -> Decision:
        texts = [self._cache.prompt_of(c) for c in candidates]
        history = [self._cache.prompt_of(p) for p in obs.history]
        context = CONTEXT.format(task=self._task, attempts="\n".join(self._attempts) or "(none)")
        try:
            answer = self._proposer.propose(context, None, history, 1, allowed=texts).prompts
            chosen = normalize(answer[0]) if answer else ""
        except ProposerError:
            chosen = ""
        if chosen not in texts:
            self.fallbacks += 1
            return self._fallback.act(obs, candidates, greedy)
        return _one_hot_decision(candidates, texts.index(chosen), greedy)

    def observe(self, transition: SemanticTransition) -> dict[str, float]:
        self._fallback.observe(transition)
        self._episode.append(self._cache.prompt_of(transition.action))
        if transition.ends_episode:
            outcome = "SUCCESS" if transition.reward > 0 else "FAILURE"
            self._attempts.append(f"{' | '.join(self._episode)} -> {outcome}")
            self._episode = []
        return {}
