"""Any node class hosted in its own Context and executor thread, for node tests.

Shared by the driver's and the reset controller's tests (a node built by a
factory that needs the context, e.g. a lifecycle driver).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import rclpy
from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node


class HostedNode:
    """Any node class, created in a fresh Context and spun by a MultiThreadedExecutor in a thread."""

    def __init__(self, factory: Callable[[Context], Node], threads: int = 4) -> None:
        self.context = Context()
        rclpy.init(context=self.context)
        self.node = factory(self.context)
        self._executor = MultiThreadedExecutor(num_threads=threads, context=self.context)
        self._executor.add_node(self.node)
        self._thread = threading.Thread(target=self._executor.spin, daemon=True)
        self._thread.start()

    def close(self, finalize: Callable[[], None] | None = None) -> None:
        """Stop spinning first, then ``finalize`` (e.g. a lifecycle shutdown), then destroy node and context.

        The spin thread must be gone before entities are destroyed: else it trips over them.
        """
        self._executor.shutdown(timeout_sec=5.0)
        self._thread.join(timeout=5.0)
        if finalize is not None:
            finalize()
        self.node.destroy_node()
        rclpy.shutdown(context=self.context)
