"""Launch arguments vs the parameter file, under the real ``ros2 launch``: the file is the source of truth.

Why: argument defaults used to override the file silently (sim.yaml said 40 episodes, the
launch ran 30), a user's own YAML was ignored for the arguments' parameters, and
``task_name:=`` missed the proposer. Now no argument has a value unless given.
"""

from __future__ import annotations

import csv
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from sarl_bringup.launch_arguments import free_port
from sarl_bringup.parameter_schema import load_parameter_file
from support.launch_stack import launch_prefix
from support.ros_node import wait_until

pytestmark = pytest.mark.graph

SIM_YAML = Path(__file__).resolve().parents[2] / "config" / "sim.yaml"
OTHER_TASK = "left_toy_largest_bowl"
STARTUP_TIMEOUT = 180.0
"""[s] seven Python processes importing torch on a loaded 2-core machine."""


def dump(node: str, timeout: float = STARTUP_TIMEOUT) -> dict:
    """``ros2 param dump /node`` (the real CLI), flattened; retried until the node is up."""
    deadline_error = ""
    result = None

    def answered() -> bool:
        nonlocal result, deadline_error
        run = subprocess.run([*launch_prefix(), "ros2", "param", "dump", "--no-daemon", "--timeout", "5", f"/{node}"],
                             capture_output=True, text=True, timeout=120)
        deadline_error = run.stdout[-500:] + run.stderr[-1000:]
        if run.returncode == 0 and run.stdout.strip():
            result = run.stdout
            return True
        return False

    try:
        wait_until(answered, timeout, f"ros2 param dump /{node}")
    except TimeoutError as error:
        raise AssertionError(f"{error}: {deadline_error}") from None
    document = yaml.safe_load(result)
    assert isinstance(document, dict) and document, f"ros2 param dump /{node} printed nothing: {result!r}"
    from sarl_bringup.parameter_schema import flatten

    (section,) = document.values()
    return flatten(section["ros__parameters"])


def dump_all(nodes: list[str]) -> dict[str, dict]:
    """``ros2 param dump`` of several nodes at once (each CLI start costs seconds on a loaded machine)."""
    with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        return dict(zip(nodes, pool.map(dump, nodes), strict=True))


def stop_with_sigint(launch) -> int:
    import signal

    launch.send_signal(signal.SIGINT)
    return launch.wait(60.0)


@pytest.mark.timeout(420)
def test_no_arguments_runs_exactly_the_parameter_file_and_param_dump_works_for_every_node(start_launch):
    launch = start_launch("sarl_bringup", "sim.launch.py")
    expected = load_parameter_file(SIM_YAML)
    dumps = dump_all(sorted(expected))
    for node, parameters in expected.items():
        dumped = dumps[node]
        differing = {key: (value, dumped.get(key)) for key, value in parameters.items() if dumped.get(key) != value}
        assert not differing, f"{node}: (sim.yaml, running) {differing}"
    assert stop_with_sigint(launch) == 0, launch.output()[-3000:]


@pytest.mark.timeout(420)
def test_one_task_argument_reaches_every_node_and_the_policy_port_argument_moves_server_and_bridge(start_launch):
    port = free_port()
    launch = start_launch("sarl_bringup", "sim.launch.py", f"task_name:={OTHER_TASK}", "episodes:=25",
                          f"sim_policy_port:={port}")
    dumps = dump_all(["sarl_agent", "widowx_driver", "vlm_proposer", "vla_bridge"])
    assert (dumps["sarl_agent"]["task_name"], dumps["sarl_agent"]["episodes"]) == (OTHER_TASK, 25)
    assert dumps["widowx_driver"]["task_name"] == OTHER_TASK
    assert dumps["vlm_proposer"]["offline_task"] == OTHER_TASK
    assert dumps["vla_bridge"]["policy_port"] == port
    wait_until(lambda: f"listening on ws://127.0.0.1:{port}" in launch.output(), 60, f"the sim server on {port}")
    assert stop_with_sigint(launch) == 0, launch.output()[-3000:]


@pytest.mark.timeout(420)
def test_a_users_parameter_file_is_obeyed_and_the_sim_launch_runs_to_completion(start_launch, tmp_path):
    params = yaml.safe_load(SIM_YAML.read_text())
    port = free_port()
    params["sarl_agent"]["ros__parameters"].update(episodes=2, max_semantic_steps=4, output_dir="my_runs")
    params["vla_bridge"]["ros__parameters"]["policy_port"] = port
    params["recorder"]["ros__parameters"]["bag_dir"] = "my_bags"
    user_file = tmp_path / "my_sim.yaml"
    user_file.write_text(yaml.safe_dump(params))

    launch = start_launch("sarl_bringup", "sim.launch.py", f"params_file:={user_file}")
    code = launch.wait(300.0)
    output = launch.output()
    assert code == 0, output[-3000:]
    assert "run finished" in output, output[-3000:]
    assert f"listening on ws://127.0.0.1:{port}" in output, "the sim server did not take the file's policy_port"
    (episodes_csv,) = (tmp_path / "my_runs").rglob("episodes.csv")
    with episodes_csv.open() as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 2, rows
    assert all(len(row["prompts"].split(" | ")) <= 4 for row in rows), rows
    assert list((tmp_path / "my_bags").iterdir()), "the recorder ignored the file's bag_dir"
