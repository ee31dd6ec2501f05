"""Which ROS parameters each node of the graph declares, and a check of a parameter file against them.

Why: ROS ignores a parameter-file section whose node name is misspelt, and a node
ignores or refuses a key it does not declare; on a robot either mistake shows up
minutes later as "the arm does something odd". The static test of the graph and
``sarl doctor`` both read this one table, so CI and the deployment check agree.
Validation builds each node's real config object (the dataclasses the nodes
use), so range and type errors come with the node's own message. No ROS here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .graph import GraphSpec

if TYPE_CHECKING:
    from .launch_arguments import LaunchArgument

BUILTIN_PARAMETERS = frozenset({"use_sim_time"})
"""Parameters every rclpy node declares by itself."""
WILDCARD = "**"


@dataclass(frozen=True)
class NodeSchema:
    """The parameters of one executable: their names, and the node's own validation."""

    names: Callable[[], frozenset[str]]
    validate: Callable[[dict[str, Any]], object]
    """Builds the node's config from parameter values; raises ValueError/TypeError naming the key."""


def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


def _driver() -> NodeSchema:
    from widowx_driver.driver_config import DriverConfig

    return NodeSchema(lambda: frozenset(DriverConfig.defaults()), DriverConfig.from_parameters)


def _reset_controller() -> NodeSchema:
    from reset_controller.controller_config import PARAMETER_DEFAULTS, ResetControllerConfig

    return NodeSchema(lambda: frozenset(PARAMETER_DEFAULTS), ResetControllerConfig.from_parameters)


def _bridge() -> NodeSchema:
    from sarl_vla_bridge.config import BridgeConfig

    return NodeSchema(lambda: _field_names(BridgeConfig), BridgeConfig.from_mapping)


def _proposer() -> NodeSchema:
    from sarl_agent.proposer.config import ProposerConfig

    return NodeSchema(lambda: _field_names(ProposerConfig), ProposerConfig.from_mapping)


RECORDER_DEFAULTS = {"bag_dir": "bags"}
"""The recorder node's one parameter (declared in ``sarl_agent.nodes.recorder_node``)."""


def _recorder_config(values: dict[str, Any]) -> dict[str, Any]:
    bag_dir = {**RECORDER_DEFAULTS, **values}["bag_dir"]
    if not isinstance(bag_dir, str) or not bag_dir.strip():
        raise ValueError(f"bag_dir must be a non-empty folder path, got {bag_dir!r}")
    return {"bag_dir": bag_dir}


def _recorder() -> NodeSchema:
    return NodeSchema(lambda: frozenset(RECORDER_DEFAULTS), _recorder_config)


def _agent() -> NodeSchema:
    from sarl_agent.agent_settings import AgentSettings

    return NodeSchema(lambda: _field_names(AgentSettings), lambda values: AgentSettings(**values))


SCHEMAS: dict[tuple[str, str], Callable[[], NodeSchema]] = {
    ("widowx_driver", "driver"): _driver,
    ("reset_controller", "reset_controller"): _reset_controller,
    ("sarl_vla_bridge", "vla_bridge"): _bridge,
    ("sarl_agent", "vlm_proposer"): _proposer,
    ("sarl_agent", "recorder"): _recorder,
    ("sarl_agent", "agent"): _agent,
}
"""(package, executable) → its schema. A node missing here is not checked (add it when it joins the graph)."""


def schema_for(package: str, executable: str) -> NodeSchema | None:
    factory = SCHEMAS.get((package, executable))
    return None if factory is None else factory()


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested YAML mappings → dotted ROS parameter names (``pid: {kp: 1}`` → ``pid.kp``)."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def load_parameter_file(path: Path | str) -> dict[str, dict[str, Any]]:
    """Node name → its flattened parameters; ``/**`` sections are kept under ``"**"``.

    Namespaced keys (``/robot1/widowx_driver``) are reduced to the node name.
    Raises ValueError naming the file for anything that is not a ROS parameter file.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a parameter file must map node names to sections, got {type(data).__name__}")
    sections: dict[str, dict[str, Any]] = {}
    for key, body in data.items():
        node = str(key).strip("/").split("/")[-1]
        if not isinstance(body, dict) or not isinstance(body.get("ros__parameters"), dict):
            raise ValueError(f"{path}: section {key!r} must hold a 'ros__parameters' mapping")
        sections.setdefault(node, {}).update(flatten(body["ros__parameters"]))
    return sections


def launch_overrides(profile: str, given: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """The parameters the launch arguments the user gave set (none by default: the file is the source of truth)."""
    from .launch_arguments import parameter_overrides

    return parameter_overrides(profile, given or {})


def node_parameters(
    sections: Mapping[str, Mapping[str, Any]], node: str, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """What one node gets: wildcard section, then its own section, then launch overrides."""
    merged = dict(sections.get(WILDCARD, {}))
    merged.update(sections.get(node, {}))
    merged.update((overrides or {}).get(node, {}))
    return merged


def check_parameters(
    graph: GraphSpec,
    sections: Mapping[str, Mapping[str, Any]],
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[str]:
    """Problems of a parameter file for ``graph`` (empty when it is fine), each naming node and key."""
    problems: list[str] = []
    ros_nodes = {node.name: node for node in graph.nodes if node.is_ros_node}
    programs = {node.name for node in graph.nodes if not node.is_ros_node}
    for name in sections:
        if name == WILDCARD or name in ros_nodes:
            continue
        if name in programs:
            problems.append(f"section {name!r}: a plain program, configured by its arguments in graph.py, not here")
        else:
            problems.append(f"section {name!r} names no node of the {graph.profile} graph {sorted(ros_nodes)}")
    wildcard_keys = set(sections.get(WILDCARD, {}))
    known_anywhere: set[str] = set(BUILTIN_PARAMETERS)
    for name, spec in ros_nodes.items():
        schema = schema_for(spec.package, spec.executable)
        if schema is None:
            continue
        known = schema.names() | BUILTIN_PARAMETERS
        known_anywhere |= known
        # Wildcard keys reach every node; only the ones this node declares matter to it.
        values = {key: value for key, value in sections.get(WILDCARD, {}).items() if key in known}
        values.update(sections.get(name, {}))
        values.update((overrides or {}).get(name, {}))
        unknown = sorted(set(values) - known)
        if unknown:
            problems.append(f"{name}: unknown parameters {unknown}; known: {sorted(known - BUILTIN_PARAMETERS)}")
            continue
        try:
            schema.validate({key: value for key, value in values.items() if key not in BUILTIN_PARAMETERS})
        except (ValueError, TypeError) as error:
            problems.append(f"{name}: {error}")
    stray = sorted(wildcard_keys - known_anywhere)
    if stray:
        problems.append(f"section '/**': parameters {stray} are declared by no node of the graph")
    return problems


def check_launch_arguments(graph: GraphSpec, arguments: Mapping[str, LaunchArgument]) -> list[str]:
    """Problems of a profile's launch arguments: each must set declared parameters of ROS nodes of the graph."""
    problems = []
    ros_nodes = {node.name: node for node in graph.nodes if node.is_ros_node}
    for argument, spec_of_argument in arguments.items():
        for node, parameter in spec_of_argument.targets:
            spec = ros_nodes.get(node)
            if spec is None:
                problems.append(f"launch argument {argument!r} targets {node!r}, not a ROS node of the graph")
                continue
            schema = schema_for(spec.package, spec.executable)
            if schema is not None and parameter not in schema.names() | BUILTIN_PARAMETERS:
                problems.append(f"launch argument {argument!r} sets {node}.{parameter}, which {node} does not declare")
    return problems
