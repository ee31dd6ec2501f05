"""Shared pieces of the bridge tests: a scripted policy behind the real openpi-protocol server.

The server is the simulator's :class:`sarl_sim.policy_server.PolicyServer`
(the same protocol as openpi's ``websocket_policy_server.py``: metadata frame,
msgpack-numpy in/out, traceback text frame on error, ``/healthz``). The
policy is scripted so a test can hold its answers or make it fail at will.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from sarl_sim.policy_server import PolicyServer

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules next to the tests (contract_policies, ...)

HORIZON = 10
METADATA = {
    "action_horizon": HORIZON,
    "action_dim": 7,
    "observation_keys": ["observation/image", "observation/state", "observation/scene", "prompt"],
}
"""As the simulator's stand-in VLA announces itself (sarl_sim.standin_vla.StandinVLA.metadata)."""
HOLD_LIMIT = 60.0
"""[s] A held call gives up after this, so a test that forgets to release cannot hang the server's teardown."""


def chunk_rows(horizon: int = HORIZON) -> np.ndarray:
    """Row i commands dx = 0.001 * (i + 1): a test can tell which row of a chunk was executed."""
    rows = np.zeros((horizon, 7), dtype=np.float32)
    rows[:, 0] = 0.001 * np.arange(1, horizon + 1)
    rows[:, 6] = 1.0
    return rows


@dataclass
class ScriptedPolicy:
    """An ``infer(obs) -> dict`` whose answers (held or not) and failures the test controls."""

    fail: bool = False
    horizon: int = HORIZON
    observations: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _released: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._released.set()

    def hold(self) -> None:
        """Calls block until :meth:`release`: a test of a deadline gets an answer that never comes in time,
        however slowly a loaded machine runs the client (a fixed ``delay`` only races the client's timer)."""
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def __call__(self, obs: dict) -> dict:
        with self.lock:
            self.observations.append(obs)
        self._released.wait(HOLD_LIMIT)
        if self.fail:
            raise ValueError("scripted policy failure")
        return {"actions": chunk_rows(self.horizon)}

    @property
    def calls(self) -> int:
        with self.lock:
            return len(self.observations)


@pytest.fixture
def make_server() -> Iterator[Callable[[int], tuple[PolicyServer, ScriptedPolicy]]]:
    """Factory: a scripted policy served on ``port`` (0 = any); all stopped at teardown."""
    started: list[tuple[PolicyServer, ScriptedPolicy]] = []

    def make(port: int = 0) -> tuple[PolicyServer, ScriptedPolicy]:
        started.append(_serve(port))
        return started[-1]

    yield make
    for server, policy in started:
        policy.release()
        server.stop()


@pytest.fixture
def scripted_server(make_server) -> tuple[PolicyServer, ScriptedPolicy]:
    return make_server()


@pytest.fixture(scope="module")
def module_server() -> Iterator[tuple[PolicyServer, ScriptedPolicy]]:
    """One scripted server for all tests of a module (each test resets the script)."""
    server, policy = _serve(0)
    yield server, policy
    policy.release()
    server.stop()


def _serve(port: int) -> tuple[PolicyServer, ScriptedPolicy]:
    policy = ScriptedPolicy()
    server = PolicyServer(policy, host="127.0.0.1", port=port, metadata=METADATA)
    server.start()
    return server, policy
