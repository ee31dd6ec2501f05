#!/usr/bin/env bash
# The main job on the built-in simulator: the full ROS 2 graph (driver, reset controller, VLA bridge,
# stand-in policy server, prompt proposer, recorder, agent) learns one of the SARL paper's tasks.
# Override with EPISODES=60 TASK=left_toy_largest_bowl make demo.
set -euo pipefail
EPISODES="${EPISODES:-40}"
TASK="${TASK:-pot_lid_to_towel}"
RUN_ID="demo-${TASK}-$(date -u +%Y%m%d-%H%M%S)"
export ROS_DOMAIN_ID="${ROS_DOMAIN_ID:-$((100 + RANDOM % 100))}"
export ROS_AUTOMATIC_DISCOVERY_RANGE="${ROS_AUTOMATIC_DISCOVERY_RANGE:-LOCALHOST}"

echo "[demo] $EPISODES episodes of '$TASK' on the simulator (run $RUN_ID, ROS_DOMAIN_ID $ROS_DOMAIN_ID)"
python -m sarl_bringup.local_launch --profile sim --log-dir "runs/$RUN_ID/logs" \
  --set "sarl_agent.episodes=$EPISODES" --set "sarl_agent.task_name=$TASK" --set "sarl_agent.run_id=$RUN_ID" \
  --set "vlm_proposer.offline_task=$TASK" --set "widowx_driver.task_name=$TASK"
echo "[demo] outputs in runs/$RUN_ID: checkpoint.pt, episodes.csv, learning_curve.png, logs/"
