"""Fixtures for the learning-core tests (this folder only)."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def single_torch_thread():
    """Tiny networks run fastest on one thread (OpenMP spin-waits dominate on a busy 2-core box);
    restored afterwards so other test folders see the process default."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
