"""Prompt cache: stable integer ids for the prompts the VLM proposes.

Why ids: the semantic Q-function scores prompts through a one-hot over a
fixed set, so each prompt needs an index that never changes during
training, across restarts (persisted to JSON) and between the agent node and
offline tools.

Admission rule: the first ``capacity - 1`` distinct *normalised* prompts are
admitted after the reserved ``"reset to home"`` (always id 0). Once the
cache is full, unknown prompts are **refused** (``admit`` returns ``None``)
rather than mapped onto a "nearest" cached prompt, because

* a one-hot Q-function over a fixed set cannot grow without re-initialising
  its output layer, so a new prompt has no Q-value to compare, and
* mapping onto the closest cached prompt would silently change what the
  robot is told: the VLA would execute a different command than the one the
  proposer (and the operator log) shows.

Callers filter refused candidates out; the proposer is expected to select
from ``prompts`` once ``is_full``.
"""

from __future__ import annotations

import json
import operator
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .atomic_file import atomic_open

RESET_TO_HOME = "reset to home"
"""The reset-to-home semantic action (a PID controller, not the VLA, executes it); always id 0."""
RESET_TO_HOME_ID = 0
_FORMAT = "sarl_prompt_cache"
_VERSION = 1
_WHITESPACE = re.compile(r"\s+")
_TRAILING_PUNCTUATION = ".!?,;:"


def normalize(text: str) -> str:
    """Canonical form used for identity: stripped, single spaces, lowercase, no trailing punctuation.

    ``"  Pick up  the Banana. "`` and ``"pick up the banana"`` are the same prompt.
    """
    if not isinstance(text, str):
        raise TypeError(f"prompt must be a str, got {type(text).__name__}")
    return _WHITESPACE.sub(" ", text).strip().lower().rstrip(_TRAILING_PUNCTUATION).rstrip()


class PromptCache:
    """Fixed-capacity, append-only mapping prompt <-> id, with reset-to-home at id 0."""

    def __init__(self, capacity: int, prompts: Iterable[str] = ()) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 2:
            raise ValueError(f"cache capacity must be an integer >= 2 (reset-to-home plus prompts), got {capacity!r}")
        self._capacity = capacity
        self._prompts: list[str] = [RESET_TO_HOME]
        self._ids: dict[str, int] = {RESET_TO_HOME: RESET_TO_HOME_ID}
        for prompt in prompts:
            if self.admit(prompt) is None:
                raise ValueError(f"more prompts than cache capacity {capacity}")

    @property
    def capacity(self) -> int:
        """Total ids including reset-to-home (= the Q-network's output size)."""
        return self._capacity

    @property
    def is_full(self) -> bool:
        return len(self._prompts) >= self._capacity

    @property
    def prompts(self) -> tuple[str, ...]:
        """Normalised prompts in id order."""
        return tuple(self._prompts)

    def __len__(self) -> int:
        return len(self._prompts)

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and normalize(text) in self._ids

    def admit(self, text: str) -> int | None:
        """Id of ``text``, admitting it if new and there is room; ``None`` if the cache is full."""
        key = normalize(text)
        if not key:
            raise ValueError(f"prompt {text!r} is empty after normalisation")
        known = self._ids.get(key)
        if known is not None:
            return known
        if self.is_full:
            return None
        new_id = len(self._prompts)
        self._prompts.append(key)
        self._ids[key] = new_id
        return new_id

    def forget_after(self, size: int) -> None:
        """Drop the prompts admitted after the cache held ``size`` (undoes what a measurement admitted).

        Safe only while nothing learned from the dropped ids: a greedy evaluation that shares the training
        agent's cache admits the prompts it meets, which would otherwise shift every later prompt's id.
        """
        if not 1 <= size <= len(self._prompts):
            raise ValueError(f"size must be in [1, {len(self._prompts)}], got {size}")
        for prompt in self._prompts[size:]:
            del self._ids[prompt]
        del self._prompts[size:]

    def id_of(self, text: str) -> int | None:
        """Id of an already admitted prompt, or ``None`` (never admits)."""
        return self._ids.get(normalize(text))

    def prompt_of(self, prompt_id: int) -> str:
        """Normalised prompt text for an id."""
        try:
            index = operator.index(prompt_id) if not isinstance(prompt_id, bool) else -1
        except TypeError:
            index = -1
        if not 0 <= index < len(self._prompts):
            raise ValueError(f"prompt id must be an admitted id in [0, {len(self._prompts)}), got {prompt_id!r}")
        return self._prompts[index]

    def to_dict(self) -> dict[str, Any]:
        return {"format": _FORMAT, "version": _VERSION, "capacity": self._capacity, "prompts": list(self._prompts)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PromptCache:
        """Rebuild exactly (same ids); refuses anything that would renumber prompts."""
        if not isinstance(data, Mapping) or data.get("format") != _FORMAT:
            raise ValueError(f"not a prompt cache (expected format {_FORMAT!r})")
        if data.get("version") != _VERSION:
            raise ValueError(f"prompt cache version {data.get('version')!r} is not supported (expected {_VERSION})")
        prompts = data.get("prompts")
        if not isinstance(prompts, list) or not prompts or prompts[0] != RESET_TO_HOME:
            raise ValueError(f"prompt cache must list prompts with {RESET_TO_HOME!r} first")
        normalised = [normalize(p) for p in prompts]
        if normalised != prompts or len(set(prompts)) != len(prompts):
            raise ValueError("prompt cache prompts must be distinct and already normalised (ids would change)")
        cache = cls(int(data["capacity"]))
        if len(prompts) > cache.capacity:
            raise ValueError(f"prompt cache lists {len(prompts)} prompts but capacity is {cache.capacity}")
        for prompt in prompts[1:]:
            cache.admit(prompt)
        return cache

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write JSON atomically (a crash mid-save leaves the previous file intact)."""
        with atomic_open(path, "w") as handle:
            json.dump(self.to_dict(), handle, indent=2)
            handle.write("\n")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PromptCache:
        with open(path, encoding="utf-8") as handle:
            return cls.from_dict(json.load(handle))

    def __repr__(self) -> str:
        return f"PromptCache(capacity={self._capacity}, size={len(self)})"
