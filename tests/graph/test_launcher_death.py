"""A launcher killed with SIGKILL takes its nodes with it: no orphaned driver goes on moving the arm."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from support.processes import PeerProcess
from support.ros_node import wait_until
from support.sessions import session_members

pytestmark = [pytest.mark.graph, pytest.mark.timing]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal and /proc are Linux only")
def test_sigkilled_launcher_leaves_no_node_running(tmp_path: Path) -> None:
    launcher = PeerProcess([
        sys.executable, "-m", "sarl_bringup.local_launch", "--profile", "sim", "--log-dir", str(tmp_path / "logs"),
        "--sim-policy-port", "0", "--set", f"recorder.bag_dir={tmp_path / 'bags'}",
        "--set", f"sarl_agent.output_dir={tmp_path}", "--set", "sarl_agent.episodes=50",
    ], tmp_path / "launcher.log")
    try:
        wait_until(lambda: len(session_members(launcher.pid)) >= 5, 30, "the graph's nodes to start")
        nodes = session_members(launcher.pid)
        wait_until(lambda: "ready" in launcher.log_text(), 60, "a node to report ready")
        os.kill(launcher.pid, signal.SIGKILL)
        launcher.killed = True
        wait_until(lambda: not session_members(launcher.pid), 20,
                   f"the launcher's nodes {nodes} to exit after it was killed")
    finally:
        launcher.stop()
