"""Fixtures for every test folder (registered in the root conftest): peer processes, in-process nodes."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.domains import RUN_RANGE, nth_domain
from support.processes import PeerProcess
from support.ros_node import SpunNode


_module_offsets = itertools.count(1)


def fresh_domain() -> int:
    """The next of this run's (this worker's) domains, after the run's own (root conftest.py, support.domains)."""
    return nth_domain(RUN_RANGE, next(_module_offsets))


@pytest.fixture(autouse=True, scope="module")
def module_domain() -> Iterator[int]:
    """Each test module talks in a DDS domain of its own.

    Why: with localhost-only discovery Fast DDS announces a participant only to the first few dozen participant
    ids of its domain on this host. In-process nodes of earlier modules that rclpy or a peer library keeps
    alive hold the low ids, so after some hundred tests the nodes a later test starts get ids no one announces
    to, and a graph's agent waited 30 s for services that were running (seen in a full run: the pytest process
    held 35 participant ids of its domain). A fresh domain per module starts from id 0 again.
    """
    previous = os.environ.get("ROS_DOMAIN_ID")
    domain = fresh_domain()
    os.environ["ROS_DOMAIN_ID"] = str(domain)
    yield domain
    if previous is None:
        os.environ.pop("ROS_DOMAIN_ID", None)
    else:
        os.environ["ROS_DOMAIN_ID"] = previous


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
