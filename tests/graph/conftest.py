"""One 40-episode run of the simulated graph, shared by the tests that read what a learning run leaves.

It is the slowest thing in the suite (2-4 min on two cores), so it runs once per session: the graph test
checks its transitions, bag and learning curve, the replay test learns offline from its bag.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from sarl_interfaces.msg import SemanticTransition
from support.fixtures import fresh_domain
from support.processes import PeerProcess
from support.ros_node import SpunNode, wait_until

TASK = "pot_lid_to_towel"
"""The easiest paper task (a 3-prompt plan): with the scene-aware proposer the agent learns it in ~40 episodes."""
EPISODES = 40
SEED = 2
"""The agent's seed (the demo's too, config/sim.yaml). Graph runs are not repeatable bit for bit; with the
proposer's task focus alone, seed 0 had 0 and 5 successes in two 40-episode runs, seed 2 had 11, 17 and 18;
with the goal-reading proposer and lr 3e-4, seed 2 had 34 (first 10 episodes 5, last 10 9)."""
MAX_STEPS = 8
PROPOSER, MAX_CANDIDATES = "scene", 12
"""The graph's proposer, pinned here (config/sim.yaml may change): the scene-aware stand-in for a VLM."""
RUN_ID = "learning-run"


@dataclass(frozen=True)
class LearningRun:
    received: list[SemanticTransition]
    """Every transition the agent published, as a subscriber saw them (re-sends included)."""
    run_dir: Path
    """The agent's outputs: episodes.csv, checkpoint.pt, learning_curve.png."""
    bag_dir: Path
    log: str
    episodes: int = EPISODES
    task: str = TASK
    seed: int = SEED
    max_steps: int = MAX_STEPS
    proposer: str = PROPOSER
    max_candidates: int = MAX_CANDIDATES


@pytest.fixture(scope="session")
def learning_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LearningRun]:
    work = tmp_path_factory.mktemp("learning_run")
    # A session fixture is set up before any module's domain (support.fixtures.module_domain): give the
    # learning run one of its own, so earlier modules' in-process nodes cannot crowd its discovery.
    previous, os.environ["ROS_DOMAIN_ID"] = os.environ["ROS_DOMAIN_ID"], str(fresh_domain())
    spun = SpunNode("learning_run_listener")
    received: list[SemanticTransition] = []
    qos = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
    spun.node.create_subscription(SemanticTransition, "sarl/transitions", received.append, qos)
    launcher = PeerProcess([
        sys.executable, "-m", "sarl_bringup.local_launch", "--profile", "sim", "--log-dir", str(work / "logs"),
        "--sim-policy-port", "0", "--set", f"recorder.bag_dir={work / 'bags'}",
        "--set", f"sarl_agent.episodes={EPISODES}", "--set", f"sarl_agent.task_name={TASK}",
        "--set", f"sarl_agent.run_id={RUN_ID}", "--set", f"sarl_agent.output_dir={work}",
        "--set", f"sarl_agent.seed={SEED}", "--set", "sarl_agent.learning_config_file=learning.yaml",
        "--set", f"sarl_agent.max_semantic_steps={MAX_STEPS}", "--set", f"widowx_driver.task_name={TASK}",
        "--set", "widowx_driver.wrist_camera=true",  # a second camera: the agent records its frames too
        "--set", f"vlm_proposer.backend={PROPOSER}", "--set", f"vlm_proposer.offline_task={TASK}",
        "--set", f"vlm_proposer.default_max_candidates={MAX_CANDIDATES}",
    ], work / "launcher.log")
    try:
        wait_until(lambda: not launcher.is_running(), 720, "the agent to finish its episodes")
    finally:
        code = launcher.stop()
        spun.close()
        os.environ["ROS_DOMAIN_ID"] = previous
    log = launcher.log_text()
    assert code == 0, f"graph exited with {code}:\n{log[-4000:]}"
    yield LearningRun(received, work / RUN_ID, work / "bags", log)
