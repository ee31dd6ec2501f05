"""The sarl graph on a real WidowX 250: `ros2 launch sarl_bringup real_widowx.launch.py`.

Arguments: policy_host, policy_port (the openpi server on the GPU host), task (the
instruction the operator labels), episodes, params_file; each one left out keeps the
parameter file's value (config/real_widowx.yaml). The Gemini key comes from the
GEMINI_API_KEY environment variable, never from a file in this repository.
"""

from sarl_bringup.launch_description import graph_launch_description


def generate_launch_description():
    return graph_launch_description("real_widowx")
