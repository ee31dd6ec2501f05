"""How `make test` spreads the suite over pytest-xdist workers (``-n 2 --dist loadgroup``).

- A test module runs whole on one worker: its module fixtures (a simulated xs_sdk, an rqt under Xvfb, a
  graph) start once, as in a serial run. Tests that share tests/graph's 40-episode learning run (a session
  fixture) run on one worker too, so it runs once.
- The longest groups go first (the whole-graph tests under tests/, the learning run first of all, then the
  modules of most tests), so a worker is not left alone with one of them at the end. Measured: xdist's own
  order (most tests first) left the graph runs for the end, ours without the size rule left the real-toolbox
  modules for the end (one worker idle for minutes both times).
Without xdist only the order changes, which no test depends on.
"""

from __future__ import annotations

from collections import Counter

import pytest

SHARED_SESSION_RUN = "learning_run"
"""tests/graph/conftest.py's session fixture: its users form one group."""


def _group(item: pytest.Item) -> str:
    return SHARED_SESSION_RUN if SHARED_SESSION_RUN in getattr(item, "fixturenames", ()) else item.nodeid.split("::")[0]


def _rank(item: pytest.Item) -> int:
    if _group(item) == SHARED_SESSION_RUN:
        return 0
    return 1 if item.nodeid.startswith("tests/") or item.get_closest_marker("graph") else 2


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which turns the markers into groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    sizes = Counter(_group(item) for item in items)
    # Within a rank, groups of more tests first (the real-toolbox and real-rqt modules: 10-25 tests, each with
    # its own processes); a group stays together, in collection order (the sort is stable).
    items.sort(key=lambda item: (_rank(item), -sizes[_group(item)], _group(item)))
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(_group(item)))
