"""All seeding in one place.

Why: reproducibility is a contract here (two agents with the same seed make
identical decisions; a checkpoint restores bit-identical training). Global
RNGs are shared with every other library in the process, so the core never
relies on them after construction: it owns an explicit ``torch.Generator``
(replay-free torch randomness), a training ``numpy.random.Generator`` (replay
sampling, softmax sampling) and an evaluation ``numpy.random.Generator``
(greedy tie-breaking), whose states all go into checkpoints. Evaluation has its
own stream so that how often, and how long, a run is evaluated never shifts
the draws training makes.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's *global* RNGs (for scripts and tests)."""
    _check_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")


@contextlib.contextmanager
def seeded_torch(seed: int) -> Iterator[None]:
    """Run a block (e.g. ``nn.Module`` construction) under a fixed torch seed without
    disturbing the caller's global torch RNG state."""
    _check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


@dataclass
class RngBundle:
    """The random generators owned by one agent core."""

    torch_generator: torch.Generator
    numpy_generator: np.random.Generator
    """Training draws: replay batches and softmax (behaviour policy) samples."""
    evaluation_generator: np.random.Generator
    """Greedy (evaluation) decisions only: tie-breaking among equal Q-values."""

    @classmethod
    def from_seed(cls, seed: int) -> RngBundle:
        """Independent streams derived from one seed (so network init, training and evaluation do not alias).

        Spawned children depend only on their index, so adding the evaluation stream (third child) left
        the torch and training streams of every seed as they were.
        """
        _check_seed(seed)
        sequence = np.random.SeedSequence(seed)
        torch_seed, numpy_seed, evaluation_seed = sequence.spawn(3)
        generator = torch.Generator()
        generator.manual_seed(int(torch_seed.generate_state(1, dtype=np.uint64)[0]) >> 1)
        return cls(torch_generator=generator, numpy_generator=np.random.default_rng(numpy_seed),
                   evaluation_generator=np.random.default_rng(evaluation_seed))

    def state_dict(self) -> dict[str, Any]:
        """Picklable with ``torch.load(weights_only=True)``: a uint8 tensor and a dict of ints/strings."""
        return {
            "torch": self.torch_generator.get_state(),
            "numpy": self.numpy_generator.bit_generator.state,
            "evaluation": self.evaluation_generator.bit_generator.state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore every stream; a version-1 checkpoint has no evaluation stream and keeps the seeded one."""
        self.torch_generator.set_state(state["torch"])
        self.numpy_generator.bit_generator.state = state["numpy"]
        if "evaluation" in state:
            self.evaluation_generator.bit_generator.state = state["evaluation"]
