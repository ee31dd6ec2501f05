"""The agent's authority to run a prompt on the arm: how an ``execute_prompt`` goal is signed and checked.

Why: rclpy's action server does not say which client sent a goal, and the
bridge's goal policy is "a newer goal preempts the running one", so any peer
on the DDS domain could abort the agent's step by sending a goal. The agent
signs its goals with the run secret; the bridge rejects every goal that is
unsigned, signed with another secret, stale, or a replay of one it has seen.

Both sides work on the ``ExecutePrompt.Goal`` message by duck typing (fields
``prompt``, ``max_steps``, ``max_duration``, ``stamp_ns``, ``nonce``, ``mac``),
so this package stays free of ROS. ``max_duration`` is a float32 on the wire:
it is signed as the float32 value the bridge will read back.
"""

from __future__ import annotations

import secrets
import struct
import time
from collections import OrderedDict
from typing import Any

from sarl_auth.mac import sign, verify

PURPOSE = "execute_prompt"
DEFAULT_WINDOW_S = 5.0


def _float32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", float(value)))[0]


def _fields(goal: Any) -> tuple:
    return (PURPOSE, str(goal.prompt), int(goal.max_steps), _float32(goal.max_duration), int(goal.stamp_ns),
            int(goal.nonce))  # fmt: skip


def sign_goal(secret: bytes, goal: Any, *, now_ns: int | None = None) -> Any:
    """Stamp, nonce and MAC ``goal`` in place (an ``ExecutePrompt.Goal``); returns it."""
    goal.stamp_ns = time.time_ns() if now_ns is None else now_ns
    goal.nonce = secrets.randbits(63)
    goal.mac = list(sign(secret, *_fields(goal)))
    return goal


class GoalAuthority:
    """The bridge's check of a goal: signed with the run secret, fresh, and never seen before."""

    def __init__(self, secret: bytes, window_s: float = DEFAULT_WINDOW_S, remembered: int = 4096) -> None:
        if window_s <= 0:
            raise ValueError(f"window_s must be > 0, got {window_s}")
        self._secret = secret
        self._window_s = window_s
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._remembered = remembered

    def check(self, goal: Any, *, now_ns: int | None = None) -> str | None:
        """None when the goal may run, else why not (one sentence, safe to log)."""
        now_ns = time.time_ns() if now_ns is None else now_ns
        try:
            fields = _fields(goal)
        except (TypeError, ValueError, OverflowError, struct.error) as error:
            return f"malformed goal fields: {error}"
        if not verify(self._secret, goal.mac, *fields):
            return "not signed with this robot's run secret: only the agent may send execute_prompt goals"
        age_s = (now_ns - int(goal.stamp_ns)) / 1e9
        if abs(age_s) > self._window_s:
            return f"goal signed {age_s:+.1f} s from now (allowed within {self._window_s} s)"
        if int(goal.nonce) in self._seen:
            return "replayed goal (nonce already used)"
        self._seen[int(goal.nonce)] = None
        while len(self._seen) > self._remembered:
            self._seen.popitem(last=False)
        return None
