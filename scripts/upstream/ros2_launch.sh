#!/usr/bin/env bash
# Build the pinned, unmodified ROS 2 launch stack (launch, launch_ros, launch_testing, launch_pytest, the
# `ros2` CLI with launch/node/param/...) from $UPSTREAM/ros2_launch into $CACHE/ros2_launch, so the project's
# launch files and launch_pytest tests run against the real thing. A test fixture: the product never needs it.
#
# Env (set by scripts/bootstrap.sh): VENV, ROOT, UPSTREAM, CACHE. Idempotent: skips when the stamp of the
# source, the pins and this script matches. Use: source sarl_env.sh, then $CACHE/ros2_launch/install/local_setup.bash.
set -euo pipefail

say() { printf '[upstream/ros2_launch] %s\n' "$*"; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE="$UPSTREAM/ros2_launch"
OUT="$CACHE/ros2_launch"
PINS="$HERE/ros2_launch.requirements.txt"

[[ -d "$SOURCE" ]] || { say "no $SOURCE: skipped"; exit 0; }

stamp=$( { (cd "$SOURCE" && find . -type f -print0 | sort -z | xargs -0 sha256sum); cat "$PINS" "$0"; \
           "$VENV/bin/python" -m pip freeze 2>/dev/null | grep -i '^pytest=='; } | sha256sum | cut -d' ' -f1)
if [[ -f "$OUT/READY" && "$(cat "$OUT/STAMP" 2>/dev/null)" == "$stamp" ]]; then
  say "up to date"
  exit 0
fi

say "building the ROS 2 launch stack into $OUT (about a minute)"
rm -rf "$OUT"
mkdir -p "$OUT"
"$VENV/bin/python" -m pip install --quiet --no-deps -r "$PINS"
(
  cd "$OUT"
  # shellcheck disable=SC1091
  source "$VENV/bin/activate"
  export AMENT_PREFIX_PATH="$VENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
  export CMAKE_PREFIX_PATH="$VENV${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
  colcon --log-base "$OUT/log" build --base-paths "$SOURCE" --build-base "$OUT/build" --install-base "$OUT/install" \
    --cmake-args -DBUILD_TESTING=OFF -DPython3_EXECUTABLE="$VENV/bin/python" \
    --event-handlers console_cohesion- summary+ >"$OUT/colcon-build.txt" 2>&1 \
    || { tail -n 40 "$OUT/colcon-build.txt" >&2; say "colcon build failed (log: $OUT/colcon-build.txt)"; exit 1; }
)
echo "$stamp" >"$OUT/STAMP"
touch "$OUT/READY"
say "ready: source $OUT/install/local_setup.bash after sarl_env.sh"
