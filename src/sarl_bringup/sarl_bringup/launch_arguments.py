"""The launch arguments of each graph profile and what they set: the parameter file stays the source of truth.

Why: a launch argument with a default silently overrides the parameter file
(``sim.yaml`` said 40 episodes, the launch ran 30). Here no argument has a value
unless the user gives one; only then does it override the parameters it names,
and one argument sets every node that needs the value (``task_name`` reaches the
agent, the simulated driver and the proposer). No ROS here: the launch files,
``sarl doctor`` and the tests share it.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .graph import SIM_POLICY_PORT


@dataclass(frozen=True)
class LaunchArgument:
    """One ``name:=value`` of ``ros2 launch``; unset unless given."""

    description: str
    targets: tuple[tuple[str, str], ...]
    """(node name, parameter) pairs the value is written to."""
    kind: type = str
    """``str`` or ``int``: the value's type as the nodes declare it."""


SIM_POLICY_PORT_ARGUMENT = "sim_policy_port"
"""Sets the simulator's policy server's port and the bridge's ``policy_port`` together; 0 picks a free port."""

ARGUMENTS: dict[str, dict[str, LaunchArgument]] = {
    "sim": {
        "episodes": LaunchArgument("episodes of the run", (("sarl_agent", "episodes"),), int),
        "task_name": LaunchArgument(
            "simulator task slug, for every node that needs it",
            (("sarl_agent", "task_name"), ("widowx_driver", "task_name"), ("vlm_proposer", "offline_task")),
        ),
        SIM_POLICY_PORT_ARGUMENT: LaunchArgument(
            "port of the simulator's policy server and of the bridge (0: any free port)",
            (("vla_bridge", "policy_port"),), int,
        ),
    },
    "real_widowx": {
        "policy_host": LaunchArgument("host of the openpi policy server", (("vla_bridge", "policy_host"),)),
        "policy_port": LaunchArgument("port of the openpi policy server", (("vla_bridge", "policy_port"),), int),
        "task": LaunchArgument("the instruction the operator labels", (("sarl_agent", "task"),)),
        "episodes": LaunchArgument("episodes of the run", (("sarl_agent", "episodes"),), int),
    },
}
"""Profile → argument name → what it sets. Every other parameter comes from ``params_file`` alone."""


def typed_value(profile: str, name: str, text: str) -> Any:
    """The value of ``name:=text`` as its parameters are declared; ValueError names the argument."""
    argument = ARGUMENTS[profile][name]
    if argument.kind is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"launch argument {name}:={text!r} must be an integer") from None
    if not text.strip():
        raise ValueError(f"launch argument {name}:= must not be empty (leave it out to use the parameter file)")
    return text


def parameter_overrides(profile: str, given: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Node → {parameter: value} for the arguments the user gave (empty strings count as not given)."""
    overrides: dict[str, dict[str, Any]] = {}
    for name, text in given.items():
        if name not in ARGUMENTS.get(profile, {}) or text == "":
            continue
        value = typed_value(profile, name, text)
        for node, parameter in ARGUMENTS[profile][name].targets:
            overrides.setdefault(node, {})[parameter] = value
    return overrides


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sim_policy_port(given: str, bridge_parameters: Mapping[str, Any]) -> int:
    """The port the simulator's policy server listens on: the argument if given (0 = free), else the file's."""
    if given != "":
        port = typed_value("sim", SIM_POLICY_PORT_ARGUMENT, given)
        return port or free_port()
    return int(bridge_parameters.get("policy_port", SIM_POLICY_PORT))
