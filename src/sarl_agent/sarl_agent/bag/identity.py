"""When two recorded transitions are the same transition (a re-send) and when they are not.

Why not compare bytes: rclpy's CDR serializer leaves alignment padding
uninitialised, so publishing the very same message object twice can give
different bytes (observed). Identity is therefore taken from fields the agent
fixes once per transition: run id, sequence number and the header stamp set
just before the first publish. A re-send repeats all three; an agent restarted
under the same run id restarts its sequence numbers but not the clock, so its
transitions stay distinct and are never dropped as duplicates. All three are
under the transition's MAC (``transition_mac.py``): a peer without the run
secret cannot make a "new" transition by changing the stamp.
"""

from __future__ import annotations

from typing import Any

TransitionId = tuple[str, int, int, int]


def transition_id(msg: Any) -> TransitionId:
    """(run id, sequence, stamp sec, stamp nanosec) of a SemanticTransition (rclpy or rosbags message)."""
    stamp = msg.header.stamp
    return str(msg.run_id), int(msg.sequence), int(stamp.sec), int(stamp.nanosec)
