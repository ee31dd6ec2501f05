#!/usr/bin/env bash
# Build the pinned, unmodified rqt host (rqt_gui, rqt_gui_py, qt_gui, python_qt_binding, ...) from $UPSTREAM/rqt
# into $CACHE/rqt, with PyQt5 pip-installed next to it (not into the venv), so the operator plugin is tested in the
# real rqt under Xvfb. A test fixture: the product never needs it.
#
# Also installs the Debian packages those tests need when one is missing (Xvfb, xdotool, the xcb libraries of
# PyQt5's platform plugin): bootstrap runs as root in CI. Without root (or apt) it says what to install and
# goes on building: the real-rqt tests then fail naming the missing program.
#
# Env (set by scripts/bootstrap.sh): VENV, ROOT, UPSTREAM, CACHE. Idempotent: skips when the stamp of the source,
# the pins and this script matches. Layout: $CACHE/rqt/install (colcon), $CACHE/rqt/pyqt5 (PYTHONPATH).
set -euo pipefail

say() { printf '[upstream/rqt] %s\n' "$*"; }
# shellcheck source=../lib/upstream_peer.sh
source "$ROOT/scripts/lib/upstream_peer.sh"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE="$UPSTREAM/rqt"
OUT="$CACHE/rqt"
PINS="$HERE/rqt.requirements.txt"
DEBIAN_PACKAGES=(xvfb xdotool libgl1 libegl1 libfontconfig1 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0)

[[ -d "$SOURCE" ]] || { say "no $SOURCE: skipped"; exit 0; }

install_debian_packages() {
  local missing=() pkg
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    say "warning: missing Debian packages for the real-rqt tests: ${missing[*]} (sudo apt-get install ${missing[*]})"
    return 0
  fi
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_debian_packages

stamp=$(upstream_stamp "$SOURCE" "$PINS" "$0")
if upstream_is_built "$OUT" "$stamp"; then
  say "up to date"
  exit 0
fi

say "building rqt into $OUT (under a minute)"
rm -rf "$OUT"
mkdir -p "$OUT"
# (The filter drops pip's notes about find-links folders that do not exist on this machine.)
"$VENV/bin/python" -m pip install --quiet --no-deps --target "$OUT/pyqt5" -r "$PINS" \
  2> >(grep -v "^WARNING: Location" >&2)
upstream_colcon_build "$OUT" "$SOURCE"
upstream_mark_built "$OUT" "$stamp"
say "ready: source $OUT/install/local_setup.bash after sarl_env.sh; PYTHONPATH=$OUT/pyqt5"
