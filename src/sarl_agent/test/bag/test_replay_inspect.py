"""The offline tools: replay (bags -> checkpoint the agent resumes) and inspect_bag (episode table, no ROS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from ament_index_python.packages import get_package_prefix
from sarl_auth import load_or_create_secret

from sarl_agent import replay
from sarl_agent.bag import inspect
from sarl_agent.bag.recovery import storage_file
from sarl_agent.bag.convert import serialize
from sarl_agent.bag.synthetic import synthetic_messages, transition_topic, write_synthetic_bag
from sarl_agent.bag.writer import DurableBagWriter
from sarl_agent.learning.observation import Observation
from sarl_agent.learning.synthetic_mdp import OPEN_DRAWER, TASK, SyntheticSemanticMdp
from sarl_agent.learning.trainer import SarlAgentCore

PACKAGE_SOURCE = Path(inspect.__file__).resolve().parents[2]
AUTH_SOURCE = Path(__file__).resolve().parents[3] / "sarl_auth"
"""sarl_auth (ROS-free) verifies the MACs: a workstation without ROS has it next to sarl_agent."""
CONFIG = {
    "cache_capacity": 64,
    "encoder": {"kind": ["history", "proprio"], "max_steps": 8},
    "q": {"hidden_sizes": [64, 64], "ensemble_size": 2},
    "policy": {"temperature": 0.05},
    "td": {"gamma": 0.9, "batch_size": 64, "min_replay": 32},
    "replay": {"capacity": 4000},
}


@pytest.fixture(scope="module")
def bags(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bags")
    secret = load_or_create_secret()
    write_synthetic_bag(root / "run-a_2025_01_01-10_00_00", 500, seed=3, run_id="run-a", with_images=False,
                        secret=secret)
    write_synthetic_bag(root / "run-b_2025_01_02-10_00_00", 300, seed=4, run_id="run-b", with_images=False,
                        secret=secret)
    return root


@pytest.fixture
def config_file(tmp_path) -> Path:
    path = tmp_path / "learning.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    return path


def test_replay_learns_from_bags_and_the_checkpoint_loads_and_acts(bags, config_file, tmp_path, capsys):
    out = tmp_path / "offline"
    code = replay.main([str(bags), "--updates", "300", "--config", str(config_file), "--out", str(out), "--seed", "1"])
    assert code == 0, capsys.readouterr().err

    agent = SarlAgentCore.load_checkpoint(out / "checkpoint.pt")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == ["run-a", "run-b"]
    assert summary["transitions"]["read"] == 800
    assert len(agent.replay) == summary["transitions"]["used"] > 780  # all but the cut-off last episodes
    rate = summary["success_rate_by_task"][TASK]
    assert rate["episodes"] == summary["episodes"]["SUCCESS"] + summary["episodes"]["FAILURE"] > 150
    assert agent.counters["updates"] == 300 and agent.counters["episodes"] == 0
    assert (out / "loss_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # The task prompt "sounds right" but always fails at once: offline Q must have learned to avoid it.
    start = Observation(0, (), SyntheticSemanticMdp(np.random.default_rng(0)).reset())
    candidates = [agent.cache.id_of(p) for p in ("reset to home", TASK, OPEN_DRAWER)]
    q = dict(zip(candidates, agent.q_values(start)[candidates], strict=True))
    assert q[agent.cache.id_of(TASK)] < 0.2 < q[agent.cache.id_of(OPEN_DRAWER)]
    assert agent.act(start, candidates, greedy=True).action != agent.cache.id_of(TASK)
    printed = capsys.readouterr().out
    assert "2 run(s)" in printed and "success rate" in printed and "checkpoint.pt" in printed


def test_replay_names_a_corrupted_bag_and_trains_on_the_rest(bags, config_file, tmp_path, capsys):
    broken = tmp_path / "broken_2025_01_03-10_00_00"
    write_synthetic_bag(broken, 20, seed=5, run_id="run-c", with_images=False, secret=load_or_create_secret())
    storage_file(broken).write_bytes(os.urandom(4000))
    out = tmp_path / "offline"
    code = replay.main([str(bags), str(broken), "--updates", "5", "--config", str(config_file), "--out", str(out)])
    assert code == 0
    error = capsys.readouterr().err
    assert f"error: {broken}" in error and "broken_2025_01_03-10_00_00_0.mcap" in error
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == ["run-a", "run-b"] and len(summary["problems"]) == 1


def test_replay_without_usable_transitions_fails_clearly(tmp_path, config_file, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert replay.main([str(empty), "--updates", "5", "--config", str(config_file), "--out", str(tmp_path)]) == 1
    assert "no transitions" in capsys.readouterr().err


def test_inspect_prints_one_row_per_episode(bags, capsys):
    assert inspect.main([str(bags / "run-a_2025_01_01-10_00_00")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("1 bag(s), 1 run(s): run-a")
    assert lines[1].split() == ["episode", "task", "outcome", "prompts", "chosen"]
    first = lines[3]
    assert first.startswith("0 ") and TASK in first and ("FAILURE" in first or "SUCCESS" in first)
    assert " -> " in "".join(lines[3:]) and any(line.startswith(f"success '{TASK}'") for line in lines)


def test_inspect_reads_an_unfinished_bag_without_changing_it_and_needs_no_ros(tmp_path):
    bag = tmp_path / "killed"
    write_synthetic_bag(bag, 30, seed=6, run_id="run-k", with_images=True, secret=load_or_create_secret())
    (bag / "metadata.yaml").unlink()
    data = storage_file(bag).read_bytes()
    storage_file(bag).write_bytes(data[: len(data) * 2 // 3])  # as a SIGKILLed recorder leaves it
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMENT", "ROS", "COLCON", "LD_LIBRARY"))}
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE_SOURCE), str(AUTH_SOURCE)])
    probe = ("import sys; from sarl_agent.bag.inspect import main; code = main(sys.argv[1:]); "
             "assert not {'rclpy', 'torch'} & set(sys.modules), 'inspect imported ROS or torch'; sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", probe, str(bag)], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "unfinished" in result.stdout and "run-k" in result.stdout and "every transition signed" in result.stdout
    assert sorted(p.name for p in bag.iterdir()) == [f"{bag.name}_0.mcap"]  # read-only


def test_installed_inspect_bag_command_runs(bags):
    command = Path(get_package_prefix("sarl_agent")) / "lib" / "sarl_agent" / "inspect_bag"
    result = subprocess.run([str(command), str(bags)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "2 bag(s), 2 run(s): run-a, run-b" in result.stdout


def test_inspect_and_replay_skip_unsigned_and_forged_transitions_and_say_how_many(tmp_path, config_file, capsys):
    """A bag holding the agent's 40 signed transitions and 12 an attacker wrote (6 unsigned, 6 with a bad MAC)."""
    bag = tmp_path / "mixed"
    writer = DurableBagWriter(bag)
    topic = transition_topic()
    writer.add_topic(topic)
    secret = load_or_create_secret()
    signed = list(synthetic_messages(40, seed=7, run_id="run-m", with_images=False, secret=secret))
    unsigned = list(synthetic_messages(6, seed=8, run_id="run-m", with_images=False,
                                       start_ns=1_800_000_000_000_000_000))
    forged = list(synthetic_messages(6, seed=9, run_id="run-m", with_images=False, start_ns=1_900_000_000_000_000_000,
                                     secret=b"not the run secret, 32 bytes...."))
    for index, msg in enumerate([*signed, *unsigned, *forged]):
        writer.write(topic.name, serialize(msg), 1_000 + index)
    writer.close()

    capsys.readouterr()
    assert inspect.main([str(bag)]) == 0
    verified = capsys.readouterr().out
    assert "skipped 12 transitions (6 unsigned, 6 forged)" in verified
    assert inspect.main([str(bag), "--no-verify"]) == 0
    unverified = capsys.readouterr().out
    assert "NOT verified" in unverified and unverified != verified

    out = tmp_path / "offline"
    assert replay.main([str(bag), "--updates", "5", "--config", str(config_file), "--out", str(out)]) == 0
    transitions = json.loads((out / "summary.json").read_text())["transitions"]
    assert (transitions["read"], transitions["unsigned"], transitions["forged"]) == (40, 6, 6)
