"""Fixtures of tests/security/test_arm_*: the real driver (and bridge) as processes, a hostile peer as another.

Registered in the root conftest (a plugin, so tests/security needs no conftest of its own to merge).
Each test works in a namespace of its own, so a leftover node of another test never answers. The
test's own node plays the legitimate side (operator, agent) with the run secret the root conftest
points every process at; the hostile peer (peers/hostile_arm_peer.py) has the names but not the secret.
Verdicts come from the driver's own counters and stamps in arm_state, never from this test's clock.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sarl_interfaces.msg import ArmState
from support.processes import PeerProcess
from support.ros_node import SpunNode, wait_until

WORKSPACE = Path(__file__).resolve().parents[2]
DRIVER = WORKSPACE / "install" / "widowx_driver" / "lib" / "widowx_driver" / "driver"
HOSTILE = WORKSPACE / "tests" / "security" / "peers" / "hostile_arm_peer.py"


@pytest.fixture
def arm_namespace() -> str:
    return f"/sec_{uuid.uuid4().hex[:8]}"


class StateLog:
    """Every arm_state of the namespace's driver, as the test's node received them."""

    def __init__(self, spun: SpunNode, namespace: str) -> None:
        self._lock = threading.Lock()
        self._states: list[ArmState] = []
        spun.node.create_subscription(ArmState, f"{namespace}/arm_state", self._callback, 100)

    def _callback(self, msg: ArmState) -> None:
        with self._lock:
            self._states.append(msg)

    @property
    def states(self) -> list[ArmState]:
        with self._lock:
            return list(self._states)

    def wait_for(self, predicate: Callable[[ArmState], bool], timeout: float, what: str) -> ArmState:
        found: list[ArmState] = []

        def check() -> bool:
            found[:] = [m for m in self.states if predicate(m)][:1]
            return bool(found)

        wait_until(check, timeout, what)
        return found[0]


@pytest.fixture
def arm_driver(arm_namespace: str, peers: list[PeerProcess], tmp_path: Path) -> Callable[..., None]:
    """``arm_driver(**parameters)`` starts the simulated driver process in the test's namespace."""

    def start(**parameters: Any) -> None:
        args = [str(DRIVER), "--ros-args", "-r", f"__ns:={arm_namespace}"]
        for name, value in parameters.items():
            args += ["-p", f"{name}:={value}"]
        peers.append(PeerProcess(args, tmp_path / "driver.log"))

    return start


@pytest.fixture
def arm_observer(arm_namespace: str) -> Iterator[tuple[SpunNode, StateLog]]:
    """The test's own node (created before spinning) and its arm_state log."""
    spun = SpunNode("security_observer", start=False)
    log = StateLog(spun, arm_namespace)
    yield spun, log
    spun.close()


class HostilePeer:
    """``hostile(attack, *args)`` runs one attack to completion and returns its RESULT line as a dict.

    ``script`` and ``ros_args`` start it in the background instead (an attack the test acts during).
    """

    script = HOSTILE

    def __init__(self, namespace: str) -> None:
        self.ros_args = ("--ros-args", "-r", f"__ns:={namespace}")

    def __call__(self, *attack: str, timeout: float = 120.0) -> dict:
        args = [sys.executable, str(HOSTILE), *attack, *self.ros_args]
        completed = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
        assert completed.returncode == 0, completed.stdout + completed.stderr
        return self.result(completed.stdout)

    @staticmethod
    def result(output: str) -> dict:
        """The ``RESULT {...}`` line of an attack's output."""
        line = next(line for line in output.splitlines() if line.startswith("RESULT "))
        return json.loads(line.removeprefix("RESULT "))


@pytest.fixture
def hostile(arm_namespace: str) -> HostilePeer:
    return HostilePeer(arm_namespace)


@pytest.fixture
def operator_cli(arm_namespace: str) -> Callable[..., subprocess.CompletedProcess]:
    """``operator_cli("clear", "--reason", ...)``: the operator's ``sarl estop`` (signs with the run secret)."""

    def run(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "sarl_bringup.cli", "estop", *args, "--namespace", arm_namespace]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    return run
