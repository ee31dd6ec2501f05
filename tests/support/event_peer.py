"""A peer script as a real process that prints one JSON event per line: read them in the peer's own order.

Tests assert on what a peer received (and in which order) from these events, numbered by the
peer itself, rather than on timing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.processes import PeerProcess
from support.ros_node import wait_until


class EventPeer:
    """A peer process whose stdout is one JSON object per line (``seq`` 0 = ready)."""

    def __init__(self, script: Path, log_dir: Path, *args: str) -> None:
        self.name = script.stem
        self.process = PeerProcess.python(script, *args, log_dir=log_dir)

    def events(self) -> list[dict[str, Any]]:
        """Every event so far except ``ready``, in the order the peer handled them."""
        lines = [line for line in self.process.log_text().splitlines() if line.startswith("{")]
        return [event for event in map(json.loads, lines) if event.get("seq", 0) > 0]

    def wait_ready(self, timeout: float) -> None:
        wait_until(lambda: '"event": "ready"' in self.process.log_text() or not self.process.is_running(),
                   timeout, f"{self.name} ready")  # fmt: skip
        assert self.process.is_running(), self.process.log_text()

    def wait_events(self, count: int, timeout: float) -> list[dict[str, Any]]:
        wait_until(lambda: len(self.events()) >= count, timeout, f"{count} events at {self.name}")
        return self.events()

    def stop(self) -> int:
        return self.process.stop()
