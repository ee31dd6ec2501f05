"""Run the real ``ros2 launch`` (the pinned upstream build, or a full ROS 2 install) as a test's peer process.

Which launch stack: the one bootstrap built from ``../shared/upstream/ros2_launch``
when that source is there (skip without it, fail if it is there but unbuilt); else a
full ROS 2 install's ``ros2`` (the Docker image); else skip with the reason.

How it runs: in a session of its own (every node it starts can be found and killed
with it), with SIGINT restored to the default (a background shell starts children
with SIGINT ignored, and ``ros2 launch`` only reacts to SIGINT when it is not
ignored), its working directory and ROS log folder in the test's tmp_path.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from support.sessions import session_members
from support.upstream import ROS2_LAUNCH


def launch_prefix() -> list[str]:
    """The words before ``ros2 ...`` that put the launch stack on the path (skips/fails as the docstring says)."""
    if ROS2_LAUNCH.source.is_dir():
        ROS2_LAUNCH.require()
        setup = ROS2_LAUNCH.build / "install" / "local_setup.bash"
        return ["bash", "-c", f'source "{setup}" && exec "$@"', "ros2-launch"]
    if shutil.which("ros2"):
        return []
    pytest.skip(f"no ROS 2 launch stack: neither {ROS2_LAUNCH.source} nor a ROS 2 install with `ros2` on PATH")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class LaunchProcess:
    """``ros2 launch ...`` in its own session; output in ``launch.log``, node ROS logs under ``ros_log/``."""

    def __init__(self, args: list[str], workdir: Path, unset_env: tuple[str, ...] = ()) -> None:
        self.workdir = workdir
        self.ros_log_dir = workdir / "ros_log"
        self._log_path = workdir / "launch.log"
        self._log = self._log_path.open("wb")
        env = dict(os.environ, ROS_LOG_DIR=str(self.ros_log_dir), PYTHONUNBUFFERED="1")
        for name in unset_env:
            env.pop(name, None)
        self._process = subprocess.Popen([*launch_prefix(), "ros2", *args], cwd=workdir, env=env,
                                         stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True, preexec_fn=_default_sigint)

    @property
    def pid(self) -> int:
        return self._process.pid

    def nodes(self) -> list[int]:
        """The processes launch started (its session, launch itself excluded), alive or orphaned."""
        return session_members(self.pid)

    def output(self) -> str:
        self._log.flush()
        return self._log_path.read_text(errors="replace")

    def ros_log(self, logger: str) -> list[str]:
        """The lines a node's logger wrote to its ROS log file (readable even after launch died)."""
        lines = []
        for path in sorted(self.ros_log_dir.rglob("*.log")):
            lines += [line for line in path.read_text(errors="replace").splitlines() if f"[{logger}]" in line]
        return lines

    def send_signal(self, signum: int) -> None:
        self._process.send_signal(signum)

    def press_ctrl_c(self) -> None:
        """SIGINT to the whole process group, as a terminal's Ctrl-C: every node gets it, then launch's own."""
        os.killpg(self._process.pid, signal.SIGINT)

    def wait(self, timeout: float) -> int:
        """Exit code of ``ros2 launch`` (raises TimeoutError with the output's tail)."""
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"ros2 launch still running after {timeout} s:\n{self.output()[-3000:]}") from None

    def wait_nodes_gone(self, timeout: float) -> list[int]:
        """Poll until no process of the session is alive; returns the survivors (empty when all are gone)."""
        deadline = time.monotonic() + timeout
        while (left := self.nodes()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return left

    def close(self) -> None:
        """Teardown: kill launch and whatever it left in its session."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._log.close()
