"""The same SARL run two ways: the simulated ROS graph as separate processes, and the ROS-free loop.

Shared by the ROS-vs-ROS-free cross-check and the graph benchmark: both need "N episodes of SARL on
this task with this seed" through the graph (started exactly as ``make demo`` starts it) and without it.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .harness import RunResult, RunSpec, run
from .methods import load_learning


@dataclass(frozen=True)
class GraphRun:
    run_dir: Path
    """The agent's outputs: episodes.csv, checkpoint.pt, learning_curve.png."""
    bag_dir: Path
    """Folder holding the recorder's bag of this run."""

    def outcomes(self) -> list[bool]:
        """Labelled episodes in order (aborted ones left out): True for success."""
        with (self.run_dir / "episodes.csv").open() as stream:
            rows = [row for row in csv.DictReader(stream) if row["outcome"] in ("SUCCESS", "FAILURE")]
        return [row["outcome"] == "SUCCESS" for row in rows]


def run_graph(task: str, seed: int, episodes: int, work: Path, run_id: str) -> GraphRun:
    """Start the sim graph (any free policy port), wait for the agent's ``episodes``; RuntimeError on a bad exit."""
    bag_dir = work / run_id / "bags"
    command = [
        sys.executable, "-m", "sarl_bringup.local_launch", "--profile", "sim", "--sim-policy-port", "0",
        "--log-dir", str(work / run_id / "logs"), "--set", f"recorder.bag_dir={bag_dir}",
        "--set", f"sarl_agent.task_name={task}", "--set", f"sarl_agent.seed={seed}",
        "--set", f"sarl_agent.episodes={episodes}", "--set", f"sarl_agent.run_id={run_id}",
        "--set", f"sarl_agent.output_dir={work}", "--set", f"widowx_driver.task_name={task}",
        "--set", f"vlm_proposer.offline_task={task}", "--set", f"vlm_proposer.seed={2 * seed}",
    ]
    log_path = work / f"{run_id}.log"
    work.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        code = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
    if code != 0:
        raise RuntimeError(f"the ROS graph run {run_id!r} exited with {code}; see {log_path}")
    return GraphRun(work / run_id, bag_dir)


def run_ros_free(task: str, seed: int, episodes: int) -> RunResult:
    """SARL online without ROS (the evaluation's loop); greedy evaluation only at the start and end, for speed.

    The step budget is the graph's (``sarl_agent.max_semantic_steps``), not the evaluation's default, and so
    is the proposer: the graph's ``scene`` backend, which the evaluation calls ``oracle``.
    """
    max_steps = int(sim_parameters()["sarl_agent"]["max_semantic_steps"])
    return run(RunSpec(method="sarl", task=task, seed=seed, episodes=episodes, eval_every=0, eval_episodes=1,
                       max_steps=max_steps, proposer="oracle", learning=load_learning()))


def sim_parameters() -> dict:
    """The sim graph's parameter file (``config/sim.yaml``) as installed, as a mapping of node sections."""
    import yaml
    from ament_index_python.packages import get_package_share_directory

    path = Path(get_package_share_directory("sarl_bringup")) / "config" / "sim.yaml"
    return {node: section["ros__parameters"] for node, section in yaml.safe_load(path.read_text()).items()}
