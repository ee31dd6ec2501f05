"""One reset command per observed arm state: the pacing rule of the reset loop.

Why: the PID law assumes the state it reads already shows the effect of its
previous command. If the arm state lags (a loaded machine, a slow DDS hop, a
real arm still moving), a fixed-rate loop keeps adding corrections for the
same error and overshoots — with a 2-tick lag and ``kp = 0.8`` per tick the
loop oscillates out of the workspace. So a new command is sent only when the
driver's count of handled commands (``commands_applied + commands_rejected``
in ``arm_state``) has changed since the last one was sent.
"""

from __future__ import annotations


class CommandPacer:
    """Remembers the driver's handled-command count at the last send."""

    def __init__(self) -> None:
        self._count_at_send: int | None = None

    def reset(self) -> None:
        """Start of a goal: the first command may go at once."""
        self._count_at_send = None

    def ready(self, handled_count: int) -> bool:
        """True when the state carrying ``handled_count`` reflects the last command (or none was sent).

        "Changed" rather than "increased": the driver restarts its counters on reactivation.
        """
        return self._count_at_send is None or handled_count != self._count_at_send

    def sent(self, handled_count: int) -> None:
        """A command was just published while the latest state carried ``handled_count``."""
        self._count_at_send = handled_count
