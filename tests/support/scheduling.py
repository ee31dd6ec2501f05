"""How `make test` spreads the suite over pytest-xdist workers (``-n 2 --dist loadgroup``).

- A test module runs whole on one worker: its module fixtures (a simulated xs_sdk, an rqt under Xvfb, a
  graph) start once, as in a serial run. Tests that share tests/graph's 40-episode learning run (a session
  fixture) run on one worker too, so it runs once.
- The longest groups go first (the whole-graph tests under tests/, the learning run first of all), so the
  other worker is not left idle behind one of them at the end.
Without xdist only the order changes, which no test depends on.
"""

from __future__ import annotations

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
    items.sort(key=_rank)  # stable: the collection order stays within a rank
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(_group(item)))
