"""The driver's counters, as arm_state reports them: what came in, and what became of it.

Why a class: the node bumps them from three threads (commands, e-stop, tick)
under its lock, resets them on activation, and copies them into every
arm_state; one object keeps the field names in one place.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from widowx_driver.command_admission import Refusal


@dataclass
class DriverCounters:
    """Counts since activation; each field maps to the arm_state field ``FIELD_NAMES[name]``."""

    applied: int = 0
    clipped: int = 0
    rejected: int = 0
    """Every refused command, whatever the reason (the sum the bridge and reset controller settle on)."""
    received: int = 0
    lost: int = 0
    stale: int = 0
    wrong_frame: int = 0
    wrong_source: int = 0
    superseded: int = 0
    unsupported: int = 0
    estop_clears_refused: int = 0

    def refused(self, refusal: Refusal | None = None) -> None:
        """One more rejected command, also counted under ``refusal`` when it has its own counter."""
        self.rejected += 1
        if refusal is not None:
            setattr(self, refusal.value, getattr(self, refusal.value) + 1)

    def reset(self) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, 0)

    def message_fields(self) -> dict[str, int]:
        """ArmState field name → value."""
        return {FIELD_NAMES[f.name]: _uint32(getattr(self, f.name)) for f in dataclasses.fields(self)}


FIELD_NAMES = {
    "applied": "commands_applied",
    "clipped": "commands_clipped",
    "rejected": "commands_rejected",
    "received": "commands_received",
    "lost": "commands_lost",
    "stale": "commands_stale",
    "wrong_frame": "commands_wrong_frame",
    "wrong_source": "commands_wrong_source",
    "superseded": "commands_superseded",
    "unsupported": "commands_unsupported",
    "estop_clears_refused": "estop_clears_refused",
}


def _uint32(value: int) -> int:
    return value & 0xFFFFFFFF  # wraps like the message field after 4e9 commands, instead of failing to publish
