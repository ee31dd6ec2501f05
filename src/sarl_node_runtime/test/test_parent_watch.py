"""A node notices its launcher's death whatever signal killed it (even SIGKILL, which nobody can catch)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="re-parenting of orphans: POSIX/Linux")

CHILD = """
import sys, time
from sarl_node_runtime.parent_watch import ParentWatch
watch = ParentWatch()
print("watching", watch.parent_pid, flush=True)
deadline = time.monotonic() + 60
while not watch.parent_gone() and time.monotonic() < deadline:
    time.sleep(0.05)
print("gone" if watch.parent_gone() else "still there", flush=True)
"""


def wait_for(path: Path, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while text not in (content := path.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return content


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_child_sees_its_parent_go_away(tmp_path: Path, signum: int):
    out = tmp_path / "child.txt"
    out.touch()
    launcher = subprocess.Popen(["bash", "-c", f'"{sys.executable}" -c "$0" >"{out}" & wait', CHILD],
                                start_new_session=True)
    try:
        assert f"watching {launcher.pid}" in wait_for(out, "watching", 60), out.read_text()
        assert "gone" not in out.read_text()
        os.kill(launcher.pid, signum)
        launcher.wait(10)
        assert "gone" in wait_for(out, "gone", 10), f"the child did not notice: {out.read_text()!r}"
    finally:
        try:
            os.killpg(launcher.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_live_parent_is_not_reported_gone():
    from sarl_node_runtime.parent_watch import ParentWatch

    assert not ParentWatch().parent_gone()
    assert ParentWatch(parent_pid=os.getppid() + 1).parent_gone()
