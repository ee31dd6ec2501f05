"""Where the pinned upstream test peers are (``../shared/upstream``) and where bootstrap built them.

A test against a real upstream peer skips with a reason when the source is absent
(a machine without ``../shared/upstream``) and fails when the source is there but
the build is missing: then bootstrap did not do its job, and skipping would hide it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = Path(os.environ.get("SARL_UPSTREAM", ROOT.parent / "shared" / "upstream")).resolve()
CACHE = ROOT / ".upstream"


@dataclass(frozen=True)
class UpstreamPeer:
    name: str
    """Folder under ``../shared/upstream`` and under ``.upstream``."""

    @property
    def source(self) -> Path:
        return UPSTREAM / self.name

    @property
    def build(self) -> Path:
        """``.upstream/<name>``: what ``scripts/upstream/<name>.sh`` produced (its own layout)."""
        return CACHE / self.name

    def require(self) -> UpstreamPeer:
        """Skip when the upstream source is absent; fail when it is present but not built."""
        if not self.source.is_dir():
            pytest.skip(f"{self.source} is absent: the real upstream {self.name} code is not on this machine")
        if not (self.build / "READY").is_file():
            pytest.fail(f"{self.source} exists but {self.build}/READY does not: run `make bootstrap` "
                        f"(scripts/upstream/{self.name}.sh builds it)")
        return self


INTERBOTIX = UpstreamPeer("interbotix")
ROS2_LAUNCH = UpstreamPeer("ros2_launch")
RQT = UpstreamPeer("rqt")
