"""The installed ``operator`` console script as a real process: it joins the graph, and exits 0 on a signal.

Offscreen Qt (inherited QT_QPA_PLATFORM). Settings go to a temporary XDG_CONFIG_HOME,
whose file appearing proves the shutdown path (save settings, close, rclpy shutdown) ran.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from ament_index_python.packages import get_package_prefix
from support.processes import PeerProcess
from support.ros_node import wait_until

pytestmark = pytest.mark.graph


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_standalone_window_joins_the_graph_and_exits_cleanly(
    signum: int, spun: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    script = Path(get_package_prefix("rqt_sarl_operator")) / "lib" / "rqt_sarl_operator" / "operator"
    observer = spun("standalone_observer").node
    process = PeerProcess([str(script)], tmp_path / "operator.log")
    try:
        wait_until(
            lambda: observer.count_subscribers("sarl/episode_status") >= 1 and observer.count_publishers("estop") >= 1,
            20.0,
            "the standalone operator's subscription and e-stop publisher",
        )
        assert process.is_running(), process.log_text()
        os.kill(process.pid, signum)
        wait_until(lambda: not process.is_running(), 10.0, "the operator process to exit")
    finally:
        code = process.stop()
    assert code == 0, process.log_text()
    assert (tmp_path / "config" / "sarl" / "rqt_sarl_operator.conf").exists(), process.log_text()
