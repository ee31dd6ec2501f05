"""The prompt-cache rule around any backend: admit the first k prompts, then only select from them.

SARL's Q-function scores prompts through a one-hot over the cache, so the
candidate set must stop growing once ``k`` prompts are known
(:mod:`sarl_agent.learning.prompt_cache`). :class:`CachedProposer`

* normalises and admits what the backend proposes while there is room;
* once the cache is full, passes the cached prompts to the backend as the
  only allowed answers and drops anything else it returns;
* retries a failed or useless answer (``retries`` more times), then falls
  back to the cache — or, while the cache is still empty, to the offline
  proposer — and says why in ``Proposal.error``;
* never returns "reset to home" (the agent adds that action itself);
* never raises: an empty ``prompts`` means nothing at all could be produced.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from ..learning.prompt_cache import RESET_TO_HOME, PromptCache, normalize
from .base import PromptProposer, Proposal, ProposerError

MAX_REASON_CHARS = 600
"""Per attempt, so a remote traceback cannot flood the service response."""


def load_cache(capacity: int, cache_file: str | Path | None) -> PromptCache:
    """The cache from ``cache_file`` if it exists (its capacity must match), else an empty one."""
    if cache_file and Path(cache_file).exists():
        cache = PromptCache.load(cache_file)
        if cache.capacity != capacity:
            raise ValueError(
                f"prompt_cache_file {str(cache_file)!r} has capacity {cache.capacity} but parameter "
                f"'cache_capacity' is {capacity}; ids would not match the Q-function's output size"
            )
        return cache
    return PromptCache(capacity)


class CachedProposer(PromptProposer):
    """Applies the cache rule, retries and fallbacks to ``backend``; thread-safe."""

    def __init__(
        self,
        backend: PromptProposer,
        cache: PromptCache,
        *,
        fallback: PromptProposer | None = None,
        retries: int = 1,
        cache_file: str | Path | None = None,
    ) -> None:
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(f"parameter 'retries' must be an integer >= 0, got {retries!r}")
        self._backend = backend
        self._cache = cache
        self._fallback = fallback
        self._retries = retries
        self._cache_file = Path(cache_file) if cache_file else None
        self._lock = threading.Lock()

    @property
    def cache(self) -> PromptCache:
        return self._cache

    def propose(
        self,
        task: str,
        image_jpeg: bytes | None,
        history: Sequence[str],
        max_candidates: int,
        allowed: Sequence[str] | None = None,
    ) -> Proposal:
        """``allowed`` is ignored: the cache decides what is allowed."""
        if max_candidates < 1:
            raise ValueError(f"max_candidates must be >= 1, got {max_candidates}")
        with self._lock:
            selecting = self._cache.is_full
            options = self._cached() if selecting else None
            reasons = []
            for attempt in range(1, self._retries + 2):
                try:
                    answer = self._backend.propose(task, image_jpeg, history, max_candidates, options)
                except ProposerError as exc:
                    reasons.append(f"attempt {attempt}: {str(exc)[:MAX_REASON_CHARS]}")
                    continue
                prompts = self._admit(answer.prompts, max_candidates)
                if prompts:
                    return Proposal(prompts=prompts, from_cache=selecting)
                reasons.append(
                    f"attempt {attempt}: "
                    + ("no proposed prompt is in the full cache" if selecting else "no usable prompt in the output")
                )
            return self._fall_back(task, image_jpeg, history, max_candidates, "; ".join(reasons))

    def _fall_back(
        self, task: str, image_jpeg: bytes | None, history: Sequence[str], count: int, reason: str
    ) -> Proposal:
        cached = self._cached()
        if cached:
            return Proposal(
                prompts=tuple(cached[:count]), from_cache=True, error=f"{reason}; answered from the prompt cache"
            )
        if self._fallback is not None:
            try:
                prompts = self._admit(self._fallback.propose(task, image_jpeg, history, count).prompts, count)
            except ProposerError as exc:
                reason = f"{reason}; offline fallback: {exc}"
            else:
                if prompts:
                    return Proposal(prompts=prompts, error=f"{reason}; answered by the offline proposer")
        return Proposal(prompts=(), error=f"{reason}; no cached or offline prompt to fall back to")

    def _cached(self) -> list[str]:
        return [p for p in self._cache.prompts if p != RESET_TO_HOME]

    def _admit(self, proposed: Sequence[str], count: int) -> tuple[str, ...]:
        """Normalised, distinct, admitted (or already cached) prompts, at most ``count``; persists additions."""
        size_before = len(self._cache)
        kept: dict[str, None] = {}
        for text in proposed:
            if not isinstance(text, str):
                continue
            key = normalize(text)
            if not key or key == RESET_TO_HOME or key in kept:
                continue
            if self._cache.admit(key) is not None:
                kept[key] = None
                if len(kept) == count:
                    break
        if self._cache_file is not None and len(self._cache) != size_before:
            self._cache.save(self._cache_file)
        return tuple(kept)
