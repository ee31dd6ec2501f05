"""A parameter file is held against what the graph's nodes declare: each mistake is named, node and key.

Why: ROS silently ignores a section for a misspelt node and a node may ignore
an undeclared key, so without this check a typo reaches the robot unnoticed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sarl_bringup.graph import graph_for
from sarl_bringup.launch_arguments import LaunchArgument
from sarl_bringup.parameter_schema import check_launch_arguments, check_parameters, load_parameter_file


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(text)
    return path


def problems_of(tmp_path: Path, text: str, profile: str = "sim") -> list[str]:
    return check_parameters(graph_for(profile), load_parameter_file(write(tmp_path, text)))


def test_a_valid_file_with_nested_and_namespaced_sections_has_no_problems(tmp_path):
    text = """
/robot1/reset_controller:
  ros__parameters:
    pid: {kp: 0.5}
vla_bridge:
  ros__parameters:
    policy_port: 9000
/**:
  ros__parameters:
    use_sim_time: false
"""
    assert problems_of(tmp_path, text) == []


def test_a_misspelt_node_section_is_named(tmp_path):
    problems = problems_of(tmp_path, "vla_brige:\n  ros__parameters:\n    policy_port: 9000\n")
    assert len(problems) == 1 and "'vla_brige' names no node" in problems[0]


def test_a_section_for_the_plain_policy_server_program_is_refused(tmp_path):
    problems = problems_of(tmp_path, "sim_policy_server:\n  ros__parameters:\n    port: 9000\n")
    assert problems and "plain program" in problems[0]


def test_an_undeclared_key_is_named_with_the_allowed_ones(tmp_path):
    problems = problems_of(tmp_path, "widowx_driver:\n  ros__parameters:\n    camera_index: 2\n")
    assert len(problems) == 1
    assert "widowx_driver: unknown parameters ['camera_index']" in problems[0] and "camera_device" in problems[0]


@pytest.mark.parametrize(("section", "key", "value", "words"), [
    ("vla_bridge", "policy_port", "70000", "policy_port"),
    ("widowx_driver", "backend", "gazebo", "backend"),
    ("reset_controller", "rate_hz", "-1.0", "rate_hz"),
    ("sarl_agent", "episodes", "-3", "episodes"),
    ("recorder", "bag_dir", '""', "bag_dir"),
])  # fmt: skip
def test_an_out_of_range_value_fails_with_the_nodes_own_message(tmp_path, section, key, value, words):
    problems = problems_of(tmp_path, f"{section}:\n  ros__parameters:\n    {key}: {value}\n")
    assert len(problems) == 1 and problems[0].startswith(f"{section}:") and words in problems[0]


def test_a_wildcard_key_no_node_declares_is_reported(tmp_path):
    problems = problems_of(tmp_path, "/**:\n  ros__parameters:\n    control_rate: 5\n")
    assert problems == ["section '/**': parameters ['control_rate'] are declared by no node of the graph"]


def test_not_a_parameter_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="must hold a 'ros__parameters' mapping"):
        load_parameter_file(write(tmp_path, "vla_bridge:\n  policy_port: 9000\n"))


def test_launch_arguments_aimed_at_a_missing_node_or_parameter_are_named():
    arguments = {"port": LaunchArgument("", (("vla_bridge", "policy_prot"),), int),
                 "n": LaunchArgument("", (("agent", "episodes"),), int)}
    problems = check_launch_arguments(graph_for("real_widowx"), arguments)
    assert problems == [
        "launch argument 'port' sets vla_bridge.policy_prot, which vla_bridge does not declare",
        "launch argument 'n' targets 'agent', not a ROS node of the graph",
    ]
