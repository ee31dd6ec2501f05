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
import time
from collections.abc import Callable

import rclpy
from rclpy.context import Context
from rclpy.executors import Executor
from rclpy.node import Node

from .parent_watch import ParentWatch

POLL_PERIOD = 0.1  # [s] how often the main thread checks for a stop request (and for its launcher's death)
# [s] from the stop request to a stopped executor. `ros2 launch` escalates to SIGTERM 5 s after its SIGINT
# (sigterm_timeout) and prints an ERROR; 1 s is left for destroying the node and the context.
STOP_BUDGET_S = 4.0
MIN_EXECUTOR_WAIT_S = 0.5  # [s] callbacks get at least this long to finish, however long before_shutdown took


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
    deadline = time.monotonic() + STOP_BUDGET_S
    if before_shutdown is not None:
        before_shutdown()
    stop_executor(node, executor, spinner, max(MIN_EXECUTOR_WAIT_S, deadline - time.monotonic()))
    node.destroy_node()
    rclpy.try_shutdown(context=context)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)  # stopped already: a second Ctrl-C must neither raise nor kill
    return requested


def stop_executor(node: Node, executor: Executor, spinner: threading.Thread, wait_s: float) -> None:
    """Stop the executor, waiting at most ``wait_s`` for running callbacks (a VLM call, a goal) to return.

    Why bounded: rclpy's MultiThreadedExecutor.shutdown() joins its worker threads with no timeout, so one
    callback stuck (say, a VLM call retrying against a dead endpoint) could hold a Ctrl-C past launch's 5 s
    escalation (test_stop_budget.py: a 60 s callback held it 60 s). Here the shutdown
    runs in a helper thread; a callback still running after ``wait_s`` is abandoned, and the process ends
    with exit_process right after.
    """
    shutting_down = threading.Thread(target=executor.shutdown, name="executor-shutdown", daemon=True)
    started = time.monotonic()
    shutting_down.start()
    shutting_down.join(timeout=wait_s)
    spinner.join(timeout=max(0.0, wait_s - (time.monotonic() - started)))
    if shutting_down.is_alive() or spinner.is_alive():
        node.get_logger().warning(f"a callback was still running {wait_s:.1f} s after the stop request: "
                                  "stopping without waiting for it")
