#!/usr/bin/env bash
# The main job on the built-in simulator. Filled in as the simulator and agent land.
echo "make demo: the simulator demo is not built yet (see issues 3-5)." >&2
exit 1
