"""The prompt-cache rule around any backend: admit the first k prompts, then only select from them.

SARL's Q-function scores prompts through a one-hot over the cache, so the
candidate set must stop growing once ``k`` prompts are known
(:mod:`sarl_agent.learning.prompt_cache`). :class:`CachedProposer`

* screens every proposed prompt with :func:`sarl_prompt.vla_prompt_problem`
  (length in words and characters, control characters, reset-to-home in any
  wording) and logs each rejection with its reason: a rejected prompt is
  neither cached nor returned, so the VLA never receives it;
* normalises and admits what the backend proposes while there is room; once
  the cache is full, passes the cached prompts to the backend as the only
  allowed answers and drops anything else it returns;
* handles failures by class (:mod:`.errors`): a permanent error (bad key,
  forbidden, missing model) is not retried and reports the VLM down; a
  transient one (429, 5xx, timeout) is retried after a capped exponential
  back-off that honours the server's RetryInfo; a malformed answer is asked
  again at once. A circuit breaker stops requests while the VLM keeps failing;
* falls back without ever writing to the cache: to cached prompts ranked for
  the current step (:class:`.step_memory.StepMemory`), or, while the cache is
  empty, to the offline proposer's prompts; ``Proposal.vlm_state`` and
  ``Proposal.error`` say why;
* never raises: an empty ``prompts`` means nothing at all could be produced.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sarl_prompt import vla_prompt_problem

from ..learning.prompt_cache import RESET_TO_HOME, PromptCache, normalize
from .base import PromptProposer, Proposal
from .errors import PermanentVlmError, ProposerError, TransientVlmError
from .resilience import Backoff, CircuitBreaker
from .step_memory import StepMemory

MAX_REASON_CHARS = 600
"""Per attempt, so a remote traceback cannot flood the service response."""
DOWN = "VLM DOWN"
"""Prefix of ``Proposal.error`` while the VLM is down (shown to the operator through the agent's status)."""


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
    """Applies the cache rule, hygiene, retries by error class and fallbacks to ``backend``; thread-safe.

    ``breaker``: given for a remote VLM backend (its absence marks a local backend: ``vlm_state`` 'offline').
    ``permanent_cooldown`` [s]: no request after a permanent error, until one trial request.
    """

    def __init__(
        self,
        backend: PromptProposer,
        cache: PromptCache,
        *,
        fallback: PromptProposer | None = None,
        retries: int = 1,
        cache_file: str | Path | None = None,
        backoff: Backoff | None = None,
        breaker: CircuitBreaker | None = None,
        permanent_cooldown: float = 600.0,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(f"parameter 'retries' must be an integer >= 0, got {retries!r}")
        self._backend = backend
        self._cache = cache
        self._fallback = fallback
        self._retries = retries
        self._cache_file = Path(cache_file) if cache_file else None
        self._backoff = backoff or Backoff()
        self._breaker = breaker
        self._permanent_cooldown = permanent_cooldown
        self._sleep = sleep
        self._log = log or logging.getLogger(__name__).warning
        self._memory = StepMemory()
        self._lock = threading.Lock()
        for prompt in self._cache.prompts[1:]:
            problem = vla_prompt_problem(prompt)
            if problem is not None:  # admitted before the rules existed: its id stays, it is never offered
                self._log(f"cached prompt {prompt[:60]!r} is never offered (ids keep their order): {problem[:160]}")

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
        history = [normalize(h) for h in history if isinstance(h, str)]
        with self._lock:
            self._memory.record(history)
            return self._propose(task, image_jpeg, history, max_candidates)

    def _propose(self, task: str, image_jpeg: bytes | None, history: list[str], count: int) -> Proposal:
        breaker = self._breaker
        if breaker is not None and not breaker.allows():
            reason = f"{DOWN}: {breaker.reason}; no request sent, next try in {breaker.remaining():.0f} s"
            return self._fall_back(task, image_jpeg, history, count, reason, "down")
        selecting = self._cache.is_full
        options = self._cached() if selecting else None
        reasons: list[str] = []
        for attempt in range(1, self._retries + 2):
            try:
                answer = self._backend.propose(task, image_jpeg, history, count, options)
            except PermanentVlmError as exc:
                reason = f"{DOWN}: {str(exc)[:MAX_REASON_CHARS]} (permanent: not retried; fix the key or model)"
                if breaker is not None:
                    breaker.failed(str(exc)[:MAX_REASON_CHARS], hold=self._permanent_cooldown)
                return self._fall_back(task, image_jpeg, history, count, "; ".join([*reasons, reason]), "down")
            except TransientVlmError as exc:
                reasons.append(f"attempt {attempt}: {str(exc)[:MAX_REASON_CHARS]}")
                if attempt > self._retries:
                    break
                wait = self._backoff.delay(attempt, exc.retry_after)
                if wait > self._backoff.cap:  # the server asks for longer than a step may wait: stop asking
                    if breaker is not None:
                        breaker.failed(str(exc)[:MAX_REASON_CHARS], hold=wait)
                    reasons.append(f"server asks to retry after {wait:g} s")
                    break
                self._sleep(wait)
                continue
            except ProposerError as exc:
                reasons.append(f"attempt {attempt}: {str(exc)[:MAX_REASON_CHARS]}")
                continue
            prompts, rejected = self._screen(answer.prompts, count, admit=True)
            if prompts:
                if breaker is not None:
                    breaker.succeeded()
                self._memory.record(history, prompts)
                state = "ok" if breaker is not None else "offline"
                return Proposal(prompts=prompts, from_cache=selecting, vlm_state=state)
            reasons.append(
                f"attempt {attempt}: "
                + ("no proposed prompt is in the full cache" if selecting else "no admissible prompt in the output")
                + (f" ({'; '.join(rejected)})"[:MAX_REASON_CHARS] if rejected else "")
            )
        reason = "; ".join(reasons)
        state = "degraded"
        if breaker is not None:
            breaker.failed(reason[:MAX_REASON_CHARS])
            if breaker.is_open:
                state, reason = "down", f"{DOWN}: {reason}; circuit open, next try in {breaker.remaining():.0f} s"
        return self._fall_back(task, image_jpeg, history, count, reason, state)

    def _fall_back(
        self, task: str, image_jpeg: bytes | None, history: list[str], count: int, reason: str, state: str
    ) -> Proposal:
        """Cached prompts fitting this step, else the offline proposer's; never admits anything."""
        cached = self._cached()
        if cached:
            prompts = self._memory.rank(cached, history, count)
            return Proposal(prompts=prompts, from_cache=True, vlm_state=state,
                            error=f"{reason}; answered from the prompt cache")
        if self._fallback is not None:
            try:
                offered = self._fallback.propose(task, image_jpeg, history, count).prompts
            except ProposerError as exc:
                reason = f"{reason}; offline fallback: {exc}"
            else:
                prompts, _ = self._screen(offered, count, admit=False)
                if prompts:
                    return Proposal(prompts=prompts, vlm_state=state,
                                    error=f"{reason}; answered by the offline proposer (not cached)")
        return Proposal(prompts=(), vlm_state=state, error=f"{reason}; no cached or offline prompt to fall back to")

    def _cached(self) -> list[str]:
        """Cached prompts that may be offered: reset-to-home and anything the rules refuse left out."""
        return [p for p in self._cache.prompts if p != RESET_TO_HOME and vla_prompt_problem(p) is None]

    def _screen(self, proposed: Sequence[object], count: int, *, admit: bool) -> tuple[tuple[str, ...], list[str]]:
        """Admissible, normalised, distinct prompts (at most ``count``) and the rejections, each with its reason.

        ``admit``: add new prompts to the cache (and persist it); otherwise the cache is left untouched.
        """
        size_before = len(self._cache)
        kept: dict[str, None] = {}
        rejected: list[str] = []
        for text in proposed:
            problem = vla_prompt_problem(text)
            if problem is not None:
                shown = repr(text[:60] + ("…" if len(text) > 60 else "")) if isinstance(text, str) else repr(text)
                rejected.append(f"{shown}: {problem[:160]}")
                self._log(f"prompt rejected, not cached and not sent to the VLA: {rejected[-1]}")
                continue
            key = normalize(text)
            if not key or key in kept:
                continue
            if self._cache.is_full and key not in self._cached():
                continue  # selecting: only offerable cached prompts
            known = self._cache.admit(key) if admit else self._cache.id_of(key)
            if known is not None or (not admit and not self._cache.is_full):
                kept[key] = None
                if len(kept) == count:
                    break
        if self._cache_file is not None and len(self._cache) != size_before:
            self._cache.save(self._cache_file)
        return tuple(kept), rejected
