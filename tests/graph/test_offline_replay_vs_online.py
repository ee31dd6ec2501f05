"""Offline replay of a sim run's bag learns a greedy policy as good as the online agent's (issue 6), within
the noise of 20 held-out layouts.

The session's 40-episode run of the real graph (tests/graph/conftest.py) records its bag and leaves the
online agent's final checkpoint; ``replay`` learns a new checkpoint from that bag alone (same learning
config, same seed); both greedy policies then run on the same held-out simulator layouts with the same
candidate proposer, without ROS.
"""

from __future__ import annotations

import csv
import json

import pytest
from sarl_agent import replay
from sarl_agent.learning.trainer import SarlAgentCore
from sarl_eval.checkpoint_eval import greedy_success

pytestmark = pytest.mark.graph

UPDATES = 2000
"""Offline TD updates: about twice what the online agent ran on this much data (40 episodes)."""
LAYOUTS = 20
"""Held-out layouts per checkpoint."""
MARGIN = 2 / LAYOUTS
"""Replay may fall short of online by at most 2 layouts: the graph run differs run to run (timing), and with both
near 100 % one layout decided it (a loaded run: online 100 %, replay 95 %). Random prompting reaches about half
on this task (`make eval`, README: 40-53 %), so the margin still tells learning from none."""


@pytest.mark.timeout(900)
def test_offline_replay_of_a_sim_bag_does_at_least_as_well_as_the_online_agent(learning_run, tmp_path, capsys):
    run = learning_run
    bag_dir, run_dir = run.bag_dir, run.run_dir
    online = SarlAgentCore.load_checkpoint(run_dir / "checkpoint.pt")
    with (run_dir / "episodes.csv").open() as stream:
        episodes = list(csv.DictReader(stream))

    out = tmp_path / "replay"
    code = replay.main([str(bag_dir), "--updates", str(UPDATES), "--config", "learning.yaml", "--seed", str(run.seed),
                        "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text())
    # Same data: every transition the online agent learned from, and nothing else.
    assert summary["transitions"]["used"] == online.counters["env_steps"] > 0
    assert summary["episodes"].get("SUCCESS", 0) == sum(row["outcome"] == "SUCCESS" for row in episodes)

    scored = {name: greedy_success(path, run.task, LAYOUTS, proposer=run.proposer, max_candidates=run.max_candidates,
                                   max_steps=run.max_steps)
              for name, path in (("online", run_dir / "checkpoint.pt"), ("replay", out / "checkpoint.pt"))}
    wins = sum(row["outcome"] == "SUCCESS" for row in episodes)
    report = (f"{run.episodes} online episodes ({wins} successes, {online.counters['updates']} online updates), "
              f"{UPDATES} offline updates; greedy success on {LAYOUTS} held-out layouts: "
              f"online {scored['online'].success_rate:.0%}, replay {scored['replay'].success_rate:.0%}")
    print(report)
    assert scored["replay"].success_rate >= scored["online"].success_rate - MARGIN, (
        f"{report}\nonline prompts: {scored['online'].prompts[:3]}\nreplay prompts: {scored['replay'].prompts[:3]}")
