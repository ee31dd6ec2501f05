"""Which DDS domains a test process may use: its own slice of 1-100 (graphs, in-process nodes) and of 101-200
(``ros2 launch`` graphs, looked up by node name), so parallel pytest-xdist workers never share a domain.

Why slices and not one domain per worker: each test module takes a fresh domain (support.fixtures), and
two workers walking the same range would meet. Within a slice, the start depends on the pid, so two test
runs on one machine (or a developer's own graph) are unlikely to meet either.
"""

from __future__ import annotations

import os

RUN_RANGE = range(1, 101)
LAUNCH_RANGE = range(101, 201)


def worker() -> tuple[int, int]:
    """(index, count) of this pytest-xdist worker; (0, 1) in a plain pytest run."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    index = int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0
    return index, max(1, count)


def worker_slice(domains: range) -> range:
    """This worker's share of ``domains``."""
    index, count = worker()
    size = len(domains) // count
    start = domains.start + (index % count) * size
    return range(start, start + size)


def nth_domain(domains: range, offset: int) -> int:
    """The ``offset``-th domain of this worker's slice, starting at a pid-chosen place and wrapping around."""
    mine = worker_slice(domains)
    return mine[(os.getpid() + offset) % len(mine)]
