"""The whole sim graph through the local launcher (real processes over DDS), short episodes, and what it left.

Shared by the graph attacks: a failing recorder, a cancel storm.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from sarl_agent.bag.reader import BagSet
from sarl_auth import load_or_create_secret
from support.processes import PeerProcess

EPISODES = 6
MAX_STEPS = 3
"""Short episodes: the behaviour under test is between episodes."""


def launch(tmp_path: Path, bag_dir: Path, run_id: str) -> PeerProcess:
    return PeerProcess([
        sys.executable, "-m", "sarl_bringup.local_launch", "--profile", "sim", "--log-dir", str(tmp_path / "logs"),
        "--sim-policy-port", "0", "--set", f"recorder.bag_dir={bag_dir}",
        "--set", f"sarl_agent.episodes={EPISODES}", "--set", f"sarl_agent.run_id={run_id}",
        "--set", f"sarl_agent.output_dir={tmp_path}", "--set", f"sarl_agent.max_semantic_steps={MAX_STEPS}",
    ], tmp_path / "launcher.log")


def read_log(tmp_path: Path, node: str) -> str:
    path = tmp_path / "logs" / f"{node}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def all_stored(tmp_path: Path, bag_dir: Path) -> tuple[int, list[int], BagSet]:
    """(transitions the agent says were all acknowledged, sequences in the bags, the verifying reader)."""
    agent_log = read_log(tmp_path, "sarl_agent")
    match = re.search(r"recorder acknowledged all (\d+) transitions", agent_log)
    assert match, agent_log[-3000:]
    bags = BagSet([bag_dir], secret=load_or_create_secret())
    return int(match.group(1)), sorted(m.msg.sequence for m in bags.transitions()), bags
