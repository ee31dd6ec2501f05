"""SIGKILL of the real agent in the running sim graph: every acknowledged transition is in the bag (issue 6).

The agent keeps a transition until the recorder acknowledges it (written and fsynced); once acknowledged,
the agent's death cannot lose it. The launcher then stops the graph (its main node died) and the recorder
finishes its bag on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

import pytest
from sarl_agent.bag.reader import BagSet, find_bags
from sarl_agent.bag.recovery import is_complete
from sarl_agent.nodes.recorder_node import ACK_QOS
from sarl_interfaces.msg import TransitionAck
from support.processes import PeerProcess
from support.ros_node import wait_until
from support.sessions import find_in_session

pytestmark = [
    pytest.mark.graph,
    pytest.mark.timing,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the agent's pid in /proc"),
]

RUN_ID = "agent-kill"
EPISODES = 60
"""Far more than run before the kill: the kill must land mid-run."""
ACKED_BEFORE_KILL = 10
"""Acknowledged transitions to wait for: more than one episode holds (8 steps at most in config/sim.yaml), so
the kill lands while the agent is publishing or running a later episode."""


def test_sigkill_of_the_agent_mid_run_loses_no_acknowledged_transition(spun_node, tmp_path):
    acked: set[int] = set()
    lock = threading.Lock()

    def on_ack(ack: TransitionAck) -> None:
        if ack.run_id == RUN_ID:
            with lock:
                acked.add(ack.sequence)

    spun_node.node.create_subscription(TransitionAck, "sarl/transition_acks", on_ack, ACK_QOS)
    bag_dir = tmp_path / "bags"
    launcher = PeerProcess([
        sys.executable, "-m", "sarl_bringup.local_launch", "--profile", "sim", "--log-dir", str(tmp_path / "logs"),
        "--sim-policy-port", "0", "--set", f"recorder.bag_dir={bag_dir}",
        "--set", f"sarl_agent.episodes={EPISODES}", "--set", f"sarl_agent.run_id={RUN_ID}",
        "--set", f"sarl_agent.output_dir={tmp_path}",
    ], tmp_path / "launcher.log")
    try:
        wait_until(lambda: len(acked) >= ACKED_BEFORE_KILL, 300,
                   f"the recorder to acknowledge {ACKED_BEFORE_KILL} transitions")
        (agent,) = find_in_session(launcher.pid, "lib/sarl_agent/agent")
        os.kill(agent, signal.SIGKILL)
        with lock:
            acked_before_kill = set(acked)
        wait_until(lambda: not launcher.is_running(), 60, "the launcher to stop the graph after its agent died")
    finally:
        code = launcher.stop()
    log = launcher.log_text()
    assert code != 0, "the launcher must report the run as failed"
    assert "'sarl_agent': -9" in log and "'recorder': 0" in log, log[-3000:]

    (bag,) = find_bags([bag_dir])
    assert is_complete(bag), f"the recorder did not finish its bag on SIGTERM:\n{log[-3000:]}"
    bags = BagSet([bag_dir])
    readable = {m.msg.sequence for m in bags.transitions() if m.msg.run_id == RUN_ID}
    assert not bags.report.problems, bags.report.problems
    assert acked_before_kill <= readable, f"acknowledged but not in the bag: {sorted(acked_before_kill - readable)}"
    episodes_run = len((tmp_path / RUN_ID / "episodes.csv").read_text().splitlines()) - 1
    assert episodes_run < EPISODES, "the kill did not happen mid-run"
    print(f"agent SIGKILL after {episodes_run} episodes: {len(acked_before_kill)} transitions acknowledged "
          f"before the kill, {len(readable)} readable in the bag")
