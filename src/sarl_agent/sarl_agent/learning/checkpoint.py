"""Checkpoint file format: one atomically written torch file.

Why one file: the networks, optimiser, prompt cache, config, counters, RNG
states and the replay buffer must agree with each other; a set
of files written one by one can be torn by a crash between two writes. The
file is written to a temporary sibling, fsynced and ``os.replace``d, so a
crash mid-save leaves the previous checkpoint intact. It is read back with
``torch.load(weights_only=True)``: a checkpoint from disk cannot execute code.

The payload is assembled by ``SarlAgentCore.save_checkpoint``; this module
only owns the container (format tag, version, atomic write, safe read).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import torch

from .atomic_file import atomic_open

CHECKPOINT_FORMAT = "sarl_agent_core"
CHECKPOINT_VERSION = 2
"""2 added the novelty counts and the evaluation generator; replay is included by default."""
READABLE_VERSIONS = (1, 2)


def write_checkpoint(path: str | os.PathLike[str], payload: Mapping[str, Any]) -> None:
    """Atomically write ``payload`` (tensors, numbers, strings, lists, dicts) to ``path``."""
    if "format" in payload or "version" in payload:
        raise ValueError("checkpoint payload must not set the reserved keys 'format' and 'version'")
    with atomic_open(path, "wb") as handle:
        torch.save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, **payload}, handle)


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load and check the container; returns the payload without ``format``/``version``."""
    data = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not a sarl agent checkpoint")
    if data.get("version") not in READABLE_VERSIONS:
        raise ValueError(
            f"{path} has checkpoint version {data.get('version')!r}; this code reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}"
        )
    return {key: value for key, value in data.items() if key not in ("format", "version")}
