"""``icl_gemini``: the in-context VLM baseline with the real Gemini backend (opt-in, needs an API key).

The VLM is shown the camera image, the task, this episode's prompts so far and
the outcomes of recent episodes, and must *select* the next prompt from the
offered candidates (the proposer's structured-output ``enum``). No Q-function.
When a call fails for now (timeout, 429, 5xx, malformed) or answers off-list,
the offline :class:`IclVlmAgent` ranking decides, and the fallback is counted.
A permanent error (bad key, forbidden, missing model) stops the run with the
reason: an evaluation of "icl_gemini" that never reached Gemini would be a
mislabelled offline baseline. Never used by default: the evaluation makes no
network calls unless this method is asked for (``sarl eval --methods
icl_gemini --gemini-model ... --gemini-timeout ... --gemini-key-env ...``).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sarl_agent.learning.observation import Observation
from sarl_agent.learning.policy import Decision
from sarl_agent.learning.prompt_cache import PromptCache, normalize
from sarl_agent.learning.transition import SemanticTransition
from sarl_agent.proposer.errors import PermanentVlmError, ProposerError
from sarl_agent.proposer.gemini import GeminiProposer, GeminiSettings

from .baselines import IclVlmAgent, _one_hot_decision

CONTEXT = "{task}\nEarlier attempts (prompts -> outcome), most recent last:\n{attempts}\nChoose the next command."
SETTING_NAMES = ("model", "timeout", "api_key_env", "base_url", "thinking_level", "api_version")
"""The GeminiSettings fields ``sarl eval`` may set for this method."""


def gemini_settings(values: Mapping[str, Any] | None) -> GeminiSettings:
    """GeminiSettings from ``sarl eval``'s options (a ValueError names an unknown or bad one)."""
    values = dict(values or {})
    unknown = sorted(set(values) - set(SETTING_NAMES))
    if unknown:
        raise ValueError(f"unknown icl_gemini settings {unknown}; known: {list(SETTING_NAMES)}")
    return GeminiSettings(**values)


def rgb_to_jpeg(image: np.ndarray | None) -> bytes | None:
    """The camera frame (H, W, 3) RGB uint8 as JPEG bytes for the VLM; None without a frame."""
    if image is None:
        return None
    import cv2

    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(np.asarray(image, dtype=np.uint8), cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError(f"cannot JPEG-encode an image of shape {np.shape(image)}")
    return encoded.tobytes()


class IclGeminiAgent:
    learns = False

    def __init__(self, cache: PromptCache, task: str, settings: GeminiSettings | Mapping[str, Any] | None = None,
                 environ: Mapping[str, str] = os.environ, memory: int = 5) -> None:
        if not isinstance(settings, GeminiSettings):
            settings = gemini_settings(settings)
        self._proposer = GeminiProposer(settings, environ)  # ValueError without a key
        self._fallback = IclVlmAgent(cache, task, memory=memory)
        self._cache = cache
        self._task = task
        self._attempts: deque[str] = deque(maxlen=memory)
        self._episode: list[str] = []
        self.fallbacks = 0
        self.calls = 0

    @property
    def cache(self) -> PromptCache:
        return self._cache

    def act(self, obs: Observation, candidates: Sequence[int], greedy: bool = False) -> Decision:
        texts = [self._cache.prompt_of(c) for c in candidates]
        history = [self._cache.prompt_of(p) for p in obs.history]
        context = CONTEXT.format(task=self._task, attempts="\n".join(self._attempts) or "(none)")
        self.calls += 1
        try:
            answer = self._proposer.propose(context, rgb_to_jpeg(obs.image), history, 1, allowed=texts).prompts
            chosen = normalize(answer[0]) if answer else ""
        except PermanentVlmError as error:
            raise RuntimeError(f"icl_gemini: {error} (permanent: fix the key or --gemini-model)") from None
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
