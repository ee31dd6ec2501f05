"""What the agent observes at a semantic step, and its fixed-shape array form.

Why two forms: ``Observation`` is the contract with the ROS node and the
evaluation harness (natural Python types, any camera resolution);
``ObservationSpec`` turns it into fixed-shape arrays once, so the replay
buffer can preallocate storage and acting/training see identical tensors.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

PROPRIO_DIM = 7
"""End-effector state: x, y, z (m), roll, pitch, yaw (rad), gripper (0 closed .. 1 open)."""
NO_PROMPT = -1
"""Padding value of the history array (no prompt at this position)."""


def _as_int(name: str, value: object) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got bool")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from None


@dataclass(frozen=True, eq=False)
class Observation:
    """The state ``s`` of the semantic MDP at one decision point.

    ``history`` holds the prompt ids chosen so far in this episode, in order;
    ``step`` is the semantic step index (normally ``len(history)``).
    Arrays are copied and made read-only, so an Observation kept in replay
    cannot be changed by later writes to the driver's buffers.
    """

    step: int
    history: tuple[int, ...]
    proprio: np.ndarray
    image: np.ndarray | None = None

    def __post_init__(self) -> None:
        step = _as_int("Observation.step", self.step)
        if step < 0:
            raise ValueError(f"Observation.step must be >= 0, got {step}")
        history = tuple(_as_int("Observation.history[i]", p) for p in self.history)
        if any(p < 0 for p in history):
            raise ValueError(f"Observation.history holds prompt ids (>= 0), got {history}")
        proprio = np.array(self.proprio, dtype=np.float32)
        if proprio.shape != (PROPRIO_DIM,):
            raise ValueError(f"Observation.proprio must have shape ({PROPRIO_DIM},), got {proprio.shape}")
        if not np.all(np.isfinite(proprio)):
            raise ValueError(f"Observation.proprio must be finite, got {proprio}")
        proprio.setflags(write=False)
        image = self.image
        if image is not None:
            image = np.array(image, copy=True)
            if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
                raise ValueError(
                    f"Observation.image must be uint8 RGB (H, W, 3), got {image.dtype} {image.shape}"
                )
            image.setflags(write=False)
        object.__setattr__(self, "step", step)
        object.__setattr__(self, "history", history)
        object.__setattr__(self, "proprio", proprio)
        object.__setattr__(self, "image", image)

    def then(self, prompt_id: int, proprio: np.ndarray, image: np.ndarray | None = None) -> Observation:
        """The next observation after executing ``prompt_id``: step + 1, prompt appended."""
        return Observation(self.step + 1, (*self.history, prompt_id), proprio, image)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Observation):
            return NotImplemented
        same_image = (self.image is None and other.image is None) or (
            self.image is not None and other.image is not None and np.array_equal(self.image, other.image)
        )
        return (
            self.step == other.step
            and self.history == other.history
            and np.array_equal(self.proprio, other.proprio)
            and same_image
        )

    __hash__ = None  # type: ignore[assignment]


class ObservationArrays(NamedTuple):
    """One observation in fixed-shape numpy form (what replay stores)."""

    step: int
    history: np.ndarray
    """int16 (max_steps,), most recent prompts, padded with NO_PROMPT."""
    proprio: np.ndarray
    """float32 (7,)."""
    image: np.ndarray | None
    """uint8 (3, S, S) channels-first, or None when no image encoder is configured."""


class ObservationBatch(NamedTuple):
    """A batch of observations as torch tensors, the input of every state encoder."""

    step: torch.Tensor
    """int64 (B,)."""
    history: torch.Tensor
    """int64 (B, max_steps), padded with NO_PROMPT."""
    proprio: torch.Tensor
    """float32 (B, 7)."""
    image: torch.Tensor | None
    """uint8 (B, 3, S, S) or None."""


def resize_image(image: np.ndarray, size: int) -> np.ndarray:
    """(H, W, 3) uint8 -> (3, size, size) uint8 with area averaging (no aliasing when downscaling)."""
    channels_first = np.ascontiguousarray(image.transpose(2, 0, 1))  # a fresh, writable copy
    if channels_first.shape[1:] == (size, size):
        return channels_first
    tensor = torch.from_numpy(channels_first).unsqueeze(0).float()
    resized = F.interpolate(tensor, size=(size, size), mode="area")
    return resized.squeeze(0).round_().clamp_(0, 255).to(torch.uint8).numpy()


@dataclass(frozen=True)
class ObservationSpec:
    """Fixed array shapes derived from the config.

    Histories longer than ``max_steps`` keep their most recent ``max_steps``
    prompts and the step index saturates at ``max_steps`` (documented, not an
    error, so a long real episode degrades instead of crashing the node).
    """

    max_steps: int
    num_prompts: int
    image_size: int | None

    def to_arrays(self, obs: Observation) -> ObservationArrays:
        if not isinstance(obs, Observation):
            raise TypeError(f"expected an Observation, got {type(obs).__name__}")
        bad = [p for p in obs.history if p >= self.num_prompts]
        if bad:
            raise ValueError(f"history prompt ids {bad} are outside the cache capacity {self.num_prompts}")
        history = np.full(self.max_steps, NO_PROMPT, dtype=np.int16)
        recent = obs.history[-self.max_steps :]
        history[: len(recent)] = recent
        image = None
        if self.image_size is not None:
            if obs.image is None:
                raise ValueError("the image encoder is configured but the observation has no image")
            image = resize_image(obs.image, self.image_size)
        return ObservationArrays(min(obs.step, self.max_steps), history, obs.proprio, image)

    def batch(self, observations: list[Observation]) -> ObservationBatch:
        """Stack observations into tensors (used for acting; replay builds batches from its storage)."""
        arrays = [self.to_arrays(obs) for obs in observations]
        image = None
        if self.image_size is not None:
            image = torch.from_numpy(np.stack([a.image for a in arrays]))
        return ObservationBatch(
            step=torch.tensor([a.step for a in arrays], dtype=torch.int64),
            history=torch.from_numpy(np.stack([a.history for a in arrays]).astype(np.int64)),
            proprio=torch.from_numpy(np.stack([a.proprio for a in arrays])),
            image=image,
        )
