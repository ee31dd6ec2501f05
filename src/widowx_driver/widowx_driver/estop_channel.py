"""The e-stop's own way into the driver: a small node on its own executor thread.

Why its own node and thread, not just a callback group: under a flood of arm
commands the driver's executor spends its time taking and dispatching
commands, and an e-stop waiting in the same wait set queues behind them (the
issue measured 0.32 s). Here the ``estop`` subscription and the
``clear_estop`` service are the only entities of their executor, so an e-stop
is taken as soon as it arrives; the driver then waits for at most the one
command being applied.

The node takes the driver's fully resolved names (its namespace and any
remapping of ``estop`` / ``clear_estop`` apply) and ignores the process's
global arguments, so a ``__node:=`` remap of the driver does not give two
nodes one name.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sarl_interfaces.srv import ClearEstop
from std_msgs.msg import Bool

ESTOP_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)

EngageHandler = Callable[[int], None]
"""Called with the middleware's reception stamp of the e-stop [ns, system clock]."""
ClearHandler = Callable[[ClearEstop.Request, ClearEstop.Response], ClearEstop.Response]


class EstopChannel:
    """``estop`` (engage; ``false`` is handed on to be refused) and ``clear_estop``, spun on their own thread."""

    def __init__(self, driver: Node, *, engage: EngageHandler, refuse_topic_clear: Callable[[], None],
                 clear: ClearHandler) -> None:  # fmt: skip
        self._engage, self._refuse_topic_clear = engage, refuse_topic_clear
        self.node = Node(f"{driver.get_name()}_estop", namespace=driver.get_namespace(), context=driver.context,
                         use_global_arguments=False, start_parameter_services=False)  # fmt: skip
        self.node.create_subscription(Bool, driver.resolve_topic_name("estop"), self._estop_callback, ESTOP_QOS)
        self.node.create_service(ClearEstop, driver.resolve_service_name("clear_estop"), clear)
        self._executor = SingleThreadedExecutor(context=driver.context)
        self._executor.add_node(self.node)
        self._thread = threading.Thread(target=self._executor.spin, name="estop", daemon=True)
        self._thread.start()

    def _estop_callback(self, msg: Bool, info: dict) -> None:
        if msg.data:
            self._engage(int(info.get("received_timestamp") or 0))
        else:
            self._refuse_topic_clear()

    def close(self) -> None:
        """Stop the thread, then destroy the node (before the context goes)."""
        self._executor.shutdown(timeout_sec=2.0)
        self._thread.join(timeout=5.0)
        self.node.destroy_node()
