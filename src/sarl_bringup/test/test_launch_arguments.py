"""Launch arguments override the parameter file only when given, each reaching every node that needs it."""

from __future__ import annotations

import pytest
from sarl_bringup.graph import graph_for
from sarl_bringup.launch_arguments import ARGUMENTS, parameter_overrides, sim_policy_port
from sarl_bringup.launch_description import exit_reason
from sarl_bringup.local_launch import MAX_RESPAWNS


@pytest.mark.parametrize("profile", sorted(ARGUMENTS))
def test_no_argument_given_overrides_nothing(profile):
    assert parameter_overrides(profile, {}) == {}
    assert parameter_overrides(profile, dict.fromkeys(ARGUMENTS[profile], "")) == {}


def test_task_name_reaches_agent_driver_and_proposer_and_numbers_are_typed():
    overrides = parameter_overrides("sim", {"task_name": "left_toy_largest_bowl", "episodes": "3"})
    assert overrides == {
        "sarl_agent": {"task_name": "left_toy_largest_bowl", "episodes": 3},
        "widowx_driver": {"task_name": "left_toy_largest_bowl"},
        "vlm_proposer": {"offline_task": "left_toy_largest_bowl"},
    }


def test_a_bad_number_names_the_argument():
    with pytest.raises(ValueError, match="episodes:='many' must be an integer"):
        parameter_overrides("real_widowx", {"episodes": "many"})


def test_sim_policy_port_comes_from_the_file_unless_given():
    assert sim_policy_port("", {"policy_port": 8123}) == 8123
    assert sim_policy_port("9001", {"policy_port": 8123}) == 9001
    assert sim_policy_port("0", {"policy_port": 8123}) not in (0, 8123)


def test_which_exits_fail_the_launch():
    graph = graph_for("sim")
    nodes = {node.name: node for node in graph.nodes}
    assert exit_reason(nodes["sarl_agent"], graph, 0) is None
    assert "agent exited with code 1" in exit_reason(nodes["sarl_agent"], graph, 1)
    assert exit_reason(nodes["recorder"], graph, -9, exits=MAX_RESPAWNS) is None  # restarted by launch
    assert "keeps dying" in exit_reason(nodes["recorder"], graph, -9, exits=MAX_RESPAWNS + 1)
    assert "required process vla_bridge exited with code 0" in exit_reason(nodes["vla_bridge"], graph, 0)
    assert exit_reason(nodes["sim_policy_server"], graph, 1) is None
