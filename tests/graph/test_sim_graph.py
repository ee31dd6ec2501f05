"""The whole simulated graph as real processes over DDS, started the way `make demo` starts it."""

from __future__ import annotations

import csv
import sys
from collections import defaultdict

import numpy as np
import pytest
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.serialization import deserialize_message
from sarl_agent.bag.reader import BagSet, find_bags
from sarl_agent.nodes.messages import decode_image
from sarl_interfaces.msg import SemanticTransition
from support.processes import PeerProcess
from support.ros_node import wait_until

pytestmark = pytest.mark.graph

EPISODES = 8
TASK = "pot_lid_to_towel"


@pytest.fixture
def graph_run(spun_node, tmp_path):
    """Run the sim graph for a few episodes; collect every transition it publishes."""
    received: list[SemanticTransition] = []
    qos = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
    spun_node.node.create_subscription(SemanticTransition, "sarl/transitions", received.append, qos)
    run_id = "graph-test"
    launcher = PeerProcess([
        sys.executable, "-m", "sarl_bringup.local_launch", "--profile", "sim", "--log-dir", str(tmp_path / "logs"),
        "--sim-policy-port", "0", "--set", f"recorder.bag_dir={tmp_path / 'bags'}",
        "--set", f"sarl_agent.episodes={EPISODES}", "--set", f"sarl_agent.task_name={TASK}",
        "--set", f"sarl_agent.run_id={run_id}", "--set", f"sarl_agent.output_dir={tmp_path}",
        "--set", f"vlm_proposer.offline_task={TASK}", "--set", f"widowx_driver.task_name={TASK}",
    ], tmp_path / "launcher.log")
    wait_until(lambda: not launcher.is_running(), 300, "the agent to finish its episodes")
    code = launcher.stop()
    log = launcher.log_text()
    assert code == 0, f"graph exited with {code}:\n{log[-4000:]}"
    return received, tmp_path / run_id, log, tmp_path / "bags"


def test_sim_graph_logs_one_transition_per_semantic_step_and_stops_cleanly(graph_run):
    received, run_dir, log, bag_dir = graph_run
    with (run_dir / "episodes.csv").open() as stream:
        episodes = list(csv.DictReader(stream))
    assert len(episodes) == EPISODES
    # A transition the recorder was slow to acknowledge is re-sent with the same sequence: count it once.
    received = list({m.sequence: m for m in received}.values())
    by_episode: dict[int, list[SemanticTransition]] = defaultdict(list)
    for message in received:
        by_episode[message.episode].append(message)
    assert sorted(by_episode) == list(range(EPISODES)), log[-3000:]
    for row in episodes:
        steps = by_episode[int(row["episode"])]
        assert [m.step for m in steps] == list(range(int(row["steps"])))
        assert [m.chosen_prompt for m in steps] == row["prompts"].split(" | ")
        assert steps[-1].terminal and not any(m.terminal for m in steps[:-1])
        assert steps[-1].reward == (1.0 if row["outcome"] == "SUCCESS" else 0.0)
        for message in steps:
            assert message.chosen_prompt == message.candidates.prompts[message.chosen_index]
            assert np.isclose(sum(message.probabilities), 1.0, atol=1e-4)
            image = decode_image(message.observation.image)
            assert image is not None and image.shape == (256, 256, 3)
    sequences = [m.sequence for m in received]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert (run_dir / "checkpoint.pt").is_file() and (run_dir / "learning_curve.png").is_file()
    assert "died" not in log
    assert "recorder acknowledged all" in log

    # Everything the agent published is in the run's bag, in order, decodable (issue 6).
    (bag,) = find_bags([bag_dir])
    in_bag = [deserialize_message(m.raw, SemanticTransition) for m in BagSet([bag]).transitions()]
    assert [(m.episode, m.step, m.sequence) for m in in_bag] == [(m.episode, m.step, m.sequence) for m in received]
    assert all(decode_image(m.observation.image).shape == (256, 256, 3) for m in in_bag)
