"""Small builders shared by the learning-core tests."""

from __future__ import annotations

import numpy as np

from sarl_agent.learning.config import SarlConfig
from sarl_agent.learning.observation import Observation
from sarl_agent.learning.transition import SemanticTransition


def small_config(**overrides) -> SarlConfig:
    """A fast config; ``overrides`` are nested dicts merged into the defaults."""
    data: dict = {
        "encoder": {"kind": ["history", "proprio"], "max_steps": 6, "image_size": 16, "image_channels": [4, 8]},
        "q": {"hidden_sizes": [32, 32]},
        "td": {"batch_size": 16, "min_replay": 4},
        "replay": {"capacity": 64},
        "cache_capacity": 12,
        "seed": 7,
    }
    for key, value in overrides.items():
        if isinstance(value, dict):
            data.setdefault(key, {}).update(value)
        else:
            data[key] = value
    return SarlConfig.from_dict(data)


def make_obs(rng: np.random.Generator, step: int = 0, history: tuple[int, ...] = (), image: bool = False,
             image_shape: tuple[int, int] = (24, 32)) -> Observation:
    pixels = rng.integers(0, 256, size=(*image_shape, 3), dtype=np.uint8) if image else None
    return Observation(step, history, rng.normal(size=7).astype(np.float32), pixels)


def random_transitions(count: int, num_prompts: int, seed: int = 0, image: bool = False,
                       max_history: int = 4) -> list[SemanticTransition]:
    """Random but valid transitions over admitted ids 0..num_prompts-1."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        length = int(rng.integers(0, max_history))
        history = tuple(int(p) for p in rng.integers(0, num_prompts, size=length))
        candidates = tuple(int(p) for p in rng.choice(num_prompts, size=min(4, num_prompts), replace=False))
        action = candidates[int(rng.integers(len(candidates)))]
        terminal = bool(rng.random() < 0.2)
        truncated = bool(not terminal and rng.random() < 0.1)
        next_candidates = () if terminal else tuple(int(p) for p in rng.choice(num_prompts, size=3, replace=False))
        out.append(
            SemanticTransition(
                obs=make_obs(rng, length, history, image),
                candidates=candidates,
                action=action,
                reward=float(rng.random() < 0.3),
                next_obs=make_obs(rng, length + 1, (*history, action), image),
                next_candidates=next_candidates,
                terminal=terminal,
                truncated=truncated,
            )
        )
    return out
