#!/usr/bin/env bash
# Every benchmark of the project, one after the other; each prints its own numbers and the
# baseline it is compared with (measured in the same run). Numbers, not pass/fail.
set -euo pipefail
run() { echo; echo "=== $1"; shift; "$@"; }
run "learning core (TD updates/s, decision latency, replay memory)" python -m sarl_agent.learning.benchmark
run "simulator (episodes/s with the stand-in VLA, openpi round trip)" python -m sarl_sim.benchmark
run "physics world per control step: physics, + IK, + one 96 px render, + a stand-in policy query (ratios to physics alone)" python -m sarl_sim.physics.benchmark
run "driver per arm_command on each sim_world: envelope + apply, + the cameras" python -m widowx_driver.sim_step_benchmark
run "VLA bridge overhead over a bare openpi-client loop" python -m sarl_vla_bridge.benchmark
run "interbotix backend vs the toolbox alone (real toolbox, xs_sdk_sim)" python tests/bench/interbotix_arm.py
if python -c "import sarl_agent.bag.benchmark" 2>/dev/null; then
  run "rosbag write/read and replay speed" python -m sarl_agent.bag.benchmark
fi
run "ROS graph per semantic step vs the ROS-free loop" python -m sarl_eval.graph_benchmark --episodes 4
