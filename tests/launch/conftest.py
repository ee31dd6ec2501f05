"""Fixtures of the tests that run the real ``ros2 launch`` (see support/launch_stack.py for which stack)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.domains import LAUNCH_RANGE, nth_domain
from support.launch_stack import LaunchProcess


@pytest.fixture(autouse=True)
def launch_domain(monkeypatch: pytest.MonkeyPatch) -> int:
    """A DDS domain of its own (101-200, this worker's share) for the launched graph, the test's listeners
    and the ``ros2`` CLI.

    Why: these tests look nodes up by name (``ros2 param dump /sarl_agent``); the suite's per-run domain
    (1-100, root conftest.py) can be shared by another test run on the machine, whose graph has the same
    node names.
    """
    domain = nth_domain(LAUNCH_RANGE, 0)
    monkeypatch.setenv("ROS_DOMAIN_ID", str(domain))
    return domain


@pytest.fixture
def start_launch(tmp_path: Path) -> Iterator:
    """``start_launch("sarl_bringup", "sim.launch.py", "episodes:=2")`` → a running LaunchProcess in tmp_path;
    every one started is killed whole (its session) at teardown."""
    started: list[LaunchProcess] = []

    def start(*args: str, unset_env: tuple[str, ...] = ()) -> LaunchProcess:
        process = LaunchProcess(["launch", *args], tmp_path, unset_env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()
