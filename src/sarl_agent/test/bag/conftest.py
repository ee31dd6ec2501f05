"""Fixtures for the bag tests: peer processes, an in-process node, one torch thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from support.processes import PeerProcess
from support.ros_node import SpunNode


@pytest.fixture
def spun_node(request: pytest.FixtureRequest) -> Iterator[SpunNode]:
    node = SpunNode(f"test_{request.node.name}".replace("[", "_").replace("]", "_").replace("-", "_")[:60])
    yield node
    node.close()


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[list[PeerProcess]]:
    """Processes a test starts; all stopped afterwards (SIGTERM), and each must exit cleanly."""
    started: list[PeerProcess] = []
    yield started
    failures = []
    for peer in started:
        code = peer.stop()
        if code not in (0, -15, -9):  # -9: a peer the test itself SIGKILLed
            failures.append(f"peer {peer.pid} exited with {code}:\n{peer.log_text()[-2000:]}")
    assert not failures, "\n".join(failures)


@pytest.fixture(autouse=True)
def single_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
