#!/usr/bin/env bash
# Build the pinned Interbotix test peer (../shared/upstream/interbotix: interbotix_xs_msgs, the Python
# toolbox, tf_transformations) into $CACHE/interbotix, so tests can drive the real
# InterbotixManipulatorXS against the real xs_sdk_sim.py. Called by scripts/bootstrap.sh with
# VENV, ROOT, UPSTREAM, CACHE; idempotent (skips when the stamp of its inputs matches).
# Result: $CACHE/interbotix/install (source its setup.bash, or see tests/support/interbotix_sim.py).
set -euo pipefail

: "${VENV:?}" "${ROOT:?}" "${UPSTREAM:?}" "${CACHE:?}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$UPSTREAM/interbotix"
OUT="$CACHE/interbotix"
PACKAGES=(interbotix_xs_msgs interbotix_common_modules interbotix_xs_modules tf_transformations)

say() { printf '[upstream/interbotix] %s\n' "$*"; }
# shellcheck source=../lib/upstream_peer.sh
source "$ROOT/scripts/lib/upstream_peer.sh"
# shellcheck source=../lib/wheel_fixes.sh
source "$ROOT/scripts/lib/wheel_fixes.sh"

[[ -d "$SRC" ]] || { say "no $SRC: skipped"; exit 0; }

want=$(upstream_stamp "$SRC" "${BASH_SOURCE[0]}" "$HERE/interbotix-requirements.txt")
if upstream_is_built "$OUT" "$want"; then
  say "up to date"
  exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
started=$SECONDS

say "installing the pinned Python dependencies"
"$VENV/bin/python" -m pip install --quiet --no-deps -r "$HERE/interbotix-requirements.txt" \
  2> >(grep -v "^WARNING: Location" >&2)

# The trajectory_msgs wheel exports the include paths of the machine it was built on.
fix_exported_include_paths

say "building ${PACKAGES[*]} with colcon (about a minute and a half)"
# RPATH: the message package's Python extensions find its libraries without LD_LIBRARY_PATH, so a
# test process can import interbotix_xs_msgs after adding the install folder at run time.
upstream_colcon_build "$OUT" "$SRC" --packages-select "${PACKAGES[@]}" \
  -- -DCMAKE_INSTALL_RPATH="$OUT/install/interbotix_xs_msgs/lib"
upstream_mark_built "$OUT" "$want"
say "built in $((SECONDS - started)) s"
