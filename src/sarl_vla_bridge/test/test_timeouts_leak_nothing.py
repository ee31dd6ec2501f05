"""Inference timeouts leak no threads, and SIGTERM still ends the bridge process promptly.

Regression: with websockets 17 the old abort closed the raw socket behind the
library's back, leaving three threads per timeout blocked for ever (reader,
keepalive, infer worker) and an interpreter that hung at exit joining the
worker. The bridge runs as a real process (as deployed); its thread count is
read from ``/proc/<pid>/task``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from bridge_harness import ConfirmingDriver
from sarl_interfaces.action import ExecutePrompt
from sarl_vla_bridge.bridge_node import EXECUTOR_THREADS
from support.processes import PeerProcess
from support.ros_node import wait_until

TIMEOUTS = 2 * EXECUTOR_THREADS
"""More timeouts than the executor pool can ever add threads: its lazy growth (at most EXECUTOR_THREADS, one per
concurrent callback, never shrinking) cannot pass for a leak, and a leak of even one thread per timeout cannot hide
in it. Since the sensor topics moved to their own executor (sensor_tap.py), the pool grows later and a run of 5
timeouts after one warm-up goal saw it grow by a thread or two (CI, once)."""
SIGTERM_EXIT_S = 3.0
"""Shutdown = abort the goal + 0.5 s linger for result requests + a polite websocket close bounded at 1 s."""

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to count threads")


def threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def test_five_inference_timeouts_leave_no_threads_and_sigterm_exits(make_server, tmp_path: Path):
    server, policy = make_server()
    driver = ConfirmingDriver("/leak")
    args = ["-m", "sarl_vla_bridge.bridge_node", "--ros-args", "-r", "__ns:=/leak", "-p", f"policy_port:={server.port}",
            "-p", "inference_timeout:=0.3", "-p", "connect_timeout:=5.0", "-p", "control_rate_hz:=50.0",
            "-p", "scene_topic:=sim/scene"]  # fmt: skip
    bridge = PeerProcess([sys.executable, *args], tmp_path / "vla_bridge.log")

    def timeouts(count: int) -> None:
        for _ in range(count):
            policy.hold()  # the answer never comes in time, however slow the machine
            try:
                result = driver.run_goal("pick up the banana", max_steps=3, timeout=30.0)
            finally:
                policy.release()
            assert result.outcome == ExecutePrompt.Result.OUTCOME_POLICY_ERROR and "timeout" in result.message
        assert driver.run_goal("pick up the banana", max_steps=3, timeout=30.0).outcome == 0, bridge.log_text()

    try:
        timeouts(1)  # warm-up: the connection, the sensor tap and the first pool threads exist from here on
        before = threads(bridge.pid)
        timeouts(TIMEOUTS)
        assert policy.calls == 2 + TIMEOUTS + 1
        limit = before + EXECUTOR_THREADS - 1  # the pool had at least one thread at `before`
        wait_until(lambda: threads(bridge.pid) <= limit, 10.0,
                   f"bridge back to at most {limit} threads after {TIMEOUTS} timeouts (had {before})")  # fmt: skip

        assert bridge.stop(timeout=SIGTERM_EXIT_S) == 0, bridge.log_text()
    finally:
        bridge.stop()
        driver.close()
