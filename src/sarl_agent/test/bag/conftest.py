"""Fixtures for the bag tests: one torch thread (spun_node and peers come from tests/support/fixtures.py)."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def single_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
