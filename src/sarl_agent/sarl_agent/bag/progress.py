"""A dependency-free progress bar on stderr for the offline tools (replay, benchmark).

On a terminal it redraws one line at most ten times a second; in a log file
(not a TTY) it writes a line per 10 % so CI logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    def __init__(self, label: str, total: int | None, unit: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._count = 0
        self._extra = ""
        self._started: float | None = None
        self._last_draw = 0.0
        self._last_decile = -1
        self._printed_count = -1
        self._closed = False

    def start(self) -> None:
        self._started = time.monotonic()

    def update(self, count: int, extra: str = "") -> None:
        if self._started is None:
            self.start()
        self._count, self._extra = count, extra
        now = time.monotonic()
        if self._tty:
            if now - self._last_draw >= 0.1 or count == self.total:
                self._last_draw = now
                self._stream.write("\r" + self._line())
                self._stream.flush()
        elif self.total:
            decile = 10 * count // self.total
            if decile > self._last_decile:
                self._last_decile = decile
                self._printed_count = count
                self._stream.write(self._line() + "\n")

    def close(self) -> None:
        if self._closed or self._started is None:
            return
        self._closed = True
        if self._tty:
            self._stream.write("\r" + self._line() + "\n")
        elif self._printed_count != self._count:
            self._stream.write(self._line() + "\n")
        self._stream.flush()

    def _line(self) -> str:
        elapsed = max(time.monotonic() - (self._started or time.monotonic()), 1e-9)
        rate = f"{self._count / elapsed:.1f} {self.unit}/s"
        if self.total:
            filled = WIDTH * self._count // self.total
            bar = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self._count}/{self.total}"
        else:
            bar = f"{self._count}"
        return f"{self.label} {bar} {self.unit}  {rate}  {self._extra}".rstrip()
