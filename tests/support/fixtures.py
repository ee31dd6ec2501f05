"""Fixtures for every test folder (registered in the root conftest): peer processes, in-process nodes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.processes import PeerProcess
from support.ros_node import SpunNode


@pytest.fixture
def spun_node(request: pytest.FixtureRequest) -> Iterator[SpunNode]:
    node = SpunNode(f"test_{request.node.name}".replace("[", "_").replace("]", "_").replace("-", "_")[:60])
    yield node
    node.close()


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[list[PeerProcess]]:
    """Processes a test starts; all stopped afterwards, and each must exit cleanly."""
    started: list[PeerProcess] = []
    yield started
    failures = []
    for peer in started:
        code = peer.stop()
        if code not in (0, -15) and not (peer.killed and code == -9):
            failures.append(f"peer {peer.pid} exited with {code}:\n{peer.log_text()[-2000:]}")
    assert not failures, "\n".join(failures)


@pytest.fixture(autouse=True, scope="session")
def run_secret() -> bytes | None:
    """The run secret of this pytest run (root conftest: $SARL_SECRET_FILE), created as the launchers do:
    the agent, the recorder and the driver refuse to start without it."""
    try:
        from sarl_auth import load_or_create_secret
    except ImportError:  # workspace not built: the tests that need it fail on their own imports
        return None
    return load_or_create_secret()
