#!/usr/bin/env bash
# Entry point of the sarl image: secrets from files, the ROS 2 + Interbotix + workspace environment,
# the venv on PATH, then the command (exec, so signals from `docker stop` reach it directly).
#
# Secrets: every file in /run/secrets (compose mounts docker/secrets/ there) becomes an environment
# variable named after the file in upper case (gemini_api_key -> GEMINI_API_KEY), unless that
# variable is already set and non-empty. Keys thus never live in the image, a layer, or
# `docker inspect`; the nodes read them from the environment variable their parameters name.
set -eo pipefail

if [[ -d /run/secrets ]]; then
  for file in /run/secrets/*; do
    [[ -f "$file" && -r "$file" ]] || continue
    name=$(basename "$file" | tr '[:lower:]-.' '[:upper:]__')
    [[ "$name" =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    if [[ -z "${!name:-}" ]]; then
      value=$(<"$file")
      if [[ -n "$value" ]]; then export "$name=$value"; fi
    fi
  done
fi

# shellcheck disable=SC1090,SC1091
source "/opt/ros/${ROS_DISTRO}/setup.bash"
# shellcheck disable=SC1091
source "${INTERBOTIX_WS}/install/setup.bash"
# shellcheck disable=SC1091
source "${SARL_WS}/install/setup.bash"
export VIRTUAL_ENV="${SARL_VENV}"
export PATH="${SARL_VENV}/bin:${PATH}"

exec "$@"
