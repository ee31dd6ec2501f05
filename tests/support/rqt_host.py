"""The real rqt (the pinned upstream build in ``.upstream/rqt``, PyQt5) under Xvfb, driven like a person.

Xvfb is the display; ``xdotool`` types and clicks; :mod:`support.screen_probe` finds widgets
by their exact colours. rqt runs as its own process (``bash -c 'source …/local_setup.bash &&
exec rqt …'``, so the pid is rqt's), with PyQt5 on ``PYTHONPATH`` only there, a private
``XDG_CONFIG_HOME`` (rqt_gui.ini: perspectives and plugin settings), and its log (stdout and
stderr, where rclpy's console logging goes) in a file the test reads. rqt runs in the folder of
its log with core dumps allowed, so a segfault leaves a core there for :meth:`Rqt.native_backtrace`.
Everything started here is stopped by its own pid.
"""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from support.ros_node import wait_until
from support.upstream import RQT

PROBE = Path(__file__).resolve().parent / "screen_probe.py"
SCREEN = "1600x1200x24"


class Display:
    """An Xvfb server on a free display number (``-displayfd``), with xdotool and screen probes on it."""

    def __init__(self, log_dir: Path) -> None:
        for program in ("Xvfb", "xdotool"):
            if shutil.which(program) is None:
                raise RuntimeError(f"{program} is missing: scripts/upstream/rqt.sh installs it (as root) in bootstrap")
        read_fd, write_fd = os.pipe()
        self._log = (log_dir / "xvfb.log").open("wb")
        self._process = subprocess.Popen(
            # -br: a black root window, repainted when a window closes (else a closed rqt's pixels stay on screen)
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-br", "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_fd,), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        os.close(write_fd)
        number = b""
        try:  # read up to the newline: closing the pipe before Xvfb wrote it is fatal to Xvfb
            deadline = time.monotonic() + 30.0
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
                chunk = os.read(read_fd, 16) if ready else b""
                if not chunk:
                    break
                number += chunk
        finally:
            os.close(read_fd)
        number = number.decode().strip()
        if not number:
            self.stop()
            raise RuntimeError(f"Xvfb did not start: {(log_dir / 'xvfb.log').read_text(errors='replace')}")
        self.name = f":{number}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.name, "QT_QPA_PLATFORM": "xcb"}

    def xdotool(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env(), capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def click(self, x: int, y: int) -> None:
        """No ``--sync``: it waits for pointer motion, which never comes when the pointer is already there."""
        self.xdotool("mousemove", str(x), str(y), "click", "1")

    def probe(self, save: Path | None = None, crop: tuple[int, int, int, int] | None = None,
              **colours: str) -> dict:  # fmt: skip
        """Where each ``name="#RRGGBB"`` is on screen now (see :mod:`support.screen_probe`)."""
        args = [sys.executable, str(PROBE), *(f"{name}={colour}" for name, colour in colours.items())]
        if save is not None:
            args += ["--save", str(save)]
        if crop is not None:
            args += ["--crop", ",".join(map(str, crop))]
        env = {**self.env(), "PYTHONPATH": os.pathsep.join(filter(None, [pyqt5_path(), os.environ.get("PYTHONPATH")]))}
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"screen probe failed: {done.stderr[-2000:]}")
        return json.loads(done.stdout)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._log.close()


def _allow_core_dumps() -> None:
    """In rqt's process before exec: core dumps up to the hard limit (the kernel writes them to the working folder)."""
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def pyqt5_path() -> str:
    return str(RQT.build / "pyqt5")


class Rqt:
    """One real rqt process on ``display``; ``args`` are rqt's (``-s rqt_sarl_operator``, ``--list-plugins``)."""

    def __init__(self, display: Display, args: list[str], log_path: Path, config_home: Path) -> None:
        self._display = display
        self.log_path = log_path
        self._log = log_path.open("wb")
        setup = RQT.build / "install" / "local_setup.bash"
        env = {
            **display.env(),
            "PYTHONPATH": os.pathsep.join(filter(None, [pyqt5_path(), os.environ.get("PYTHONPATH")])),
            "XDG_CONFIG_HOME": str(config_home),
            "RCUTILS_LOGGING_BUFFERED_STREAM": "0",
            "RCUTILS_COLORIZED_OUTPUT": "0",
            "PYTHONUNBUFFERED": "1",
            "PYTHONFAULTHANDLER": "1",  # a crash in rqt leaves every thread's Python stack in the log
        }
        self._process = subprocess.Popen(
            ["bash", "-c", f'source "{setup}" && exec rqt "$@"', "rqt", *args],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            cwd=log_path.parent, preexec_fn=_allow_core_dumps,
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self._process.pid

    def is_running(self) -> bool:
        return self._process.poll() is None

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def log_lines(self, marker: str) -> list[str]:
        """The text after ``marker`` on every log line that has it, in order."""
        return [line.split(marker, 1)[1].strip() for line in self.log_text().splitlines() if marker in line]

    def window(self, timeout: float = 60.0) -> str:
        """The id of rqt's visible main window (found by rqt's pid)."""
        found: list[str] = []

        def visible() -> bool:
            assert self.is_running(), self.log_text()
            try:
                found[:] = self._display.xdotool("search", "--onlyvisible", "--pid", str(self.pid)).split()
            except RuntimeError:  # none yet
                return False
            return bool(found)

        wait_until(visible, timeout, "rqt's window")
        return found[-1]

    def geometry(self) -> tuple[int, int, int, int]:
        """x, y, width, height of rqt's main window on screen."""
        shell = self._display.xdotool("getwindowgeometry", "--shell", self.window())
        values = dict(line.split("=", 1) for line in shell.splitlines())
        return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])

    def focus(self) -> None:
        """Give rqt's window the X input focus (Xvfb has no window manager to do it), so keys reach the panel.

        No ``--sync``: it waits for the focus to be on exactly that window, and Qt may move it to a child of
        its own (then xdotool waits ~16 s for nothing). The X server applies requests in order anyway.
        """
        self._display.xdotool("windowfocus", self.window())

    def keys(self, *keys: str) -> None:
        self._display.xdotool("windowfocus", self.window(), "key", "--delay", "30", *keys)

    def type(self, text: str) -> None:
        self._display.xdotool("type", "--delay", "20", text)

    def send_signal(self, signum: int) -> None:
        self._process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        """Wait for rqt to exit by itself; its exit code."""
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"rqt did not exit within {timeout} s:\n{self.log_text()[-3000:]}") from None

    def core(self) -> Path | None:
        """The core rqt left when it crashed (kept for a failed test: open it with ``gdb python core``)."""
        cores = [self.log_path.parent / "core", self.log_path.parent / f"core.{self.pid}"]
        return next((c for c in cores if c.is_file()), None)

    def native_backtrace(self) -> str | None:
        """gdb's backtrace of the thread that crashed rqt, from the core it left in its folder.

        None where there is no core (the kernel's ``core_pattern`` sends cores elsewhere, or the hard limit
        forbids them) or no gdb: then a crash cannot be told apart, and whoever asks must treat it as a failure.
        """
        core = self.core()
        if core is None or shutil.which("gdb") is None:
            return None
        done = subprocess.run(["gdb", "-batch", "-nx", "-ex", "bt 30", sys.executable, str(core)],
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        return done.stdout

    def stop(self) -> int | None:
        """Kill rqt if it is still running (a failed test); its exit code, or None if it had to be killed."""
        code = self._process.poll()
        if code is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)
        self._log.close()
        return code
