"""A cancel storm on execute_prompt and reset_to_home from a peer with no secret, against the whole sim graph.

Why cancels stay open: a ROS 2 action's cancel service carries no identity, so a server could only refuse
every cancel, its own client's included. A cancel only ever stops the arm, and stopping is open to every
node by design (anyone may set the e-stop), so what must hold is that a storm costs the run nothing but
time: the canceled episodes end as ABORT and are neither learned from nor labelled, every node survives,
the run goes on afterwards and every transition is stored and verifies.
"""

from __future__ import annotations

import csv
import re
import sys

import pytest
from support.processes import PeerProcess
from support.ros_node import wait_until

from .conftest import PEERS, StoredAcks
from .sim_graph import EPISODES, all_stored, launch, read_log

pytestmark = [
    pytest.mark.graph,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the graph's processes: Linux"),
]

STORM_S = 4.0
STORM_HZ = 20.0


def test_a_cancel_storm_aborts_episodes_without_learning_from_them_and_the_run_goes_on(spun_node, peers, tmp_path):
    run_id, bag_dir = "cancel-storm", tmp_path / "bags"
    acks = StoredAcks(spun_node.node, run_id)
    launcher = launch(tmp_path, bag_dir, run_id)
    try:
        wait_until(lambda: len(acks.sequences()) >= 1, 300, "the first episode stored")
        storm = PeerProcess.python(PEERS / "canceler.py", str(STORM_S), str(STORM_HZ), log_dir=tmp_path)
        peers.append(storm)
        wait_until(lambda: "done" in storm.log_text(), 120, "the cancel storm to end")
        canceled = {name: int(n) for name, n in re.findall(r"canceled (\w+) (\d+)", storm.log_text())}
        assert sum(canceled.values()) >= 1, f"the storm hit no goal: {storm.log_text()}"
        wait_until(lambda: not launcher.is_running(), 300, "the run to finish")
    finally:
        code = launcher.stop()
    assert code == 0, launcher.log_text()[-3000:]

    with (tmp_path / run_id / "episodes.csv").open() as stream:
        episodes = list(csv.DictReader(stream))
    aborted = [row for row in episodes if row["outcome"] == "ABORT"]
    labelled = [row for row in episodes if row["outcome"] != "ABORT"]
    assert aborted, f"no episode was aborted by {canceled} canceled goals"
    assert all(row["td_loss"] == "" for row in aborted), "an aborted episode was learned from"
    assert len(labelled) == EPISODES, "the run did not go on to its episodes after the storm"
    agent_log = read_log(tmp_path, "sarl_agent")
    assert re.search(r"ABORT .*cancel", agent_log, re.IGNORECASE), agent_log[-3000:]

    total, stored, bags = all_stored(tmp_path, bag_dir)
    assert len(stored) == len(set(stored)) == total and bags.report.forged == bags.report.unsigned == 0
    print(f"cancel storm ({STORM_HZ:.0f} Hz for {STORM_S:.0f} s): {canceled} goals canceled, {len(aborted)} "
          f"episode(s) aborted and not learned from, {len(labelled)} labelled, {total}/{total} transitions stored")
