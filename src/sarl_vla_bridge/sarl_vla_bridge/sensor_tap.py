"""A small side node that receives the bridge's high-rate sensor topics on its own executor thread.

Why: rclpy's Python executor rebuilds its wait set from every entity of a node on each wake-up.
The bridge node carries an action server, parameter services and QoS event handlers, so each
camera frame or ``arm_state`` it received cost about 2 ms of Python in that loop; at a fast control
rate that saturated a core and delayed the driver's confirmations the goal waits on (py-spy
``--gil`` on ``python -m sarl_vla_bridge.benchmark``: 84 % of the bridge's GIL time in the
executor). This node has only the sensor subscriptions and no parameter services, and a
single-threaded executor of its own; the goal thread still only reads the latest messages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node

STOP_WAIT_S = 1.0
"""[s] longest :meth:`SensorTap.close` waits for the executor thread (its callbacks only store a message)."""


class SensorTap:
    """``<owner>_sensors``: subscriptions whose callbacks only store, spun in a daemon thread.

    Subscribe first, then :meth:`start` (entities are not added to a node that is already spinning).
    """

    def __init__(self, owner: Node) -> None:
        self.node = Node(f"{owner.get_name()}_sensors", namespace=owner.get_namespace(), context=owner.context,
                         start_parameter_services=False)  # fmt: skip
        self._executor = SingleThreadedExecutor(context=owner.context)
        self._thread = threading.Thread(target=self._executor.spin, name="sensor-tap", daemon=True)
        self._closed = False

    def subscribe(self, msg_type: Any, topic: str, callback: Callable[[Any], None], qos: Any) -> None:
        if self._thread.is_alive():
            raise RuntimeError("subscribe before start()")
        self.node.create_subscription(msg_type, topic, callback, qos)

    def start(self) -> None:
        self._executor.add_node(self.node)
        self._thread.start()

    def close(self) -> None:
        """Stop the executor (bounded) and destroy the node; safe to call twice, or before :meth:`start`."""
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(timeout_sec=STOP_WAIT_S)
        if self._thread.is_alive():
            self._thread.join(timeout=STOP_WAIT_S)
        self.node.destroy_node()
