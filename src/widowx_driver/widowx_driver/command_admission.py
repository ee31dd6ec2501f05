"""Which arm commands the driver even considers: fresh, in its frame, from an expected sender.

Why before the safety envelope: the envelope bounds *how far* a command moves
the arm; this decides *whether* the command is meant for this arm now. A
command stamped long ago (a replayed bag, a queue that backed up), stamped in
the future (a wrong clock, or a forged stamp to outlive the age bound), given
in another frame, or sent by a source the driver does not expect is refused
whole and counted by reason. An empty ``frame_id`` is refused too: the
message documents the frame as the one the deltas are in, and a sender that
leaves it empty has not said so.

Also here: :class:`SequenceGaps`, the honest count of commands lost on the way
in. A KEEP_LAST subscription silently overwrites the oldest queued sample when
a sender outruns the driver; the middleware numbers every sample a writer
sends, so a jump in that number is a sample this driver never saw.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass


class Refusal(enum.Enum):
    """Refusals counted on their own (also in commands_rejected); the value is the arm_state counter's suffix."""

    STALE = "stale"
    WRONG_FRAME = "wrong_frame"
    WRONG_SOURCE = "wrong_source"
    SUPERSEDED = "superseded"
    """A joint target replaced by a newer one before the control tick applied it (joint_command_slot.py)."""
    UNSUPPORTED = "unsupported"
    """A joint target for a backend without joints (the simulator's joints are its end-effector pose)."""


@dataclass(frozen=True)
class AdmissionRules:
    """The driver's bounds on a command's stamp, frame and sender."""

    max_age: float
    """[s] a command stamped longer ago than this is refused."""
    max_future: float
    """[s] a command stamped further ahead than this (clock skew between hosts) is refused."""
    frame_id: str
    """The only frame the driver takes deltas in."""
    sources: frozenset[int]
    """ArmCommand.SOURCE_* values that may command the arm."""

    def __post_init__(self) -> None:
        if not math.isfinite(self.max_age) or self.max_age <= 0:
            raise ValueError(f"command_max_age must be a finite number of seconds > 0, got {self.max_age!r}")
        if not math.isfinite(self.max_future) or self.max_future < 0:
            raise ValueError(f"command_max_future must be a finite number of seconds >= 0, got {self.max_future!r}")
        if not self.frame_id:
            raise ValueError("frame_id must name the arm base frame, got ''")
        if not self.sources:
            raise ValueError("command_sources must name at least one sender")

    def problem(self, stamp_s: float, frame_id: str, source: int, now_s: float) -> tuple[Refusal, str] | None:
        """None when the command may go on to the envelope, else the refusal and a sentence for the log."""
        stale = self.stamp_problem(stamp_s, now_s)
        if stale is not None:
            return Refusal.STALE, stale
        if frame_id != self.frame_id:
            return Refusal.WRONG_FRAME, f"frame_id {frame_id!r}, the driver takes deltas in {self.frame_id!r} only"
        if source not in self.sources:
            return Refusal.WRONG_SOURCE, f"source {source} is not one of {sorted(self.sources)}"
        return None

    def stamp_problem(self, stamp_s: float, now_s: float) -> str | None:
        """None when the stamp is fresh now, else why not (also asked again when a joint target waited for a tick)."""
        age = now_s - stamp_s
        if age > self.max_age:
            return f"stamped {age:.3f} s ago (max {self.max_age} s)"
        if -age > self.max_future:
            return f"stamped {-age:.3f} s in the future (max {self.max_future} s)"
        return None


class SequenceGaps:
    """Commands lost between each sender and the driver, from the senders' publication sequence numbers."""

    def __init__(self, remembered: int = 256) -> None:
        self._last: dict[bytes, int] = {}
        self._remembered = remembered
        self.lost = 0

    def received(self, sender: bytes, sequence: int | None) -> int:
        """Record one sample of ``sender`` (its middleware GID); returns how many of its samples went missing."""
        if sequence is None or sequence <= 0:  # a middleware that does not number samples: nothing to say
            return 0
        last = self._last.pop(sender, None)
        self._last[sender] = sequence  # re-inserted: the dict stays in least-recently-heard order
        while len(self._last) > self._remembered:
            del self._last[next(iter(self._last))]
        missing = 0 if last is None or sequence <= last else sequence - last - 1
        self.lost += missing
        return missing

    def reset(self) -> None:
        self._last.clear()
        self.lost = 0
