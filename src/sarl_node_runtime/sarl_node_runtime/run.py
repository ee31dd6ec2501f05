"""Spin a node until SIGINT/SIGTERM, its launcher's death (or until it says it is done), then stop in a safe order.

Why one function for all nodes: rclpy's default signal handler shuts the
context down under the executor's feet, which surfaces as random exceptions,
aborts ("terminate called without an active exception") or lost action
results on shutdown. Here a signal only sets an event; the main thread then
lets the node finish (end goals, hold the arm), stops the executor, waits for
its thread, and only then destroys the node and the context. Call
``rclpy.init(..., signal_handler_options=SignalHandlerOptions.NO)`` first, and end
the process with ``exit_process(code)`` after it (see process_exit.py).

A launcher that dies (SIGTERM or SIGKILL to ``ros2 launch``, see parent_watch.py)
stops the node the same way as SIGINT: the driver holds, the agent stops
commanding, the recorder closes its bag.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

import rclpy
from rclpy.context import Context
from rclpy.executors import Executor
from rclpy.node import Node

from .parent_watch import ParentWatch

POLL_PERIOD = 0.1  # [s] how often the main thread checks for a stop request (and for its launcher's death)


def run_until_signal(node: Node, executor: Executor, *, context: Context | None = None,
                     done: threading.Event | None = None,
                     before_shutdown: Callable[[], None] | None = None,
                     parent: ParentWatch | None = None) -> bool:
    """Spin ``node`` on ``executor`` in a thread until a signal, ``done``, the launcher's death, or an executor crash.

    Returns True for a requested stop (signal, ``done`` or launcher gone), False if the executor thread died.
    Signals that arrive again during the stop (a terminal's Ctrl-C reaches every node, then launch sends its
    own SIGINT) change nothing: the handlers stay installed until the process exits.
    """
    stop = threading.Event()
    parent = parent or ParentWatch()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    executor.add_node(node)
    spinner = threading.Thread(target=executor.spin, name="executor", daemon=True)
    spinner.start()
    requested = True
    while not stop.wait(POLL_PERIOD):
        if done is not None and done.is_set():
            break
        if parent.parent_gone():
            node.get_logger().warning(f"the process that started this node (pid {parent.parent_pid}) is gone: "
                                      "stopping as on SIGINT")
            break
        if not spinner.is_alive():
            node.get_logger().error("executor thread stopped unexpectedly; shutting down")
            requested = False
            break
    if before_shutdown is not None:
        before_shutdown()
    executor.shutdown(timeout_sec=2.0)
    spinner.join(timeout=5.0)
    node.destroy_node()
    rclpy.try_shutdown(context=context)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)  # stopped already: a second Ctrl-C must neither raise nor kill
    return requested
