"""Start peer programs as real OS processes and stop them the way a launcher does.

Why not sleep-and-hope: callers wait for a ROS event (a server becoming available,
a message arriving) with a timeout; this module only owns process lifetime, logs
and exit codes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


class PeerProcess:
    """One child process whose output goes to a log file that failures can show."""

    def __init__(self, args: list[str], log_path: Path) -> None:
        self._log_path = log_path
        self._log = log_path.open("wb")
        # Its own session: whatever it starts (a launcher's nodes) can be killed with it, never left behind
        # to publish into later tests or to deadlock a test's teardown.
        self._process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        self.killed = False
        """True once the test SIGKILLed it on purpose (exit code -9 is then expected)."""

    @classmethod
    def python(cls, script: Path | str, *args: str, log_dir: Path) -> PeerProcess:
        name = Path(str(script)).stem
        return cls([sys.executable, str(script), *args], log_dir / f"{name}.log")

    @property
    def pid(self) -> int:
        return self._process.pid

    def is_running(self) -> bool:
        return self._process.poll() is None

    def log_text(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self._log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: the crash a test wants to survive."""
        self.killed = True
        self._process.kill()
        self._process.wait(timeout=10)

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM (a background node ignores SIGINT), SIGKILL after ``timeout``; then SIGKILL any leftover child.

        The default outlasts a launcher's own 10 s grace for its nodes, so it can stop them itself.
        """
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=timeout)
        self._kill_session()
        self._log.close()
        return self._process.returncode

    def _kill_session(self) -> None:
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # nothing left in its session
