"""The sarl node graph, described once.

Both the ROS 2 launch files (``launch/*.launch.py``) and the local process runner
(``sarl_bringup.local_launch``, used where ``ros2 launch`` is absent) read this
description, so the two ways of starting the stack can never drift apart.
Nothing here imports ROS.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

PROFILES = ("sim", "real_widowx")


@dataclass(frozen=True)
class NodeSpec:
    """One process of the graph: a ROS 2 node or a plain program (the sim policy server)."""

    package: str
    """ROS 2 package that installs the executable."""
    executable: str
    """console_scripts entry installed under ``lib/<package>/``."""
    name: str
    """Node name (also the section of the parameter file that configures it)."""
    is_ros_node: bool = True
    """False for plain programs that take command-line arguments instead of ROS parameters."""
    arguments: tuple[str, ...] = ()
    """Extra command-line arguments (plain programs only)."""
    required: bool = True
    """If it dies, the whole graph is stopped with an error (unless it is restarted: ``respawn``)."""
    respawn: bool = False
    """Restart it when it dies during the run (the local launcher, up to ``MAX_RESPAWNS`` times)."""


@dataclass(frozen=True)
class GraphSpec:
    """A complete graph: the processes and the parameter file they share."""

    profile: str
    parameter_file: str
    """File name in ``config/`` (installed to ``share/sarl_bringup/config``)."""
    nodes: tuple[NodeSpec, ...] = field(default_factory=tuple)
    main_node: str = "sarl_agent"
    """The node whose clean exit ends the run (the agent exits after its episode budget)."""

    def packages(self) -> set[str]:
        return {node.package for node in self.nodes}


_COMMON = (
    NodeSpec("widowx_driver", "driver", "widowx_driver"),
    NodeSpec("reset_controller", "reset_controller", "reset_controller"),
    NodeSpec("sarl_vla_bridge", "vla_bridge", "vla_bridge"),
    NodeSpec("sarl_agent", "vlm_proposer", "vlm_proposer"),
    # Restarted when it dies: the agent keeps and re-sends what is unacknowledged, and the new recorder
    # reads (and recovers) the bags of the run it already holds, so nothing acknowledged is lost.
    NodeSpec("sarl_agent", "recorder", "recorder", respawn=True),
    NodeSpec("sarl_agent", "agent", "sarl_agent"),
)

SIM_POLICY_PORT = 8000
"""Default port of the simulator's openpi policy server (openpi's own default)."""

SIM_POLICY_SERVER = NodeSpec(
    "sarl_sim", "policy_server", "sim_policy_server", is_ros_node=False,
    arguments=("--host", "127.0.0.1", "--port", str(SIM_POLICY_PORT)),
    required=False,
)
"""Not required, like the real policy server on its GPU host: if it dies, goals abort and the agent goes
on once a server answers again on the same port."""


def with_policy_port(graph: GraphSpec, port: int) -> GraphSpec:
    """The same graph with the simulator's policy server on ``port`` (the bridge must be told too)."""
    nodes = tuple(
        replace(node, arguments=("--host", "127.0.0.1", "--port", str(port))) if node == SIM_POLICY_SERVER else node
        for node in graph.nodes
    )
    return replace(graph, nodes=nodes)


def graph_for(profile: str) -> GraphSpec:
    """The graph of one deployment profile: ``sim`` (built-in simulator) or ``real_widowx``."""
    if profile == "sim":
        return GraphSpec("sim", "sim.yaml", (SIM_POLICY_SERVER, *_COMMON))
    if profile == "real_widowx":
        # The policy server runs on the GPU host; the graph only reaches it over the network.
        return GraphSpec("real_widowx", "real_widowx.yaml", _COMMON)
    raise ValueError(f"unknown graph profile {profile!r}; choose one of {PROFILES}")
