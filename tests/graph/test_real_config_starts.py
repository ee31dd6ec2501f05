"""Every node of the real-robot graph starts with ``config/real_widowx.yaml`` as shipped.

Why: a parameter file is read only when the node starts, and the real robot is where it is first read. A
wrong key, a wrong type (a string list declared as bytes) or a missing package would otherwise surface in a
lab, not here. The driver cannot connect without the Interbotix stack: it must say so and exit non-zero.
The Gemini key is a dummy; no node makes a network call while starting.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sarl_bringup.graph import graph_for
from sarl_bringup.local_launch import command_for
from support.processes import PeerProcess
from support.ros_node import wait_until

pytestmark = pytest.mark.graph

CONFIG = Path(__file__).resolve().parents[2] / "config" / "real_widowx.yaml"
STARTED = {
    "reset_controller": "ready:",
    "vla_bridge": "ready: policy ws://gpu-host.local:8000",
    "vlm_proposer": "ready: backend gemini",
    "recorder": "recording /sarl/transitions",
    "sarl_agent": "waiting up to 60 s for the proposer",
}
"""What each node logs once it is up with the real configuration (the agent then waits for the driver)."""


def test_every_node_starts_with_the_real_widowx_parameters(tmp_path, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "dummy-key-for-startup")
    graph = graph_for("real_widowx")
    assert {node.name for node in graph.nodes} == {*STARTED, "widowx_driver"}
    overrides = {  # files the real config puts in the working directory go to tmp_path instead
        "recorder": [f"bag_dir:={tmp_path / 'bags'}"],
        "vlm_proposer": [f"prompt_cache_file:={tmp_path / 'prompt_cache.json'}"],
        "sarl_agent": [f"output_dir:={tmp_path / 'runs'}"],
    }
    nodes = {node.name: PeerProcess(command_for(node, CONFIG, overrides), tmp_path / f"{node.name}.log")
             for node in graph.nodes}
    try:
        driver = nodes["widowx_driver"]
        wait_until(lambda: not driver.is_running(), 60, "the driver to give up without the Interbotix stack")
        assert "needs the Python package 'interbotix_xs_modules'" in driver.log_text()
        for name, marker in STARTED.items():
            wait_until(lambda n=name, m=marker: m in nodes[n].log_text(), 60, f"{name} to start")
            assert nodes[name].is_running(), nodes[name].log_text()
    finally:
        codes = {name: process.stop() for name, process in nodes.items()}
    assert codes.pop("widowx_driver") not in (0, None)
    assert codes == dict.fromkeys(STARTED, 0), {name: nodes[name].log_text()[-1500:] for name in codes}


def test_the_agent_does_not_start_episodes_without_the_driver(tmp_path):
    """Every server may be up, but with no arm_state nobody reports on the arm: the agent stops, saying why."""
    graph = graph_for("real_widowx")
    agent = next(node for node in graph.nodes if node.name == "sarl_agent")
    overrides = {"sarl_agent": [f"output_dir:={tmp_path / 'runs'}", "server_timeout:=2.0"]}
    process = PeerProcess(command_for(agent, CONFIG, overrides), tmp_path / "agent.log")
    try:
        wait_until(lambda: not process.is_running(), 60, "the agent to give up")
    finally:
        code = process.stop()
    assert code == 1
    assert "not available after 2 s: " in process.log_text() and "arm_state from the driver" in process.log_text()
