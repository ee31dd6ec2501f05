"""Build a ROS 2 LaunchDescription from the graph description (needs the ROS 2 launch stack).

Each ROS node becomes a launch_ros Node with the parameter file plus only the launch
arguments the user gave (launch_arguments.py); plain programs become ExecuteProcess.
The nodes are made when the arguments are known (an OpaqueFunction), so an argument
left out leaves the file's value alone.

How the run ends: the agent exiting with 0 after its episode budget shuts the launch
down ("run finished"). A required process that exits while the graph runs, or the
agent exiting with an error, fails the launch: the reason is raised in launch's event
loop, which prints it as "Caught exception in launch ...: <reason>", stops every node
and makes ``ros2 launch`` exit with 1 (launch 3.x has no other way to set its exit code).
A ``respawn`` process (the recorder) is restarted instead, up to MAX_RESPAWNS times, as the
local launcher does: the agent keeps and re-sends what is unacknowledged meanwhile.
"""

from __future__ import annotations

import os

from .graph import SIM_POLICY_SERVER, GraphSpec, NodeSpec, graph_for, with_policy_port
from .launch_arguments import ARGUMENTS, SIM_POLICY_PORT_ARGUMENT, parameter_overrides, sim_policy_port
from .local_launch import MAX_RESPAWNS

RESPAWN_DELAY_S = 1.0
"""[s] before launch restarts a ``respawn`` process (the recorder): its old DDS participant is gone by then."""


class RequiredProcessFailed(RuntimeError):
    """A process the graph cannot run without ended while the graph was running."""


def exit_reason(spec: NodeSpec, graph: GraphSpec, returncode: int, exits: int = 1) -> str | None:
    """Why the launch must fail after ``spec`` exited with ``returncode``, its ``exits``-th exit (None: it need not).

    A ``respawn`` process is restarted by launch itself up to MAX_RESPAWNS times, like the local launcher does.
    """
    if spec.name == graph.main_node:
        return None if returncode == 0 else f"the agent exited with code {returncode} before finishing its run"
    if spec.respawn and exits <= MAX_RESPAWNS:
        return None
    if spec.respawn:
        return (f"{spec.name} exited {exits} times (code {returncode} the last time): restarted {MAX_RESPAWNS} "
                "times already, it keeps dying; its own log lines above say why")
    if spec.required:
        return (f"required process {spec.name} exited with code {returncode} while the graph was running; "
                "its own log lines above say why")
    return None


def graph_launch_description(profile: str):
    from ament_index_python.packages import get_package_share_directory
    from launch import LaunchDescription
    from launch.actions import DeclareLaunchArgument, OpaqueFunction
    from launch.substitutions import LaunchConfiguration

    from sarl_auth import load_or_create_secret

    load_or_create_secret()  # the run secret the agent and the recorder sign with (never sent over DDS)
    graph = graph_for(profile)
    default_params = os.path.join(get_package_share_directory("sarl_bringup"), "config", graph.parameter_file)
    actions = [DeclareLaunchArgument("params_file", default_value=default_params,
                                     description="parameter file for every node of the graph (the source of truth)")]
    for name, argument in ARGUMENTS[profile].items():
        # Empty default = not given: the parameter file's value stands.
        actions.append(DeclareLaunchArgument(name, default_value="",
                                             description=f"{argument.description} (default: the parameter file)"))
    actions.append(OpaqueFunction(function=_graph_actions, args=[graph, LaunchConfiguration("params_file")]))
    return LaunchDescription(actions)


def _graph_actions(context, graph: GraphSpec, params_file):
    """The node actions, once launch arguments are known."""
    from launch.actions import ExecuteProcess, RegisterEventHandler
    from launch.event_handlers import OnProcessExit
    from launch_ros.actions import Node

    from .local_launch import executable_path
    from .parameter_schema import load_parameter_file, node_parameters

    params = params_file.perform(context)
    given = {name: context.launch_configurations.get(name, "") for name in ARGUMENTS[graph.profile]}
    overrides = parameter_overrides(graph.profile, given)
    if SIM_POLICY_SERVER in graph.nodes:
        port = sim_policy_port(given.get(SIM_POLICY_PORT_ARGUMENT, ""),
                               node_parameters(load_parameter_file(params), "vla_bridge"))
        graph = with_policy_port(graph, port)
        overrides.setdefault("vla_bridge", {})["policy_port"] = port

    actions = []
    for spec in graph.nodes:
        if spec.is_ros_node:
            action = Node(package=spec.package, executable=spec.executable, name=spec.name, output="screen",
                          parameters=[params, overrides.get(spec.name, {})], respawn=spec.respawn,
                          respawn_delay=RESPAWN_DELAY_S, respawn_max_retries=MAX_RESPAWNS)  # fmt: skip
        else:
            action = ExecuteProcess(cmd=[str(executable_path(spec)), *spec.arguments], name=spec.name,
                                    output="screen")
        actions.append(action)
        if spec.name == graph.main_node or spec.required:
            exits = [0]  # this process's exits so far (a respawned one exits more than once)
            actions.append(RegisterEventHandler(OnProcessExit(
                target_action=action,
                on_exit=lambda event, ctx, spec=spec, exits=exits: _on_exit(event, ctx, spec, graph, exits))))
    return actions


def _on_exit(event, context, spec: NodeSpec, graph: GraphSpec, exits: list[int]):
    from launch.actions import EmitEvent, LogInfo
    from launch.events import Shutdown

    if context.is_shutdown:
        return None  # the graph is stopping anyway (Ctrl-C, the run finished): exits now are expected
    exits[0] += 1
    reason = exit_reason(spec, graph, event.returncode, exits[0])
    if reason is not None:
        raise RequiredProcessFailed(reason)
    if spec.respawn:
        return [LogInfo(msg=f"{spec.name} exited with code {event.returncode}: restarting it ({exits[0]}/"
                            f"{MAX_RESPAWNS}) in {RESPAWN_DELAY_S} s")]
    if spec.name == graph.main_node:
        reason = "run finished: the agent completed its episodes; stopping the graph"
        return [LogInfo(msg=reason), EmitEvent(event=Shutdown(reason=reason))]
    return None
