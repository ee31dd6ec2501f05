"""The newest admitted joint target, waiting for the next control tick.

Why a slot and not a queue: joint targets are absolute, so only the newest one means anything when
the tick comes; applying older ones first would move the arm to where the sender no longer wants it.
A replaced target is handed back so the driver counts it (``commands_superseded``): every command a
sender publishes ends up applied or refused, and senders that wait for that (the bridge's settle) do
not wait in vain.
"""

from __future__ import annotations

from widowx_driver.joint_admission import JointTarget


class NewestJointTarget:
    """Holds at most one :class:`JointTarget`; not thread-safe (the driver calls it under its lock)."""

    def __init__(self) -> None:
        self._target: JointTarget | None = None

    def offer(self, target: JointTarget) -> JointTarget | None:
        """Keep ``target``; return the one it replaces (never applied), if any."""
        replaced, self._target = self._target, target
        return replaced

    def take(self) -> JointTarget | None:
        """The waiting target, removed; None when there is none (also what :meth:`drop` uses)."""
        target, self._target = self._target, None
        return target
