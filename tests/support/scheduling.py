"""How `make test` spreads the suite over pytest-xdist workers (``-n 2 --dist loadgroup``).

A test module runs whole on one worker: its module fixtures (a simulated xs_sdk, an rqt under Xvfb, a graph)
start once, as in a serial run. Tests that share tests/graph's 40-episode learning run (a session fixture) run
on one worker too, so it runs once. xdist then starts the groups of most tests first. Tried and measured
instead: the whole-graph groups first, then the rest by size (`--no-loadscope-reorder`): 742 s against 731-733 s,
and one rerun of the learning run's test, which then started beside other graph runs; so xdist's order stays.
Without xdist nothing changes.
"""

from __future__ import annotations

import pytest

SHARED_SESSION_RUN = "learning_run"
"""tests/graph/conftest.py's session fixture: its users form one group."""


def _group(item: pytest.Item) -> str:
    return SHARED_SESSION_RUN if SHARED_SESSION_RUN in getattr(item, "fixturenames", ()) else item.nodeid.split("::")[0]


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which turns the markers into groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(_group(item)))
