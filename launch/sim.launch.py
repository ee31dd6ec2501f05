"""The sarl graph on the built-in simulator: `ros2 launch sarl_bringup sim.launch.py`.

The processes come from sarl_bringup.graph (shared with the local runner used where
ros2 launch is absent); parameters from config/sim.yaml (or params_file:=...). The
arguments episodes, task_name and sim_policy_port override it only when given
(sarl_bringup/launch_arguments.py); --show-args lists them.
"""

from sarl_bringup.launch_description import graph_launch_description


def generate_launch_description():
    return graph_launch_description("sim")
