"""Round trip between two rclpy processes, SingleThreadedExecutor vs MultiThreadedExecutor on both sides.

    python tests/bench/executor_wakeup.py [--pings 200]

Why: every sarl node spins a MultiThreadedExecutor. On this quiet 2-core VM (2026-12-08, load < 1), a
bare ArmCommand -> ArmState ping-pong took p50 1.1 ms with single-threaded executors on both sides, but
p50 14 ms and p90 177 ms (max 1.2 s) with multi-threaded ones, and p50 ~75 ms with one of each. Under CPU
load the gap closes, which is why the VLA bridge's benchmark was slower quiet than loaded (issue 16). The
ratio is printed against the single-threaded baseline of the same run. Not yet in ``make bench``: run under
pytest (with the suite's environment) it once did not finish in 120 s, not yet understood.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

import numpy as np

KINDS = ("single", "multi")
WARM_UP = 1_000_000
"""The number of the unmeasured pings sent until the first answer (a uint32 in ArmState.commands_applied)."""


def make_executor(kind: str, context=None):
    from rclpy.executors import MultiThreadedExecutor, SingleThreadedExecutor

    if kind == "single":
        return SingleThreadedExecutor(context=context)
    return MultiThreadedExecutor(num_threads=2, context=context)


def echo(kind: str) -> None:
    """Child process: answer every ArmCommand with an ArmState carrying its number."""
    import rclpy
    from rclpy.node import Node
    from sarl_interfaces.msg import ArmCommand, ArmState

    rclpy.init()
    node = Node("wakeup_echo")
    publisher = node.create_publisher(ArmState, "wakeup/state", 10)
    node.create_subscription(ArmCommand, "wakeup/command",
                             lambda msg: publisher.publish(ArmState(commands_applied=int(msg.dx))), 10)  # fmt: skip
    executor = make_executor(kind)
    executor.add_node(node)
    print("ready", flush=True)
    try:
        executor.spin()
    except BaseException:  # the parent ends this process with SIGTERM (or the context shuts down)
        pass


def round_trips(kind: str, pings: int) -> np.ndarray:
    """Milliseconds per round trip against an echo process using the same executor kind."""
    import rclpy
    from rclpy.context import Context
    from rclpy.node import Node
    from sarl_interfaces.msg import ArmCommand, ArmState

    child = subprocess.Popen([sys.executable, __file__, "--echo", kind], stdout=subprocess.PIPE, text=True)
    context = Context()
    rclpy.init(context=context)
    node = Node("wakeup_ping", context=context)
    arrived, seen = threading.Event(), set()

    def on_state(msg) -> None:
        seen.add(msg.commands_applied)
        arrived.set()

    node.create_subscription(ArmState, "wakeup/state", on_state, 10)
    publisher = node.create_publisher(ArmCommand, "wakeup/command", 10)
    executor = make_executor(kind, context)
    executor.add_node(node)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    spinner.start()
    try:
        child.stdout.readline()
        deadline = time.monotonic() + 30.0
        while WARM_UP not in seen:  # repeat until the echo's writer has matched this reader
            if time.monotonic() > deadline:
                raise RuntimeError(f"the echo process never answered ({kind} executors)")
            publisher.publish(ArmCommand(dx=float(WARM_UP)))
            arrived.wait(0.2)
        times = []
        for number in range(pings):
            arrived.clear()
            sent = time.perf_counter()
            publisher.publish(ArmCommand(dx=float(number)))
            while number not in seen and arrived.wait(5.0):
                arrived.clear()
            times.append((time.perf_counter() - sent) * 1e3 if number in seen else np.inf)  # inf: none in 5 s
        return np.array(times)
    finally:
        child.terminate()
        child.wait(timeout=10)
        executor.shutdown(timeout_sec=2.0)
        node.destroy_node()
        rclpy.shutdown(context=context)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pings", type=int, default=200)
    parser.add_argument("--echo", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.echo:
        echo(args.echo)
        return 0
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    os.environ.setdefault("ROS_DOMAIN_ID", str(221 + os.getpid() % 10))
    results = {kind: round_trips(kind, args.pings) for kind in KINDS}
    print(f"rclpy ping-pong between two processes, {args.pings} round trips, load average {os.getloadavg()[0]:.1f}")
    base = np.percentile(results["single"], 50)
    for kind, times in results.items():
        p50, p90 = np.percentile(times, 50), np.percentile(times, 90)
        answered = times[np.isfinite(times)]
        print(f"  {kind:6s} executors: p50 {p50:7.2f} ms  p90 {p90:7.2f} ms  max {answered.max():7.1f} ms  "
              f"p50 ratio to single {p50 / base:.1f}x  unanswered in 5 s: {len(times) - len(answered)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
