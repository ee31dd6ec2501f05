# Shared by scripts/upstream/*.sh (sourced, not run): the stamp, the skip-when-built check and the colcon
# build of one pinned upstream peer into $CACHE/<peer>, each peer script adding only what is its own.
# Needs VENV and a say() function in the sourcing script.

# upstream_stamp DIR FILE...: one hash of every file under DIR, of the given files (pins, the script) and of
# this library.
upstream_stamp() {
  local dir=$1
  shift
  { (cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum); cat "$@" "${BASH_SOURCE[0]}"; } \
    | sha256sum | cut -d' ' -f1
}

# upstream_is_built OUT STAMP: true when OUT holds a finished build of exactly these inputs.
upstream_is_built() {
  [[ -f "$1/READY" && "$(cat "$1/STAMP" 2>/dev/null)" == "$2" ]]
}

# upstream_colcon_build OUT SOURCE [colcon build args...] [-- cmake args...]: colcon build of SOURCE into
# OUT/{build,install,log} on top of the project's venv; on failure shows the log's tail and returns 1.
upstream_colcon_build() {
  local out=$1 source=$2
  shift 2
  local colcon_args=() cmake_args=()
  while (($#)) && [[ $1 != -- ]]; do colcon_args+=("$1"); shift; done
  (($#)) && shift
  cmake_args=("$@")
  (
    cd "$out"
    # shellcheck disable=SC1091
    source "$VENV/bin/activate"
    export AMENT_PREFIX_PATH="$VENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
    export CMAKE_PREFIX_PATH="$VENV${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
    colcon --log-base "$out/log" build --base-paths "$source" --build-base "$out/build" --install-base "$out/install" \
      "${colcon_args[@]}" \
      --cmake-args -DBUILD_TESTING=OFF -DPython3_EXECUTABLE="$VENV/bin/python" "${cmake_args[@]}" \
      --event-handlers console_cohesion- summary+ >"$out/colcon-build.txt" 2>&1 \
      || { tail -n 60 "$out/colcon-build.txt" >&2; say "colcon build failed (log: $out/colcon-build.txt)"; exit 1; }
  )
}

# upstream_mark_built OUT STAMP: record a finished build (the tests look for OUT/READY).
upstream_mark_built() {
  echo "$2" >"$1/STAMP"
  touch "$1/READY"
}
