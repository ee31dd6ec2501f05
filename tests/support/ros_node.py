"""An rclpy node with its own context, spun in a background thread, for tests.

A per-test Context keeps tests independent; the background executor lets the
test body block on futures with a timeout instead of spinning by hand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import rclpy
from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node


class SpunNode:
    def __init__(self, name: str, start: bool = True) -> None:
        self.context = Context()
        rclpy.init(context=self.context)
        self.node = Node(name, context=self.context)
        self._executor = MultiThreadedExecutor(num_threads=2, context=self.context)
        self._executor.add_node(self.node)
        self._thread = threading.Thread(target=self._executor.spin, daemon=True)
        if start:
            self._thread.start()

    def start(self) -> None:
        """Start spinning; create action clients before this (adding one to a spinning node races in rclpy)."""
        self._thread.start()

    def close(self) -> None:
        self._executor.shutdown(timeout_sec=2.0)
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)
        self.node.destroy_node()
        rclpy.shutdown(context=self.context)


def wait_future(future: Any, timeout: float) -> Any:
    """Block until an rclpy future completes; fail clearly on timeout."""
    done = threading.Event()
    future.add_done_callback(lambda _: done.set())
    if not done.wait(timeout):
        raise TimeoutError(f"future did not complete within {timeout} s")
    return future.result()


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """Wait for a condition that background callbacks make true (bounded, polled every 20 ms); returns the
    predicate's first truthy value, so a test can wait for an event and keep what it saw."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)
    return value


def call_repeatable(client: Any, request: Any, timeout: float, attempts: int = 3) -> Any:
    """Call a service whose request is safe to repeat, asking again when no answer came within ``timeout``.

    ``wait_for_service`` sees only the request side. Seen in CI under load: the server got the request,
    but its response writer had not yet matched the client's reader, and rmw_fastrtps dropped the
    response ("failed to send response (timeout): client will not receive response"). Use only where
    a second identical request changes nothing (a reset with the same seed, a read).
    """
    for attempt in range(1, attempts + 1):
        try:
            return wait_future(client.call_async(request), timeout)
        except TimeoutError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")
