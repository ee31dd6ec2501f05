"""Fixtures for the driver's node tests: the node under test in its own context and executor."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rclpy.context import Context
from rclpy.node import Node
from rclpy.parameter import Parameter
from support import interbotix_peer
from support.hosted_node import HostedNode
from support.interbotix_peer import ArmObserver
from support.ros_node import wait_until
from widowx_driver.driver_node import DriverNode


class Probe:
    """Collects every message of one topic on a peer node, for waiting on what a user would see."""

    def __init__(self, node: Node, msg_type: Any, topic: str, qos: Any = 10) -> None:
        self._lock = threading.Lock()
        self._messages: list[Any] = []
        self._arrivals: list[float] = []
        self._subscribe = lambda: node.create_subscription(msg_type, topic, self._callback, qos)
        self._subscribe()

    def wait_first(self, timeout: float, what: str) -> Any:
        """The first message; re-subscribes once if none came within 5 s.

        Observed under heavy load with several participants in one process: a reader reported
        as matched on both sides never got data, while a fresh subscription did at once (see
        reset_controller's test conftest). The second reader keeps such runs meaningful.
        """
        try:
            return self.wait_for(lambda m: True, min(5.0, timeout), what)
        except TimeoutError:
            self._subscribe()
            return self.wait_for(lambda m: True, timeout, f"{what} (second reader)")

    def _callback(self, msg: Any) -> None:
        with self._lock:
            self._messages.append(msg)
            self._arrivals.append(time.monotonic())

    def arrival_of(self, msg: Any) -> float:
        """``time.monotonic()`` when ``msg`` (one of :attr:`messages`) arrived."""
        with self._lock:
            return self._arrivals[next(i for i, m in enumerate(self._messages) if m is msg)]

    @property
    def messages(self) -> list[Any]:
        with self._lock:
            return list(self._messages)

    def latest(self) -> Any:
        with self._lock:
            return self._messages[-1] if self._messages else None

    def wait_for(self, predicate: Callable[[Any], bool], timeout: float, what: str) -> Any:
        """Wait for a message satisfying ``predicate`` and return the first one that does."""
        found: list[Any] = []

        def check() -> bool:
            found[:] = [m for m in self.messages if predicate(m)][:1]
            return bool(found)

        wait_until(check, timeout, what)
        return found[0]


@pytest.fixture
def make_driver() -> Iterator[Callable[..., DriverNode]]:
    """``make_driver(backend_factory=None, start=True, **parameters)`` → a running DriverNode."""
    hosts: list[HostedNode] = []

    def make(backend_factory: Callable | None = None, start: bool = True, **parameters: Any) -> DriverNode:
        overrides = [Parameter(name, value=value) for name, value in parameters.items()]
        extra = {} if backend_factory is None else {"backend_factory": backend_factory}
        host = HostedNode(lambda context: DriverNode(context=context, parameter_overrides=overrides, **extra))
        hosts.append(host)
        if start:
            assert host.node.start_if_autostart(), "the driver failed to configure/activate"
        return host.node

    yield make
    for host in hosts:
        host.close(finalize=host.node.shut_down)


@pytest.fixture
def make_host() -> Iterator[Callable[..., HostedNode]]:
    """``make_host(factory, threads=4)`` → a :class:`HostedNode`, closed after the test."""
    hosts: list[HostedNode] = []

    def make(factory: Callable[[Context], Node], threads: int = 4) -> HostedNode:
        hosts.append(HostedNode(factory, threads))
        return hosts[-1]

    yield make
    for host in reversed(hosts):
        host.close()


@pytest.fixture
def make_probe() -> Callable[..., Probe]:
    """``make_probe(node, msg_type, topic, qos=10)`` → a :class:`Probe` (test modules cannot import conftest)."""
    return Probe


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    """Interbotix's own simulated xs_sdk (``xs_sdk_sim.py``), one process per test module that asks for it."""
    interbotix_peer.activate_toolbox()
    process = interbotix_peer.start_sim(tmp_path_factory.mktemp("xs_sdk_sim"))
    yield process
    process.stop()


@pytest.fixture(scope="module")
def observer(sim):
    """An :class:`ArmObserver` of that xs_sdk, ready once its first joint state arrived."""
    watcher = ArmObserver()
    wait_until(lambda: bool(watcher.states) or not sim.is_running(), 30.0, "the first joint state of xs_sdk_sim")
    assert sim.is_running(), sim.log_text()
    yield watcher
    watcher.close()
