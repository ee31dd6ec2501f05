"""The policy server dies mid-run: the goal aborts at once, the agent survives, and goes on after a restart.

Graph level, real processes: the simulated graph runs; the test SIGKILLs its openpi policy server while
prompts are executing, then starts a new server on the same port. (The arm staying still after the
abort is checked at bridge level, in sarl_vla_bridge's test_bridge_node.py.)
"""

from __future__ import annotations

import csv
import os
import signal
import sys
import time
from pathlib import Path

import pytest
import yaml
from sarl_bringup.local_launch import free_port
from support import latency_bounds
from support.processes import PeerProcess
from support.ros_log import log_stamps
from support.ros_node import wait_until
from support.sessions import find_in_session

pytestmark = [pytest.mark.graph, pytest.mark.timing]

EPISODES = 8
SIM_CONFIG = Path(__file__).resolve().parents[2] / "config" / "sim.yaml"
BRIDGE = yaml.safe_load(SIM_CONFIG.read_text())["vla_bridge"]["ros__parameters"]
"""The bridge's parameters in the graph under test: its abort bound follows from them."""


@pytest.mark.timeout(900)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the server's pid in /proc")
def test_agent_survives_a_killed_policy_server_and_continues_after_restart(tmp_path: Path) -> None:
    port = free_port()
    launcher = PeerProcess([
        sys.executable, "-m", "sarl_bringup.local_launch", "--profile", "sim", "--log-dir", str(tmp_path / "logs"),
        "--sim-policy-port", str(port), "--set", f"recorder.bag_dir={tmp_path / 'bags'}",
        "--set", f"sarl_agent.episodes={EPISODES}", "--set", "sarl_agent.run_id=fault",
        "--set", f"sarl_agent.output_dir={tmp_path}",
    ], tmp_path / "launcher.log")
    replacement = None
    try:
        wait_until(lambda: launcher.log_text().count("COMPLETED after") >= 6, 300, "prompts executing")
        (server,) = find_in_session(launcher.pid, "lib/sarl_sim/policy_server")
        killed_at = time.time()
        os.kill(server, signal.SIGKILL)
        wait_until(lambda: "ABORT" in launcher.log_text(), 120, "the agent to abort the episode")
        replacement = PeerProcess([sys.executable, "-m", "sarl_sim.policy_server", "--port", str(port)],
                                  tmp_path / "replacement_server.log")
        wait_until(lambda: not launcher.is_running(), 400, "the agent to finish its episodes after the restart")
    finally:
        code = launcher.stop()
        if replacement is not None:
            replacement.stop()
    log = launcher.log_text()
    assert code == 0, log[-4000:]

    # Timed on the bridge's own log stamp (same clock as time.time()), not on when the test noticed.
    aborts = [t for t in log_stamps(log, "vla_bridge", r"^goal '.*': POLICY_ERROR") if t >= killed_at]
    assert aborts, "no execute_prompt goal ended with POLICY_ERROR after the kill"
    bound = latency_bounds.abort_after_policy_kill(BRIDGE["inference_timeout"], BRIDGE["control_rate_hz"])
    bound.check(aborts[0] - killed_at)

    with (tmp_path / "fault" / "episodes.csv").open() as stream:
        outcomes = [row["outcome"] for row in csv.DictReader(stream)]
    # Aborted episodes do not count against the budget: all EPISODES labelled ones ran, after a pause.
    assert sum(o in ("SUCCESS", "FAILURE") for o in outcomes) == EPISODES, outcomes
    first_abort = outcomes.index("ABORT")
    assert any(o in ("SUCCESS", "FAILURE") for o in outcomes[first_abort + 1:]), outcomes
    assert "could not be executed (1 in a row): next episode in 2 s" in log
    assert replacement is not None and "connection from" in replacement.log_text()

