"""Fixtures of the tests that run the real ``ros2 launch`` (see support/launch_stack.py for which stack)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.launch_stack import LaunchProcess


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
