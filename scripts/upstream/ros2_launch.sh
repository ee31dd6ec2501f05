#!/usr/bin/env bash
# Build the pinned, unmodified ROS 2 launch stack (launch, launch_ros, launch_testing, launch_pytest, the
# `ros2` CLI with launch/node/param/...) from $UPSTREAM/ros2_launch into $CACHE/ros2_launch, so the project's
# launch files and launch_pytest tests run against the real thing. A test fixture: the product never needs it.
#
# Env (set by scripts/bootstrap.sh): VENV, ROOT, UPSTREAM, CACHE. Idempotent: skips when the stamp of the
# source, the pins and this script matches. Use: source sarl_env.sh, then $CACHE/ros2_launch/install/local_setup.bash.
set -euo pipefail

say() { printf '[upstream/ros2_launch] %s\n' "$*"; }
# shellcheck source=../lib/upstream_peer.sh
source "$ROOT/scripts/lib/upstream_peer.sh"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE="$UPSTREAM/ros2_launch"
OUT="$CACHE/ros2_launch"
PINS="$HERE/ros2_launch.requirements.txt"

[[ -d "$SOURCE" ]] || { say "no $SOURCE: skipped"; exit 0; }

# The installed pytest is part of the inputs: launch_pytest's plugin is built against it.
pytest_pin=$(mktemp)
trap 'rm -f "$pytest_pin"' EXIT
"$VENV/bin/python" -m pip freeze 2>/dev/null | grep -i '^pytest==' >"$pytest_pin" || true
stamp=$(upstream_stamp "$SOURCE" "$PINS" "$0" "$pytest_pin")
if upstream_is_built "$OUT" "$stamp"; then
  say "up to date"
  exit 0
fi

say "building the ROS 2 launch stack into $OUT (about a minute)"
rm -rf "$OUT"
mkdir -p "$OUT"
"$VENV/bin/python" -m pip install --quiet --no-deps -r "$PINS"
upstream_colcon_build "$OUT" "$SOURCE"
upstream_mark_built "$OUT" "$stamp"
say "ready: source $OUT/install/local_setup.bash after sarl_env.sh"
