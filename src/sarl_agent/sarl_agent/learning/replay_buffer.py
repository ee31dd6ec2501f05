"""Replay buffer of semantic transitions with preallocated numpy storage.

Why preallocated: memory is known the moment the agent starts (images are
uint8, channels-first, at the encoder's resolution), so a long robot session
cannot creep into swap. Why numpy (not lists of Observations): sampling a
batch is a handful of fancy-indexing copies instead of thousands of Python
objects. Candidate sets are stored as boolean masks over cache ids.

Layout per slot: observation arrays for s and s', candidate masks for both,
action id, reward, terminal, truncated. Ring buffer; oldest overwritten.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import torch

from .atomic_file import atomic_open
from .observation import PROPRIO_DIM, ObservationBatch, ObservationSpec
from .policy import candidate_mask
from .transition import SemanticTransition

_FORMAT_VERSION = 1
_META_KEYS = ("version", "max_steps", "num_prompts", "image_size", "capacity", "next")


class ReplayBatch(NamedTuple):
    """A sampled batch, all torch tensors (leading dim B)."""

    obs: ObservationBatch
    candidate_mask: torch.Tensor
    """bool (B, num_prompts)."""
    action: torch.Tensor
    """int64 (B,)."""
    reward: torch.Tensor
    """float32 (B,)."""
    next_obs: ObservationBatch
    next_candidate_mask: torch.Tensor
    """bool (B, num_prompts)."""
    terminal: torch.Tensor
    """bool (B,)."""
    truncated: torch.Tensor
    """bool (B,)."""


class ReplayBuffer:
    """Fixed-capacity ring buffer of ``SemanticTransition``s."""

    def __init__(self, capacity: int, spec: ObservationSpec) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"replay capacity must be an integer >= 1, got {capacity!r}")
        self._capacity = capacity
        self._spec = spec
        self._size = 0
        self._next = 0
        c, m, p = capacity, spec.max_steps, spec.num_prompts
        self._arrays: dict[str, np.ndarray] = {}
        for prefix in ("obs", "next_obs"):
            self._arrays[f"{prefix}_step"] = np.zeros(c, dtype=np.int16)
            self._arrays[f"{prefix}_history"] = np.zeros((c, m), dtype=np.int16)
            self._arrays[f"{prefix}_proprio"] = np.zeros((c, PROPRIO_DIM), dtype=np.float32)
            if spec.image_size is not None:
                s = spec.image_size
                self._arrays[f"{prefix}_image"] = np.zeros((c, 3, s, s), dtype=np.uint8)
        self._arrays["candidate_mask"] = np.zeros((c, p), dtype=bool)
        self._arrays["next_candidate_mask"] = np.zeros((c, p), dtype=bool)
        self._arrays["action"] = np.zeros(c, dtype=np.int16)
        self._arrays["reward"] = np.zeros(c, dtype=np.float32)
        self._arrays["terminal"] = np.zeros(c, dtype=bool)
        self._arrays["truncated"] = np.zeros(c, dtype=bool)

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def spec(self) -> ObservationSpec:
        return self._spec

    @property
    def nbytes(self) -> int:
        """Bytes of preallocated storage (the buffer's memory when full, fixed at construction)."""
        return sum(a.nbytes for a in self._arrays.values())

    def __len__(self) -> int:
        return self._size

    def add(self, transition: SemanticTransition) -> None:
        """Store one transition (validated against the cache capacity and the image setting)."""
        if not isinstance(transition, SemanticTransition):
            raise TypeError(f"expected a SemanticTransition, got {type(transition).__name__}")
        num_prompts = self._spec.num_prompts
        mask = candidate_mask(transition.candidates, num_prompts)
        next_mask = (
            candidate_mask(transition.next_candidates, num_prompts)
            if transition.next_candidates
            else np.zeros(num_prompts, dtype=bool)
        )
        obs = self._spec.to_arrays(transition.obs)
        next_obs = self._spec.to_arrays(transition.next_obs)
        i = self._next
        a = self._arrays
        for prefix, arrays in (("obs", obs), ("next_obs", next_obs)):
            a[f"{prefix}_step"][i] = arrays.step
            a[f"{prefix}_history"][i] = arrays.history
            a[f"{prefix}_proprio"][i] = arrays.proprio
            if arrays.image is not None:
                a[f"{prefix}_image"][i] = arrays.image
        a["candidate_mask"][i] = mask
        a["next_candidate_mask"][i] = next_mask
        a["action"][i] = transition.action
        a["reward"][i] = transition.reward
        a["terminal"][i] = transition.terminal
        a["truncated"][i] = transition.truncated and not transition.terminal
        self._next = (i + 1) % self._capacity
        self._size = min(self._size + 1, self._capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> ReplayBatch:
        """Uniform sample with replacement (so a small early buffer can still fill a batch)."""
        if self._size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        return self.gather(rng.integers(0, self._size, size=batch_size))

    def gather(self, indices: np.ndarray) -> ReplayBatch:
        """Batch of the transitions at storage ``indices``."""
        a = self._arrays

        def take(name: str) -> torch.Tensor:
            return torch.from_numpy(a[name][indices])

        def observation(prefix: str) -> ObservationBatch:
            image_key = f"{prefix}_image"
            return ObservationBatch(
                step=take(f"{prefix}_step").long(),
                history=take(f"{prefix}_history").long(),
                proprio=take(f"{prefix}_proprio"),
                image=take(image_key) if image_key in a else None,
            )

        return ReplayBatch(
            obs=observation("obs"),
            candidate_mask=take("candidate_mask"),
            action=take("action").long(),
            reward=take("reward"),
            next_obs=observation("next_obs"),
            next_candidate_mask=take("next_candidate_mask"),
            terminal=take("terminal"),
            truncated=take("truncated"),
        )

    def _layout(self) -> dict[str, object]:
        return {
            "version": _FORMAT_VERSION,
            "max_steps": self._spec.max_steps,
            "num_prompts": self._spec.num_prompts,
            "image_size": self._spec.image_size,
        }

    def state_dict(self) -> dict[str, object]:
        """Filled slots in storage order plus the write position, as tensors (so checkpoints load
        with ``weights_only=True`` and sampling after a restore picks the very same transitions)."""
        state: dict[str, object] = {
            name: torch.from_numpy(array[: self._size].copy()) for name, array in self._arrays.items()
        }
        state["_meta"] = {**self._layout(), "capacity": self._capacity, "next": self._next}
        return state

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Replace the contents with data from ``state_dict``/``save``.

        The layout (history length, cache size, image size) must match. A
        buffer saved with another capacity is loaded oldest-first, keeping at
        most this buffer's capacity of the most recent transitions.
        """
        meta = state.get("_meta")
        if not isinstance(meta, Mapping):
            raise ValueError("replay data has no layout metadata")
        layout = {key: meta.get(key) for key in self._layout()}
        if layout != self._layout():
            raise ValueError(f"replay data layout {layout!r} does not match this buffer {self._layout()!r}")
        if set(state) - {"_meta"} != set(self._arrays):
            found = sorted(set(state) - {"_meta"})
            raise ValueError(f"replay data has arrays {found}, expected {sorted(self._arrays)}")
        data: dict[str, np.ndarray] = {}
        for name, array in self._arrays.items():
            value = state[name]
            loaded = value.numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
            if loaded.dtype != array.dtype or loaded.shape[1:] != array.shape[1:]:
                raise ValueError(
                    f"replay array {name!r} is {loaded.dtype} {loaded.shape}, "
                    f"expected {array.dtype} (N, *{array.shape[1:]})"
                )
            data[name] = loaded
        sizes = {loaded.shape[0] for loaded in data.values()}
        if len(sizes) != 1:
            raise ValueError(f"replay arrays have inconsistent lengths {sorted(sizes)}")
        size = sizes.pop()
        saved_capacity, saved_next = int(meta["capacity"]), int(meta["next"])  # type: ignore[arg-type]
        if saved_capacity == self._capacity:
            order, next_slot = np.arange(size), saved_next
        else:
            chronological = (np.arange(size) + (saved_next if size == saved_capacity else 0)) % max(size, 1)
            order = chronological[-self._capacity :]
            next_slot = len(order) % self._capacity
        for name, array in self._arrays.items():
            array[: len(order)] = data[name][order]
        self._size = len(order)
        self._next = next_slot

    def save(self, path: str | os.PathLike[str]) -> None:
        """Atomic ``.npz`` (uncompressed: faster, and camera images compress poorly anyway)."""
        state = self.state_dict()
        meta = state.pop("_meta")
        arrays = {name: tensor.numpy() for name, tensor in state.items()}  # type: ignore[union-attr]
        meta_array = np.array([meta[key] if meta[key] is not None else -1 for key in _META_KEYS], dtype=np.int64)  # type: ignore[index]
        with atomic_open(path, "wb") as handle:
            np.savez(handle, _meta=meta_array, **arrays)

    def load(self, path: str | os.PathLike[str]) -> None:
        """Load a ``save``d file into this buffer (layouts must match)."""
        with np.load(path, allow_pickle=False) as data:
            if "_meta" not in data.files or data["_meta"].shape != (len(_META_KEYS),):
                raise ValueError(f"{path} is not a saved sarl replay buffer")
            meta: dict[str, object] = {key: int(v) for key, v in zip(_META_KEYS, data["_meta"], strict=True)}
            state: dict[str, object] = {name: data[name] for name in data.files if name != "_meta"}
        if meta["image_size"] == -1:
            meta["image_size"] = None
        state["_meta"] = meta
        self.load_state_dict(state)
