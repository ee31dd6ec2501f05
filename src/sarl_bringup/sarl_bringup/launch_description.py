"""Build a ROS 2 LaunchDescription from the graph description (needs a full ROS 2 install).

Each ROS node becomes a launch_ros Node with the profile's parameter file; plain
programs become ExecuteProcess; when the main node (the agent) exits the whole
launch shuts down, and a required process that dies takes the graph down with it.
"""

from __future__ import annotations

import os

from .graph import graph_for

# Launch arguments of every profile and the node parameter each one overrides.
ARGUMENTS = {
    "sim": {
        "episodes": ("sarl_agent", "episodes", "30"),
        "task_name": ("sarl_agent", "task_name", "pot_lid_to_towel"),
    },
    "real_widowx": {
        "policy_host": ("vla_bridge", "policy_host", "gpu-host.local"),
        "policy_port": ("vla_bridge", "policy_port", "8000"),
        "task": ("sarl_agent", "task", "move the banana to the pot on the right and the sushi to the bowl"),
        "episodes": ("sarl_agent", "episodes", "100"),
    },
}


def graph_launch_description(profile: str):
    from ament_index_python.packages import get_package_prefix, get_package_share_directory
    from launch import LaunchDescription
    from launch.actions import DeclareLaunchArgument, EmitEvent, ExecuteProcess, RegisterEventHandler
    from launch.event_handlers import OnProcessExit
    from launch.events import Shutdown
    from launch.substitutions import LaunchConfiguration
    from launch_ros.actions import Node

    from sarl_auth import load_or_create_secret

    load_or_create_secret()  # the run secret the agent and the recorder sign with (never sent over DDS)
    graph = graph_for(profile)
    default_params = os.path.join(get_package_share_directory("sarl_bringup"), "config", graph.parameter_file)
    actions = [DeclareLaunchArgument("params_file", default_value=default_params,
                                     description="parameter file for every node of the graph")]
    overrides: dict[str, dict] = {}
    for argument, (node_name, parameter, default) in ARGUMENTS[profile].items():
        actions.append(DeclareLaunchArgument(argument, default_value=default))
        overrides.setdefault(node_name, {})[parameter] = LaunchConfiguration(argument)

    for spec in graph.nodes:
        if spec.is_ros_node:
            action = Node(package=spec.package, executable=spec.executable, name=spec.name, output="screen",
                          parameters=[LaunchConfiguration("params_file"), overrides.get(spec.name, {})])
        else:
            program = os.path.join(get_package_prefix(spec.package), "lib", spec.package, spec.executable)
            action = ExecuteProcess(cmd=[program, *spec.arguments],
                                    name=spec.name, output="screen")
        actions.append(action)
        if spec.name == graph.main_node or spec.required:
            reason = "run finished" if spec.name == graph.main_node else f"required process {spec.name} exited"
            actions.append(RegisterEventHandler(OnProcessExit(
                target_action=action, on_exit=[EmitEvent(event=Shutdown(reason=reason))])))
    return LaunchDescription(actions)
