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

[[ -d "$SRC" ]] || { say "no $SRC: skipped"; exit 0; }

want=$( { cat "${BASH_SOURCE[0]}" "$HERE/interbotix-requirements.txt";
          (cd "$SRC" && find . -type f -print0 | sort -z | xargs -0 sha256sum); } | sha256sum | cut -d' ' -f1)
if [[ -f "$OUT/READY" && "$(cat "$OUT/STAMP" 2>/dev/null)" == "$want" ]]; then
  say "up to date"
  exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
started=$SECONDS

say "installing the pinned Python dependencies"
"$VENV/bin/python" -m pip install --quiet --no-deps -r "$HERE/interbotix-requirements.txt" \
  2> >(grep -v "^WARNING: Location" >&2)

# The trajectory_msgs wheel exports the include paths of the machine it was built on (the same fix
# scripts/bootstrap.sh applies to the other message wheels).
py_include=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
np_include=$("$VENV/bin/python" -c 'import numpy; print(numpy.get_include())')
{ grep -rlZ --include='*.cmake' '/opt/python/cp311-cp311' "$VENV/share" 2>/dev/null || true; } \
  | xargs -0 -r sed -i \
    -e "s#/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include#${np_include}#g" \
    -e "s#/opt/python/cp311-cp311/include/python3.11#${py_include}#g"

say "building ${PACKAGES[*]} with colcon (about a minute and a half)"
(
  # shellcheck disable=SC1091
  source "$VENV/bin/activate"
  export AMENT_PREFIX_PATH="$VENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
  export CMAKE_PREFIX_PATH="$VENV${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
  cd "$OUT"
  # RPATH: the message package's Python extensions find its libraries without LD_LIBRARY_PATH, so a
  # test process can import interbotix_xs_msgs after adding the install folder at run time.
  colcon --log-base "$OUT/log" build --base-paths "$SRC" --packages-select "${PACKAGES[@]}" \
    --build-base "$OUT/build" --install-base "$OUT/install" \
    --cmake-args -DBUILD_TESTING=OFF -DPython3_EXECUTABLE="$VENV/bin/python" \
      -DCMAKE_INSTALL_RPATH="$OUT/install/interbotix_xs_msgs/lib" \
    --event-handlers console_cohesion- summary+ >"$OUT/colcon-build.txt" 2>&1 \
    || { tail -n 60 "$OUT/colcon-build.txt" >&2; exit 1; }
)
echo "$want" >"$OUT/STAMP"
touch "$OUT/READY"
say "built in $((SECONDS - started)) s"
